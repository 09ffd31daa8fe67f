"""Stands in for 0013_public_sqlite_fts5, a full-text index for the second database the
project once supported, which never did anything on PostgreSQL. That migration imported
the search module of that database, which is gone; Django's squashing replaces it with
this empty one, so a database that applied it and a new one reach the same state."""

from django.db import migrations


class Migration(migrations.Migration):
    replaces = [("recommendations", "0013_public_sqlite_fts5")]

    dependencies = [("recommendations", "0012_curated_fields_db_default")]

    operations = []
