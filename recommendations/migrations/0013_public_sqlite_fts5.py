"""A full-text index for the second database the project once supported. It never did
anything on PostgreSQL; kept, empty, so that the migration history stays whole."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("recommendations", "0012_curated_fields_db_default"),
    ]

    operations = [migrations.RunPython(migrations.RunPython.noop, migrations.RunPython.noop)]
