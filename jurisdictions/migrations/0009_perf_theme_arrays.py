"""A theme's local action on PostgreSQL without walking the tree at read time.

The local action of a theme (CommitmentQuerySet.on_themes) is the published commitments
tagged with it or a narrower theme, or linked to a recommendation tagged with it or a
narrower theme. Each commitment carries the closure of that as an array, theme_ids: its
own themes and its linked recommendations' themes, each with every broader theme, with a
GIN index, so that "on theme T" is `theme_ids && '{T}'`. Statement triggers keep it
current (not save(), so that bulk imports, the admin, merges and raw SQL stay in step):

- on the commitment's theme tags, on its links and on recommendations' theme tags: the
  arrays of the commitments concerned are recomputed (jurisdictions_sync_theme_ids);
- on a theme's parent: the arrays of every commitment on the moved theme;
- on the commitments table: what each statement changed in the published commitments is
  added to the kept counts, per theme (ThemeActionCount: commitments and jurisdictions,
  for /themes/ and the theme page's headings) and per theme and jurisdiction
  (ThemeJurisdictionCount: the theme page's "Who acted").

SQLite has neither; it counts with the two-table definition.
"""

from django.db import migrations, models

TABLE = "jurisdictions_commitment"

# Every theme with itself and each broader theme. UNION, not UNION ALL, so that a cycle
# in the tree (nothing forbids one) ends the recursion instead of looping.
ANCESTORS = """
up(theme_id, ancestor_id) AS (
  SELECT id, id FROM recommendations_theme
  UNION
  SELECT up.theme_id, t.parent_id FROM up JOIN recommendations_theme t ON t.id = up.ancestor_id
  WHERE t.parent_id IS NOT NULL
)"""


def closure(ids: str) -> str:
    """CTEs ending in fresh(id, theme_ids): the arrays that the commitments whose ids the
    relation `ids` (one column, id) holds should carry."""
    return f"""
WITH RECURSIVE {ANCESTORS},
touched AS (SELECT DISTINCT id FROM {ids}),
direct(commitment_id, theme_id) AS (
  SELECT ct.commitment_id, ct.theme_id FROM touched
  JOIN jurisdictions_commitment_themes ct ON ct.commitment_id = touched.id
  UNION ALL
  SELECT l.commitment_id, rt.theme_id FROM touched
  JOIN jurisdictions_commitmentlink l ON l.commitment_id = touched.id
  JOIN recommendations_recommendation_themes rt ON rt.recommendation_id = l.recommendation_id
),
fresh AS (
  SELECT touched.id,
         COALESCE(array_agg(DISTINCT up.ancestor_id::integer ORDER BY up.ancestor_id::integer)
                  FILTER (WHERE up.ancestor_id IS NOT NULL), '{{}}') AS theme_ids
  FROM touched
  LEFT JOIN direct d ON d.commitment_id = touched.id
  LEFT JOIN up ON up.theme_id = d.theme_id
  GROUP BY touched.id
)"""


def sync(ids: str) -> str:
    """Writes the arrays; only rows whose array changes, so the count triggers see only
    real changes."""
    return f"""{closure(ids)}
UPDATE {TABLE} AS c SET theme_ids = fresh.theme_ids
FROM fresh WHERE c.id = fresh.id AND c.theme_ids <> fresh.theme_ids"""


COLUMN = f"ALTER TABLE {TABLE} ADD COLUMN theme_ids integer[] NOT NULL DEFAULT '{{}}';"

# Locks the rows first, then computes: each statement of a volatile function takes a new
# snapshot, so one that waited for another writer of the same commitment (a tag and a
# link added at once) sees what it committed, instead of overwriting its array with one
# computed without it.
SYNC_FUNCTION = f"""
CREATE OR REPLACE FUNCTION jurisdictions_sync_theme_ids(ids bigint[]) RETURNS void AS $$
SELECT 1 FROM {TABLE} WHERE id = ANY(ids) ORDER BY id FOR NO KEY UPDATE;
{sync("unnest(ids) AS i(id)")};
$$ LANGUAGE sql VOLATILE;
"""

