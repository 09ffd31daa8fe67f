import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("recommendations", "0002_search_trigger"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="historicalrecommendation",
            name="body",
            field=models.CharField(blank=True, help_text="Empty for the UPR.", max_length=120, verbose_name="recommending body"),
        ),
        migrations.AddField(
            model_name="recommendation",
            name="body",
            field=models.CharField(blank=True, help_text="Empty for the UPR.", max_length=120, verbose_name="recommending body"),
        ),
        migrations.CreateModel(
            name="ImportRun",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("file_name", models.CharField(max_length=255)),
                ("file_path", models.CharField(max_length=500, verbose_name="stored file")),
                ("format", models.CharField(blank=True, help_text="Empty: detected.", max_length=10)),
                ("options", models.JSONField(blank=True, default=dict)),
                ("status", models.CharField(choices=[("queued", "Queued"), ("running", "Running"), ("succeeded", "Succeeded"), ("failed", "Failed")], default="queued", max_length=10)),
                ("rows_total", models.PositiveIntegerField(default=0)),
                ("rows_done", models.PositiveIntegerField(default=0)),
                ("created", models.PositiveIntegerField(default=0)),
                ("updated", models.PositiveIntegerField(default=0)),
                ("unchanged", models.PositiveIntegerField(default=0)),
                ("skipped", models.PositiveIntegerField(default=0)),
                ("errors", models.PositiveIntegerField(default=0)),
                ("report", models.JSONField(blank=True, default=dict, help_text="Error rows and warnings.")),
                ("started_at", models.DateTimeField(blank=True, null=True)),
                ("finished_at", models.DateTimeField(blank=True, null=True)),
                ("user", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL)),
            ],
            options={
                "ordering": ["-created_at", "-id"],
                "constraints": [models.CheckConstraint(condition=models.Q(("status__in", ["queued", "running", "succeeded", "failed"])), name="recommendations_importrun_status_valid")],
            },
        ),
    ]
