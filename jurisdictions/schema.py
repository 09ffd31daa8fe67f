"""The functions and triggers this app keeps live in PostgreSQL (upr_tracker/dbschema.py
installs them after every migrate, and a test checks the database against them).

A theme's local action (CommitmentQuerySet.on_themes) is the published commitments tagged
with it or a narrower theme, or linked to a recommendation tagged with it or a narrower
theme. Each commitment carries the closure of that as an array, theme_ids: its own themes
and its linked recommendations' themes, each with every broader theme, with a GIN index,
so that "on theme T" is `theme_ids && '{T}'`. It stays out of the model, so that no save()
writes a stale copy back (arrays.py). Statement triggers rather than save() keep it and
the counts current, because bulk imports, the admin, merges, queryset updates and raw SQL
all write these tables:

- on the commitment's theme tags, on its links and on recommendations' theme tags: the
  arrays of the commitments concerned are recomputed (jurisdictions_sync_theme_ids);
- on a theme's parent: the arrays of every commitment on the moved theme;
- on the commitments table: what each statement changed in the published commitments is
  added to the kept counts, per theme (ThemeActionCount: commitments and jurisdictions,
  for /themes/ and the theme page's headings) and per theme and jurisdiction
  (ThemeJurisdictionCount: the theme page's "Who acted", the jurisdiction page's themes).

What needs no trigger is done elsewhere: the search vector is a generated column
(Commitment.search_vector), the local-action status of recommendations a set-based
refresh in Python (local_status.py). The daily commitment job repairs arrays and counts
that drifted (denormalised.py).
"""

from upr_tracker.dbschema import Function, Trigger

PREFIX = "jurisdictions_"
TABLE = "jurisdictions_commitment"

# A bulk writer of commitments (the benchmark generator) sets this for its transaction,
# writes tags and links, then calls jurisdictions_sync_theme_ids(ids) once: each row is
# then rewritten once rather than once per statement (denormalised.deferred_theme_ids).
# Recommendations' tags do not wait: their writers do not know the commitments concerned.
DEFER = "jurisdictions.defer_theme_ids"

# Every theme with itself and each broader theme. UNION, not UNION ALL, so that a cycle
# in the tree (nothing forbids one) ends the recursion instead of looping.
ANCESTORS = """up(theme_id, ancestor_id) AS (
  SELECT id, id FROM recommendations_theme
  UNION
  SELECT up.theme_id, t.parent_id FROM up JOIN recommendations_theme t ON t.id = up.ancestor_id
  WHERE t.parent_id IS NOT NULL
)"""


def closure(ids: str) -> str:
    """CTEs ending in fresh(id, theme_ids): the arrays that the commitments whose ids the
    relation `ids` (one column, id) holds should carry."""
    return f"""WITH RECURSIVE {ANCESTORS},
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

# The counts a clean computation gives from the arrays: (theme, jurisdiction, n) for every
# pair with published commitments. The repair (denormalised.py) compares the kept rows
# with it; a kept row absent from it should hold 0.
FRESH_COUNTS = f"""SELECT t.theme_id::bigint AS theme_id, c.jurisdiction_id,
       COUNT(*)::integer AS commitments
FROM {TABLE} c, unnest(c.theme_ids) AS t(theme_id)
WHERE c.{PUBLISHED}
GROUP BY 1, 2"""

TRANSITIONS = {
    "insert": "NEW TABLE AS new_rows",
    "delete": "OLD TABLE AS old_rows",
    "update": "OLD TABLE AS old_rows NEW TABLE AS new_rows",
}
ROWS = {"insert": ["new_rows"], "delete": ["old_rows"], "update": ["new_rows", "old_rows"]}

# Table whose rows change -> (name for its triggers, the commitments concerned from its
# transition table {rows}).
SOURCES = {
    "jurisdictions_commitment_themes": (
        "jurisdictions_commitment_themes",
        "SELECT commitment_id FROM {rows}",
    ),
    "jurisdictions_commitmentlink": (
        "jurisdictions_commitmentlink",
        "SELECT commitment_id FROM {rows}",
    ),
    "recommendations_recommendation_themes": (
        "jurisdictions_recommendation_themes",
        "SELECT l.commitment_id FROM jurisdictions_commitmentlink l "
        "WHERE l.recommendation_id IN (SELECT recommendation_id FROM {rows})",
    ),
}
DEFERRABLE = {"jurisdictions_commitment_themes", "jurisdictions_commitmentlink"}
# A recommendation retagged while, in another transaction, a commitment is linked to it:
# neither would see the other's rows. Both lock the recommendation first (retagging
# exclusively, linking shared), so the second waits for the first to commit and then,
# in a new statement, reads what it wrote. Recommendations before commitments, in id
# order, in every trigger: no two writers wait on each other.
LOCKS = {
    "recommendations_recommendation_themes": "FOR NO KEY UPDATE",
    "jurisdictions_commitmentlink": "FOR SHARE",
}

FUNCTIONS = [
    # Locks the rows first, then computes: each statement of a volatile function takes a
    # new snapshot, so one that waited for another writer of the same commitment (a tag
    # and a link added at once) sees what it committed, instead of overwriting its array
    # with one computed without it. Writes only rows whose array changes, so the count
    # triggers see only real changes.
    Function(
        "jurisdictions_sync_theme_ids",
        arguments="ids bigint[]",
        returns="void",
        language="sql",
        body=f"""
