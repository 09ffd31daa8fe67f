from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JurisdictionsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "jurisdictions"
    verbose_name = _("Jurisdictions")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from recommendations.importers import runs as import_runs

        from . import panels, recommendation_filters, status_refresh
        from .follow import outbox as follow_outbox
        from .progress import pages as progress_pages

        # Queue a coalesced status refresh after any commitment or link edit, the admin's
        # included; the receivers only schedule (see status_refresh).
        link = "jurisdictions.CommitmentLink"
        post_save.connect(status_refresh.commitment_link_changed, sender=link)
        post_delete.connect(status_refresh.commitment_link_changed, sender=link)
        post_save.connect(status_refresh.commitment_changed, sender="jurisdictions.Commitment")
        # "Acted on by" on /recommendations/: the recommendations app knows no jurisdictions.
        recommendation_filters.register()
        # Local-action parts of the recommendations app's pages (recommendations.panels).
        panels.register()
        progress_pages.register()
        # The names of the jurisdictions acting, in the recommendation exports.
        recommendation_filters.register_export_names()
        # Webhooks hear of finished recommendation imports (follow/webhooks.py).
        import_runs.finished_hooks.append(follow_outbox.import_finished)
