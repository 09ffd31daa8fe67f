from django.apps import AppConfig


class JurisdictionsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "jurisdictions"

    def ready(self):
        # Queue a coalesced status refresh after any commitment or link edit, the admin's
        # included; the receivers only schedule (see recommendations.status).
        from django.db.models.signals import post_delete, post_save

        from recommendations import status

        post_save.connect(status.commitment_link_changed, sender="jurisdictions.CommitmentLink")
        post_delete.connect(status.commitment_link_changed, sender="jurisdictions.CommitmentLink")
        post_save.connect(status.commitment_changed, sender="jurisdictions.Commitment")
