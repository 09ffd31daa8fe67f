"""Denormalised facet columns and kept counts for /recommendations/ on PostgreSQL.

Each recommendation carries the ids of its themes, recommending states, affected groups
and SDG codes, the regional groups of its recommending states, and the jurisdictions acting
on it, as arrays with GIN indexes: a filter is one index lookup and a facet one pass over
the matching rows, with no join. Triggers keep them current (not save(), so that bulk
imports, the admin, forms and raw SQL all stay in step):

- a statement trigger on each link table rewrites the array of the recommendations whose
  links changed (bulk writers defer this and rewrite each row once, see DEFER);
- a statement trigger on the recommendations table adds what each statement changed to
  recommendations_facetcount, which holds the counts over ALL recommendations: the
  unfiltered facets, /themes/, the home page and the response figures of theme and
  country pages read them instead of counting 300,000 rows.

SQLite has neither arrays nor these triggers; its filters and facets join the link tables.
"""

import django.db.models.deletion
from django.db import migrations, models

TABLE = "recommendations_recommendation"

# column, link table, its target column, how an element is computed, element type
ARRAYS = [
    ("theme_ids", "recommendations_recommendation_themes", "theme_id", "l.theme_id", "integer"),
    (
        "country_ids",
        "recommendations_recommendation_recommending_countries",
        "country_id",
        "l.country_id",
        "integer",
    ),
    (
        "group_ids",
        "recommendations_recommendation_affected_groups",
        "affectedgroup_id",
        "l.affectedgroup_id",
        "integer",
    ),
]

COLUMNS = f"""
ALTER TABLE {TABLE}
  ADD COLUMN theme_ids integer[] NOT NULL DEFAULT '{{}}',
  ADD COLUMN country_ids integer[] NOT NULL DEFAULT '{{}}',
  ADD COLUMN regions text[] NOT NULL DEFAULT '{{}}',
  ADD COLUMN group_ids integer[] NOT NULL DEFAULT '{{}}',
  ADD COLUMN sdg_codes text[] NOT NULL DEFAULT '{{}}',
  ADD COLUMN acting_jurisdiction_ids integer[] NOT NULL DEFAULT '{{}}';
"""

# What each array holds for one recommendation r, as a scalar subquery.
VALUES = {
    "theme_ids": """COALESCE((SELECT array_agg(l.theme_id ORDER BY l.theme_id)
        FROM recommendations_recommendation_themes l WHERE l.recommendation_id = r.id),
        '{}')""",
    "country_ids": """COALESCE((SELECT array_agg(l.country_id ORDER BY l.country_id)
        FROM recommendations_recommendation_recommending_countries l
        WHERE l.recommendation_id = r.id), '{}')""",
    "regions": """COALESCE((SELECT array_agg(DISTINCT c.region ORDER BY c.region)
        FROM recommendations_recommendation_recommending_countries l
        JOIN recommendations_country c ON c.id = l.country_id
        WHERE l.recommendation_id = r.id AND c.region <> ''), '{}')""",
    "group_ids": """COALESCE((SELECT array_agg(l.affectedgroup_id ORDER BY l.affectedgroup_id)
        FROM recommendations_recommendation_affected_groups l
        WHERE l.recommendation_id = r.id), '{}')""",
    # A target's code ("16.3") and its goal's number ("16"): the SDG filter takes either.
    "sdg_codes": """COALESCE((SELECT array_agg(DISTINCT code ORDER BY code) FROM (
        SELECT t.code FROM recommendations_recommendation_sdg_targets l
        JOIN recommendations_sdgtarget t ON t.id = l.sdgtarget_id
        WHERE l.recommendation_id = r.id
        UNION ALL
        SELECT g.number::text FROM recommendations_recommendation_sdg_targets l
        JOIN recommendations_sdgtarget t ON t.id = l.sdgtarget_id
        JOIN recommendations_sdggoal g ON g.id = t.goal_id
        WHERE l.recommendation_id = r.id) AS codes), '{}')""",
}

# Link table -> the arrays it feeds.
LINKS = {
    "recommendations_recommendation_themes": ["theme_ids"],
    "recommendations_recommendation_recommending_countries": ["country_ids", "regions"],
    "recommendations_recommendation_affected_groups": ["group_ids"],
    "recommendations_recommendation_sdg_targets": ["sdg_codes"],
}


