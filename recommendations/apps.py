from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _repair_search_index(using, **kwargs):
    from django.db import connections

    from . import sqlite_search

    sqlite_search.ensure_index(connections[using])


class RecommendationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "recommendations"

    def ready(self):
        # A later migration that alters the recommendation table makes SQLite rebuild it,
        # which drops the search triggers; put them back after every migrate.
        post_migrate.connect(_repair_search_index, sender=self)
