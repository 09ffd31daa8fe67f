"""PostgreSQL only: commitment search becomes a generated column; the roll-ups go.

- Commitment.search_vector, kept by a trigger until now (migration 0002, the 'english'
  configuration), becomes a generated column over upr_english (English stemming over
  unaccented words, declared in recommendations/schema.py) with the same weights: title
  A, summary B. The trigger and its function are dropped first, and the GIN index is
  built again on the new column.
- ThemeRollup and JurisdictionRollup were rewritten on every status refresh and read by
  nothing.

The functions and triggers still in use (theme_ids and the kept theme counts) are
declared in jurisdictions/schema.py and installed after migrate; the old names of those
on recommendations' theme tags go then.
"""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.db import migrations, models

TABLE = "jurisdictions_commitment"


def setup(apps, schema_editor):
    from upr_tracker.dbschema import setup

    setup(schema_editor.connection)


DROP_TRIGGER = f"""
DROP TRIGGER IF EXISTS jurisdictions_commitment_search ON {TABLE};
DROP FUNCTION IF EXISTS jurisdictions_commitment_search_update();
DROP INDEX IF EXISTS jurisdictions_com_search;
"""

# Backwards: the trigger of migration 0002 again, over the plain column put back.
RESTORE_TRIGGER = f"""
CREATE OR REPLACE FUNCTION jurisdictions_commitment_search_update() RETURNS trigger AS $$
BEGIN
  NEW.search_vector :=
    setweight(to_tsvector('pg_catalog.english', coalesce(NEW.title, '')), 'A') ||
    setweight(to_tsvector('pg_catalog.english', coalesce(NEW.summary, '')), 'B');
  RETURN NEW;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER jurisdictions_commitment_search
  BEFORE INSERT OR UPDATE OF title, summary ON {TABLE}
  FOR EACH ROW EXECUTE FUNCTION jurisdictions_commitment_search_update();
UPDATE {TABLE} SET title = title;
CREATE INDEX jurisdictions_com_search ON {TABLE} USING gin (search_vector);
"""


class Migration(migrations.Migration):
    dependencies = [
        ("jurisdictions", "0010_digest_unsubscribe_url"),
        ("recommendations", "0015_one_database"),
    ]

    operations = [
        migrations.RunPython(setup, migrations.RunPython.noop),
        migrations.RunSQL(DROP_TRIGGER, RESTORE_TRIGGER),
        migrations.RemoveField(model_name="commitment", name="search_vector"),
        migrations.AddField(
            model_name="commitment",
            name="search_vector",
            field=models.GeneratedField(
                db_persist=True,
                expression=SearchVector("title", weight="A", config="upr_english")
                + SearchVector("summary", weight="B", config="upr_english"),
                output_field=SearchVectorField(),
            ),
        ),
        migrations.AddIndex(
            model_name="commitment",
            index=GinIndex(fields=["search_vector"], name="jurisdictions_com_search"),
        ),
        migrations.DeleteModel(name="ThemeRollup"),
        migrations.DeleteModel(name="JurisdictionRollup"),
    ]
