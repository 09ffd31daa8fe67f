"""pg_trgm for "recommended again" (trigram similarity between recommendation texts).

PostgreSQL only, like 0002: SQLite shows exact-text matches instead."""

from django.db import migrations


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")


def backward(apps, schema_editor):
    # Other apps or databases may rely on the extension; leave it in place.
    pass


class Migration(migrations.Migration):
    dependencies = [("recommendations", "0004_jobs_subscriptions_rollups")]
    operations = [migrations.RunPython(forward, backward)]
