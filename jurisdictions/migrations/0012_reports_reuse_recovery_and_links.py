import uuid

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("jurisdictions", "0011_one_database"),
    ]

    operations = [
        migrations.AddField(
            model_name="reportbuild",
            name="attempts",
            field=models.PositiveSmallIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="reportbuild",
            name="spec_hash",
            field=models.CharField(db_index=True, default="", editable=False, max_length=64),
        ),
        migrations.AddField(
            model_name="reportbuild",
            name="started_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        # Builds made before fingerprints existed are each their own: never reused.
        migrations.RunSQL(
            "UPDATE jurisdictions_reportbuild SET spec_hash = replace(token::text, '-', '')",
            migrations.RunSQL.noop,
        ),
        migrations.AddConstraint(
            model_name="reportbuild",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status__in", ["queued", "running"])),
                fields=("spec_hash",),
                name="jurisdictions_reportbuild_one_active_per_spec",
            ),
        ),
        migrations.AddField(
            model_name="report",
            name="version",
            field=models.PositiveIntegerField(default=1),
        ),
        # Saved reports get an unguessable address; each existing one its own.
        migrations.AddField(
            model_name="report",
            name="token",
            field=models.UUIDField(editable=False, null=True),
        ),
        migrations.RunSQL(
            "UPDATE jurisdictions_report SET token = gen_random_uuid()", migrations.RunSQL.noop
        ),
        migrations.AlterField(
            model_name="report",
            name="token",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
    ]
