from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _install_schema(using, **kwargs):
    """After a migrate that left every app at its latest migration, the declared functions
    and triggers (upr_tracker/dbschema.py) are installed; a partial migrate (back to an
    older state) leaves them, since they name columns of the latest one."""
    from django.db import connections
    from django.db.migrations.executor import MigrationExecutor

    from upr_tracker.dbschema import install

    connection = connections[using]
    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        return
    install(connection)


class RecommendationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "recommendations"
    verbose_name = _("Recommendations")

    def ready(self):
        post_migrate.connect(_install_schema, sender=self)
        from . import mirror, panels

        # The mirror view's parts of the theme and recommendation pages (mirror.py).
        panels.register("theme", mirror.theme_context)
        panels.register("recommendation", mirror.recommendation_context)
