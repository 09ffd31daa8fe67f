"""Keeps Recommendation.search_vector in step with its text on PostgreSQL.

A trigger (not save()) so that bulk imports and raw updates stay searchable too.
SQLite has no full-text column; search falls back to a plain match there.
"""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION recommendations_recommendation_search_update() RETURNS trigger AS $$
BEGIN
  NEW.search_vector := to_tsvector('pg_catalog.english', coalesce(NEW.text, ''));
  RETURN NEW;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER recommendations_recommendation_search
  BEFORE INSERT OR UPDATE OF text ON recommendations_recommendation
  FOR EACH ROW EXECUTE FUNCTION recommendations_recommendation_search_update();
UPDATE recommendations_recommendation
  SET search_vector = to_tsvector('pg_catalog.english', coalesce(text, ''));
-- serves ?q= on /recommendations/ and the staff suggestion screen
CREATE INDEX recommendations_rec_search ON recommendations_recommendation
  USING gin (search_vector);
"""

BACKWARD = """
DROP INDEX IF EXISTS recommendations_rec_search;
DROP TRIGGER IF EXISTS recommendations_recommendation_search ON recommendations_recommendation;
DROP FUNCTION IF EXISTS recommendations_recommendation_search_update();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("recommendations", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