# A bulk writer (the importer, the benchmark generator) sets this for its transaction,
# writes all its links, then calls recommendations_sync_arrays(ids) once: each row is then
# rewritten once rather than once per link table.
DEFER = "recommendations.defer_arrays"

SYNC_FUNCTION = f"""
CREATE OR REPLACE FUNCTION recommendations_sync_arrays(ids bigint[]) RETURNS void AS $$
  UPDATE {TABLE} AS r SET {", ".join(f"{c} = {v}" for c, v in VALUES.items())}
  WHERE r.id = ANY(ids);
$$ LANGUAGE sql;
"""


def link_triggers() -> str:
    sql = [SYNC_FUNCTION]
    for link, columns in LINKS.items():
        sets = ", ".join(f"{column} = {VALUES[column]}" for column in columns)
        for event, rows in (("INSERT", "new_rows"), ("DELETE", "old_rows")):
            name = f"{link}_arrays_{event.lower()}"
            transition = "NEW TABLE AS new_rows" if event == "INSERT" else "OLD TABLE AS old_rows"
            sql.append(f"""
CREATE OR REPLACE FUNCTION {name}() RETURNS trigger AS $$
BEGIN
  IF current_setting('{DEFER}', true) = 'on' THEN
    RETURN NULL;
  END IF;
  UPDATE {TABLE} AS r SET {sets}
  WHERE r.id IN (SELECT DISTINCT recommendation_id FROM {rows});
  RETURN NULL;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER {name} AFTER {event} ON {link}
  REFERENCING {transition} FOR EACH STATEMENT EXECUTE FUNCTION {name}();
""")
    return "\n".join(sql)


# A recommendation's facet values, one row each; `d` is +1 for new rows, -1 for old ones.
FACET_VALUES = """
  SELECT d, 'response' AS facet, response AS value FROM changes
  UNION ALL SELECT d, 'review', review_id::text FROM changes
  UNION ALL SELECT d, 'action', COALESCE(action_category::text, '') FROM changes
  UNION ALL SELECT d, 'local_action', local_status FROM changes
  UNION ALL SELECT d, 'theme', unnest(theme_ids)::text FROM changes
  UNION ALL SELECT d, 'country', unnest(country_ids)::text FROM changes
  UNION ALL SELECT d, 'region', unnest(regions) FROM changes
  UNION ALL SELECT d, 'group', unnest(group_ids)::text FROM changes
  UNION ALL SELECT d, 'sdg', unnest(sdg_codes) FROM changes
  UNION ALL SELECT d, 'jurisdiction', unnest(acting_jurisdiction_ids)::text FROM changes
  UNION ALL SELECT d, 'theme_response', t::text || ' ' || response
    FROM changes, unnest(theme_ids) AS t
  UNION ALL SELECT d, 'country_response', c::text || ' ' || response
    FROM changes, unnest(country_ids) AS c
"""

CHANGES = {
    "insert": "SELECT 1 AS d, * FROM new_rows",
    "delete": "SELECT -1 AS d, * FROM old_rows",
    "update": "SELECT 1 AS d, * FROM new_rows UNION ALL SELECT -1 AS d, * FROM old_rows",
}
TRANSITIONS = {
    "insert": "NEW TABLE AS new_rows",
    "delete": "OLD TABLE AS old_rows",
    "update": "OLD TABLE AS old_rows NEW TABLE AS new_rows",
}


def count_triggers() -> str:
    sql = []
    for event, changes in CHANGES.items():
        name = f"recommendations_facetcount_{event}"
        # Rows in key order, so that two writers lock counts in the same order.
        sql.append(f"""
CREATE OR REPLACE FUNCTION {name}() RETURNS trigger AS $$
BEGIN
  INSERT INTO recommendations_facetcount (facet, value, n)
  SELECT facet, value, SUM(d) FROM (
    WITH changes AS ({changes}) {FACET_VALUES}
  ) AS v GROUP BY facet, value HAVING SUM(d) <> 0 ORDER BY facet, value
  ON CONFLICT (facet, value) DO UPDATE SET n = recommendations_facetcount.n + EXCLUDED.n;
  RETURN NULL;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER {name} AFTER {event.upper()} ON {TABLE}
  REFERENCING {TRANSITIONS[event]} FOR EACH STATEMENT EXECUTE FUNCTION {name}();
""")
    return "\n".join(sql)