# The commitments whose array is not what their tags and links say: none, unless a
# writer bypassed the triggers (the deferral below, left on by mistake). The daily status
# job checks and repairs them (jurisdictions/denormalised.py).
STALE_FUNCTION = f"""
CREATE OR REPLACE FUNCTION jurisdictions_stale_theme_ids() RETURNS bigint[] AS $$
{closure(f"(SELECT id FROM {TABLE}) AS i")}
SELECT ARRAY(SELECT c.id FROM {TABLE} c JOIN fresh ON fresh.id = c.id
             WHERE c.theme_ids <> fresh.theme_ids ORDER BY c.id);
$$ LANGUAGE sql STABLE;
"""

# Table whose rows change -> the commitments concerned, from its transition table {rows}.
SOURCES = {
    "jurisdictions_commitment_themes": "SELECT commitment_id FROM {rows}",
    "jurisdictions_commitmentlink": "SELECT commitment_id FROM {rows}",
    "recommendations_recommendation_themes": (
        "SELECT l.commitment_id FROM jurisdictions_commitmentlink l "
        "WHERE l.recommendation_id IN (SELECT recommendation_id FROM {rows})"
    ),
}
# A recommendation retagged while, in another transaction, a commitment is linked to it:
# neither would see the other's rows. Both lock the recommendation first (retagging
# exclusively, linking shared), so the second waits for the first to commit and then,
# in a new statement, reads what it wrote. Recommendations before commitments, in id
# order, in every trigger: no two writers wait on each other.
LOCKS = {
    "recommendations_recommendation_themes": "FOR NO KEY UPDATE",
    "jurisdictions_commitmentlink": "FOR SHARE",
}
TRANSITIONS = {
    "insert": "NEW TABLE AS new_rows",
    "delete": "OLD TABLE AS old_rows",
    "update": "OLD TABLE AS old_rows NEW TABLE AS new_rows",
}
ROWS = {"insert": ["new_rows"], "delete": ["old_rows"], "update": ["new_rows", "old_rows"]}


# A bulk writer of commitments (the benchmark generator) sets this for its transaction,
# writes tags and links, then calls jurisdictions_sync_theme_ids(ids) once: each row is
# then rewritten once rather than once per statement (jurisdictions/denormalised.py).
# Recommendations' tags do not wait: their writers do not know the commitments concerned.
DEFER = "jurisdictions.defer_theme_ids"
DEFERRABLE = {"jurisdictions_commitment_themes", "jurisdictions_commitmentlink"}


def source_triggers() -> str:
    sql = []
    for table, source in SOURCES.items():
        for event, transition in TRANSITIONS.items():
            name = f"{table}_theme_ids_{event}"
            affected = " UNION ".join(source.format(rows=rows) for rows in ROWS[event])
            defer = (
                f"IF current_setting('{DEFER}', true) = 'on' THEN RETURN NULL; END IF;"
                if table in DEFERRABLE
                else ""
            )
            lock = ""
            if table in LOCKS:
                recs = " UNION ".join(f"SELECT recommendation_id FROM {r}" for r in ROWS[event])
                lock = (
                    "PERFORM 1 FROM recommendations_recommendation "
                    f"WHERE id IN ({recs}) ORDER BY id {LOCKS[table]};"
                )
            # Ids in order: two writers lock the commitments they rewrite in the same order.
            sql.append(f"""
CREATE OR REPLACE FUNCTION {name}() RETURNS trigger AS $$
BEGIN
  {defer}
  {lock}
  PERFORM jurisdictions_sync_theme_ids(ARRAY(SELECT id FROM ({affected}) AS a(id) ORDER BY id));
  RETURN NULL;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER {name} AFTER {event.upper()} ON {table}
  REFERENCING {transition} FOR EACH STATEMENT EXECUTE FUNCTION {name}();
""")
    return "\n".join(sql)


