"""Invitation tokens are kept as their SHA-256 hash: existing rows are converted in place,
so links already emailed keep working. There is no way back to the raw tokens."""

import hashlib

from django.db import migrations, models


def hash_tokens(apps, schema_editor):
    Invitation = apps.get_model("jurisdictions", "Invitation")
    for invitation in Invitation.objects.only("pk", "token_hash").iterator():
        raw = invitation.token_hash.encode("utf-8", "surrogatepass")
        invitation.token_hash = hashlib.sha256(raw).hexdigest()
        invitation.save(update_fields=["token_hash"])


class Migration(migrations.Migration):
    dependencies = [
        ("jurisdictions", "0007_reports_saved_and_builds"),
    ]

    operations = [
        migrations.RenameField(model_name="invitation", old_name="token", new_name="token_hash"),
        migrations.RunPython(hash_tokens, migrations.RunPython.noop, elidable=False),
    ]
