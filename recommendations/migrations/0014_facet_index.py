"""The facet index's two tables, and on PostgreSQL the triggers that stamp a new version
whenever a statement changes a column the facets read (facet_index.py).

The stamp comes from a sequence, so a number is never given twice, even after the tables
are emptied; the row that holds it is written in the writer's transaction, so readers see
the new number exactly when they see the rows it stands for.
"""

from django.db import migrations, models

TABLE = "recommendations_recommendation"
# What the facets count: a change to any other column (text, search vector, "recommended
# again") leaves the index valid.
COLUMNS = [
    "review_id",
    "response",
    "action_category",
    "local_status",
    "theme_ids",
    "country_ids",
    "regions",
    "group_ids",
    "sdg_codes",
    "acting_jurisdiction_ids",
]
STAMP = f"""
CREATE SEQUENCE recommendations_facetversion_stamp;
CREATE OR REPLACE FUNCTION recommendations_facetversion_stamp() RETURNS void AS $$
  INSERT INTO recommendations_facetversion (id, n)
  VALUES (1, nextval('recommendations_facetversion_stamp'))
  ON CONFLICT (id) DO UPDATE SET n = EXCLUDED.n;
$$ LANGUAGE sql;
"""
CHANGED = {
    "insert": ("NEW TABLE AS new_rows", "SELECT 1 FROM new_rows"),
    "delete": ("OLD TABLE AS old_rows", "SELECT 1 FROM old_rows"),
    # A set difference rather than a join of the two transition tables, which have no
    # index: the planner would loop over one for every row of the other.
    "update": (
        "OLD TABLE AS old_rows NEW TABLE AS new_rows",
        f"SELECT id, {', '.join(COLUMNS)} FROM new_rows "
        f"EXCEPT SELECT id, {', '.join(COLUMNS)} FROM old_rows",
    ),
}


def triggers() -> str:
    # Named after the facet count triggers, so they run (and lock their rows) first.
    sql = [STAMP]
    for event, (transition, changed) in CHANGED.items():
        name = f"recommendations_facetversion_{event}"
        sql.append(f"""
CREATE OR REPLACE FUNCTION {name}() RETURNS trigger AS $$
BEGIN
  IF EXISTS ({changed}) THEN
    PERFORM recommendations_facetversion_stamp();
  END IF;
  RETURN NULL;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER {name} AFTER {event.upper()} ON {TABLE}
  REFERENCING {transition} FOR EACH STATEMENT EXECUTE FUNCTION {name}();
""")
    sql.append(f"""
CREATE OR REPLACE FUNCTION recommendations_facetversion_truncate() RETURNS trigger AS $$
BEGIN
  PERFORM recommendations_facetversion_stamp();
  RETURN NULL;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER recommendations_facetversion_truncate AFTER TRUNCATE ON {TABLE}
  FOR EACH STATEMENT EXECUTE FUNCTION recommendations_facetversion_truncate();
""")
    return "\n".join(sql)


BACKWARD = "\n".join(
    [
        *(
            f"DROP TRIGGER IF EXISTS recommendations_facetversion_{e} ON {TABLE};"
            f"DROP FUNCTION IF EXISTS recommendations_facetversion_{e}();"
            for e in (*CHANGED, "truncate")
        ),
        "DROP FUNCTION IF EXISTS recommendations_facetversion_stamp();",
        "DROP SEQUENCE IF EXISTS recommendations_facetversion_stamp;",
    ]
)


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(triggers())


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("recommendations", "0013_public_sqlite_fts5")]

    operations = [
        migrations.CreateModel(
            name="FacetIndex",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("version", models.BigIntegerField(unique=True)),
                ("built_at", models.DateTimeField()),
                ("build_seconds", models.FloatField()),
                ("data", models.BinaryField()),
            ],
        ),
        migrations.CreateModel(
            name="FacetVersion",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("n", models.BigIntegerField()),
            ],
        ),
        migrations.AddIndex(
            model_name="recommendation",
            index=models.Index(
                condition=models.Q(("local_status", "none"), _negated=True),
                fields=["review", "id"],
                name="recommendations_rec_acted_o",
            ),
        ),
        migrations.RunPython(forward, backward),
    ]