# A theme moved under another parent: every commitment on it (so on its narrower themes
# too) gains the new broader themes and loses the old.
PARENT_TRIGGER = f"""
CREATE OR REPLACE FUNCTION jurisdictions_theme_parent_theme_ids() RETURNS trigger AS $$
DECLARE
  moved integer[] := ARRAY(
    SELECT n.id::integer FROM new_rows n JOIN old_rows o ON o.id = n.id
    WHERE o.parent_id IS DISTINCT FROM n.parent_id);
BEGIN
  IF cardinality(moved) > 0 THEN
    PERFORM jurisdictions_sync_theme_ids(ARRAY(
      SELECT id FROM {TABLE} WHERE theme_ids && moved ORDER BY id));
  END IF;
  RETURN NULL;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER jurisdictions_theme_parent_theme_ids AFTER UPDATE ON recommendations_theme
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT
  EXECUTE FUNCTION jurisdictions_theme_parent_theme_ids();
"""

# Published commitments a statement added (+1) or took away (-1), with their jurisdiction
# and themes. An update counts only rows whose publication, jurisdiction or themes changed
# (the daily status job rewrites many rows and changes none of these).
PUBLISHED = "publication = 'published'"
CHANGES = {
    "insert": f"SELECT 1 AS d, jurisdiction_id, theme_ids FROM new_rows WHERE {PUBLISHED}",
    "delete": f"SELECT -1 AS d, jurisdiction_id, theme_ids FROM old_rows WHERE {PUBLISHED}",
    "update": f"""
    SELECT 1 AS d, jurisdiction_id, theme_ids FROM (
      SELECT id, jurisdiction_id, theme_ids FROM new_rows WHERE {PUBLISHED}
      EXCEPT ALL SELECT id, jurisdiction_id, theme_ids FROM old_rows WHERE {PUBLISHED}) AS gained
    UNION ALL
    SELECT -1, jurisdiction_id, theme_ids FROM (
      SELECT id, jurisdiction_id, theme_ids FROM old_rows WHERE {PUBLISHED}
      EXCEPT ALL SELECT id, jurisdiction_id, theme_ids FROM new_rows WHERE {PUBLISHED}) AS lost""",
}


def count_triggers() -> str:
    sql = []
    for event, changes in CHANGES.items():
        name = f"jurisdictions_themecount_{event}"
        # The per-jurisdiction upsert returns each count after the change; before it was
        # that minus the change, so a jurisdiction starts (0 -> n) or stops (n -> 0)
        # acting on the theme. Rows in key order, so that two writers lock in one order.
        sql.append(f"""
CREATE OR REPLACE FUNCTION {name}() RETURNS trigger AS $$
BEGIN
  WITH delta AS (
    SELECT t.theme_id, c.jurisdiction_id, SUM(c.d)::integer AS d
    FROM ({changes}) AS c, unnest(c.theme_ids) AS t(theme_id)
    GROUP BY 1, 2 HAVING SUM(c.d) <> 0
  ),
  kept AS (
    INSERT INTO jurisdictions_themejurisdictioncount AS k (theme_id, jurisdiction_id, commitments)
    SELECT theme_id, jurisdiction_id, d FROM delta ORDER BY theme_id, jurisdiction_id
    ON CONFLICT (theme_id, jurisdiction_id)
    DO UPDATE SET commitments = k.commitments + EXCLUDED.commitments
    RETURNING k.theme_id, k.jurisdiction_id, k.commitments AS n
  )
  INSERT INTO jurisdictions_themeactioncount AS a (theme_id, commitments, jurisdictions)
  SELECT kept.theme_id, SUM(delta.d),
         COUNT(*) FILTER (WHERE kept.n > 0 AND kept.n = delta.d)
         - COUNT(*) FILTER (WHERE kept.n = 0)
  FROM kept JOIN delta
    ON delta.theme_id = kept.theme_id AND delta.jurisdiction_id = kept.jurisdiction_id
  GROUP BY kept.theme_id ORDER BY kept.theme_id
  ON CONFLICT (theme_id) DO UPDATE SET
    commitments = a.commitments + EXCLUDED.commitments,
    jurisdictions = a.jurisdictions + EXCLUDED.jurisdictions;
  RETURN NULL;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER {name} AFTER {event.upper()} ON {TABLE}
  REFERENCING {TRANSITIONS[event]} FOR EACH STATEMENT EXECUTE FUNCTION {name}();
""")
    return "\n".join(sql)