# A state's regional group can be corrected: its recommendations' regions follow.
REGION_TRIGGER = f"""
CREATE OR REPLACE FUNCTION recommendations_country_regions() RETURNS trigger AS $$
BEGIN
  UPDATE {TABLE} AS r SET regions = {VALUES["regions"]}
  WHERE r.country_ids && ARRAY(
    SELECT n.id::integer FROM new_rows n JOIN old_rows o ON o.id = n.id
    WHERE o.region IS DISTINCT FROM n.region);
  RETURN NULL;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER recommendations_country_regions AFTER UPDATE ON recommendations_country
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT
  EXECUTE FUNCTION recommendations_country_regions();
"""

FILL = f"""
UPDATE {TABLE} AS r SET {", ".join(f"{c} = {v}" for c, v in VALUES.items())};
INSERT INTO recommendations_facetcount (facet, value, n)
  SELECT facet, value, SUM(d) FROM (
    WITH changes AS (SELECT 1 AS d, * FROM {TABLE}) {FACET_VALUES}
  ) AS v GROUP BY facet, value;
"""

INDEXES = f"""
-- /recommendations/ filters: one GIN lookup per chosen theme, state, region, group or SDG.
CREATE INDEX recommendations_rec_theme_ids ON {TABLE} USING gin (theme_ids);
CREATE INDEX recommendations_rec_country_ids ON {TABLE} USING gin (country_ids);
CREATE INDEX recommendations_rec_regions ON {TABLE} USING gin (regions);
CREATE INDEX recommendations_rec_group_ids ON {TABLE} USING gin (group_ids);
CREATE INDEX recommendations_rec_sdg_codes ON {TABLE} USING gin (sdg_codes);
CREATE INDEX recommendations_rec_jurisdiction_ids ON {TABLE} USING gin (acting_jurisdiction_ids);
"""

BACKWARD = f"""
DROP TRIGGER IF EXISTS recommendations_country_regions ON recommendations_country;
DROP FUNCTION IF EXISTS recommendations_sync_arrays(bigint[]);
DROP FUNCTION IF EXISTS recommendations_country_regions();
{
    "".join(
        f"DROP TRIGGER IF EXISTS recommendations_facetcount_{e} ON {TABLE};"
        f"DROP FUNCTION IF EXISTS recommendations_facetcount_{e}();"
        for e in CHANGES
    )
}
{
    "".join(
        f"DROP TRIGGER IF EXISTS {link}_arrays_{e} ON {link};"
        f"DROP FUNCTION IF EXISTS {link}_arrays_{e}();"
        for link in LINKS
        for e in ("insert", "delete")
    )
}
ALTER TABLE {TABLE} DROP COLUMN theme_ids, DROP COLUMN country_ids, DROP COLUMN regions,
  DROP COLUMN group_ids, DROP COLUMN sdg_codes, DROP COLUMN acting_jurisdiction_ids;
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(COLUMNS)
        schema_editor.execute(link_triggers())
        schema_editor.execute(REGION_TRIGGER)
        # Counts are filled in one pass before their triggers exist, or the fill's own
        # UPDATE would be counted twice.
        schema_editor.execute(FILL)
        schema_editor.execute(count_triggers())
        schema_editor.execute(INDEXES)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("recommendations", "0007_recommendation_order_index")]
    operations = [
        migrations.CreateModel(
            name="FacetCount",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("facet", models.CharField(max_length=20)),
                ("value", models.CharField(max_length=64)),
                ("n", models.IntegerField(default=0)),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("facet", "value"), name="recommendations_facetcount_key"
                    )
                ]
            },
        ),
        migrations.CreateModel(
            name="RecommendedAgain",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("score", models.PositiveSmallIntegerField()),
                (
                    "other",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="recommendations.recommendation",
                    ),
                ),
                (
                    "recommendation",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="recommended_again",
                        to="recommendations.recommendation",
                    ),
                ),
            ],
            options={
                "indexes": [
                    models.Index(
                        fields=["recommendation", "-score"], name="recommendations_again_best"
                    )
                ],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("recommendation", "other"), name="recommendations_again_pair"
                    )
                ],
            },
        ),
        migrations.RunPython(forward, backward),
    ]
