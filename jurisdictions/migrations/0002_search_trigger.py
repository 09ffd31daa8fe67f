"""Keeps Commitment.search_vector in step with its title (weight A) and summary (B)."""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION jurisdictions_commitment_search_update() RETURNS trigger AS $$
BEGIN
  NEW.search_vector :=
    setweight(to_tsvector('pg_catalog.english', coalesce(NEW.title, '')), 'A') ||
    setweight(to_tsvector('pg_catalog.english', coalesce(NEW.summary, '')), 'B');
  RETURN NEW;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER jurisdictions_commitment_search
  BEFORE INSERT OR UPDATE OF title, summary ON jurisdictions_commitment
  FOR EACH ROW EXECUTE FUNCTION jurisdictions_commitment_search_update();
UPDATE jurisdictions_commitment SET title = title;
-- serves ?q= on /commitments/
CREATE INDEX jurisdictions_com_search ON jurisdictions_commitment USING gin (search_vector);
"""

BACKWARD = """
DROP INDEX IF EXISTS jurisdictions_com_search;
DROP TRIGGER IF EXISTS jurisdictions_commitment_search ON jurisdictions_commitment;
DROP FUNCTION IF EXISTS jurisdictions_commitment_search_update();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("jurisdictions", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