FILL_COUNTS = f"""
INSERT INTO jurisdictions_themejurisdictioncount (theme_id, jurisdiction_id, commitments)
  SELECT t.theme_id, c.jurisdiction_id, COUNT(*)
  FROM {TABLE} c, unnest(c.theme_ids) AS t(theme_id) WHERE c.{PUBLISHED}
  GROUP BY 1, 2;
INSERT INTO jurisdictions_themeactioncount (theme_id, commitments, jurisdictions)
  SELECT theme_id, SUM(commitments), COUNT(*) FROM jurisdictions_themejurisdictioncount
  GROUP BY theme_id;
"""

# Serves on_themes(): the theme page, the theme feed, digests, the commitment filter.
INDEX = f"CREATE INDEX jurisdictions_com_theme_ids ON {TABLE} USING gin (theme_ids);"

BACKWARD = f"""
DROP TRIGGER IF EXISTS jurisdictions_theme_parent_theme_ids ON recommendations_theme;
DROP FUNCTION IF EXISTS jurisdictions_theme_parent_theme_ids();
{
    "".join(
        f"DROP TRIGGER IF EXISTS jurisdictions_themecount_{e} ON {TABLE};"
        f"DROP FUNCTION IF EXISTS jurisdictions_themecount_{e}();"
        for e in CHANGES
    )
}
{
    "".join(
        f"DROP TRIGGER IF EXISTS {t}_theme_ids_{e} ON {t};"
        f"DROP FUNCTION IF EXISTS {t}_theme_ids_{e}();"
        for t in SOURCES
        for e in TRANSITIONS
    )
}
DROP FUNCTION IF EXISTS jurisdictions_sync_theme_ids(bigint[]);
DROP FUNCTION IF EXISTS jurisdictions_stale_theme_ids();
ALTER TABLE {TABLE} DROP COLUMN theme_ids;
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(COLUMN)
    schema_editor.execute(SYNC_FUNCTION)
    schema_editor.execute(STALE_FUNCTION)
    schema_editor.execute(source_triggers())
    schema_editor.execute(PARENT_TRIGGER)
    # Arrays and counts are filled in one pass each before the count triggers exist, or
    # the fill's own UPDATE would be counted twice.
    schema_editor.execute(sync(f"(SELECT id FROM {TABLE}) AS i") + ";")
    schema_editor.execute(FILL_COUNTS)
    schema_editor.execute(count_triggers())
    schema_editor.execute(INDEX)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("jurisdictions", "0008_chaos_invitation_token_hash")]

    operations = [
        migrations.CreateModel(
            name="ThemeActionCount",
            fields=[
                (
                    "theme",
                    models.OneToOneField(
                        db_constraint=False,
                        on_delete=models.DO_NOTHING,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="recommendations.theme",
                    ),
                ),
                ("commitments", models.IntegerField(default=0)),
                ("jurisdictions", models.IntegerField(default=0)),
            ],
        ),
        migrations.CreateModel(
            name="ThemeJurisdictionCount",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("commitments", models.IntegerField(default=0)),
                (
                    "jurisdiction",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=models.DO_NOTHING,
                        related_name="+",
                        to="jurisdictions.jurisdiction",
                    ),
                ),
                (
                    "theme",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=models.DO_NOTHING,
                        related_name="+",
                        to="recommendations.theme",
                    ),
                ),
            ],
            options={
                "indexes": [
                    models.Index(
                        fields=["theme", "-commitments"], name="jurisdictions_themejur_top"
                    )
                ],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("theme", "jurisdiction"), name="jurisdictions_themejur_key"
                    )
                ],
            },
        ),
        migrations.AddIndex(
            model_name="commitment",
            index=models.Index(
                condition=models.Q(("publication", "published")),
                fields=["-published_at", "-id"],
                name="jurisdictions_com_latest",
            ),
        ),
        migrations.RunPython(forward, backward),
    ]