SELECT 1 FROM {TABLE} WHERE id = ANY(ids) ORDER BY id FOR NO KEY UPDATE;
{closure("unnest(ids) AS i(id)")}
UPDATE {TABLE} AS c SET theme_ids = fresh.theme_ids
FROM fresh WHERE c.id = fresh.id AND c.theme_ids <> fresh.theme_ids;
""",
    ),
    # The commitments whose array is not what their tags and links say: none, unless a
    # writer bypassed the triggers (the deferral left on by mistake, a missing trigger).
    Function(
        "jurisdictions_stale_theme_ids",
        returns="bigint[]",
        language="sql",
        body=f"""
{closure(f"(SELECT id FROM {TABLE}) AS i")}
SELECT ARRAY(SELECT c.id FROM {TABLE} c JOIN fresh ON fresh.id = c.id
             WHERE c.theme_ids <> fresh.theme_ids ORDER BY c.id);
""",
    ),
    # A theme moved under another parent: every commitment on it (so on its narrower
    # themes too) gains the new broader themes and loses the old.
    Function(
        "jurisdictions_theme_parent_theme_ids",
        body=f"""
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
""",
    ),
]
TRIGGERS = [
    Trigger(
        "jurisdictions_theme_parent_theme_ids",
        "recommendations_theme",
        "AFTER UPDATE",
        "jurisdictions_theme_parent_theme_ids",
        referencing=TRANSITIONS["update"],
    ),
]

for _table, (_short, _source) in SOURCES.items():
    for _event, _transition in TRANSITIONS.items():
        _name = f"{_short}_theme_ids_{_event}"
        _affected = " UNION ".join(_source.format(rows=rows) for rows in ROWS[_event])
        _steps = []
        if _table in DEFERRABLE:
            _steps.append(
                f"IF current_setting('{DEFER}', true) = 'on' THEN\n    RETURN NULL;\n  END IF;"
            )
        if _table in LOCKS:
            _recs = " UNION ".join(f"SELECT recommendation_id FROM {r}" for r in ROWS[_event])
            _steps.append(
                "PERFORM 1 FROM recommendations_recommendation "
                f"WHERE id IN ({_recs}) ORDER BY id {LOCKS[_table]};"
            )
        # Ids in order: two writers lock the commitments they rewrite in the same order.
        _steps.append(
            "PERFORM jurisdictions_sync_theme_ids(ARRAY(\n"
            f"    SELECT id FROM ({_affected}) AS a(id) ORDER BY id));"
        )
        _steps.append("RETURN NULL;")
        _body = "\n".join(f"  {step}" for step in _steps)
        FUNCTIONS.append(Function(_name, body=f"\nBEGIN\n{_body}\nEND\n"))
        TRIGGERS.append(
            Trigger(_name, _table, f"AFTER {_event.upper()}", _name, referencing=_transition)
        )

# The count triggers. The per-jurisdiction upsert returns each count after the change;
# before it was that minus the change, so a jurisdiction starts (0 -> n) or stops (n -> 0)
# acting on the theme. Rows in key order, so that two writers lock in one order.
for _event, _changes in CHANGES.items():
    _name = f"jurisdictions_themecount_{_event}"
    FUNCTIONS.append(
        Function(
            _name,
            body=f"""
BEGIN
  WITH delta AS (
    SELECT t.theme_id, c.jurisdiction_id, SUM(c.d)::integer AS d
    FROM ({_changes}) AS c, unnest(c.theme_ids) AS t(theme_id)
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
""",
        )
    )
    TRIGGERS.append(
        Trigger(_name, TABLE, f"AFTER {_event.upper()}", _name, referencing=TRANSITIONS[_event])
    )
