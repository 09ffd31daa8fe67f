"""SQLite only: an FTS5 index of recommendation text, kept in sync by triggers (see
recommendations/sqlite_search.py). PostgreSQL keeps its tsvector column (0002)."""

from django.db import migrations

from recommendations import sqlite_search


def create(apps, schema_editor):
    sqlite_search.ensure_index(schema_editor.connection)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    table = sqlite_search.TABLE
    for trigger in sorted(sqlite_search.TRIGGERS):
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    schema_editor.execute(f"DROP TABLE IF EXISTS {table}")


class Migration(migrations.Migration):
    dependencies = [
        ("recommendations", "0012_curated_fields_db_default"),
    ]

    operations = [migrations.RunPython(create, drop)]
