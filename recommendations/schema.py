"""The functions and triggers this app keeps live in PostgreSQL (upr_tracker/dbschema.py
installs them after every migrate, and a test checks the database against them).

- The facet arrays. Each recommendation carries the ids of its themes, recommending
  states and affected groups, its SDG codes (a target's "16.3" and its goal's "16") and
  its recommending states' regional groups, as ArrayFields with GIN indexes, so a filter
  is one index lookup and the facet index reads one column. A statement trigger on each
  link table rewrites the arrays of the recommendations whose links changed; triggers
  rather than save() so that imports, the admin and raw SQL all stay in step. A bulk
  writer defers them for its transaction and rewrites each row once
  (denormalised.deferred_arrays). A regional group corrected on a state follows to its
  recommendations' regions. repair_arrays() (the nightly job) rewrites rows that drifted.
- The facet version: a statement that changes a column the facets count stamps a new
  number from a sequence (never repeated, even after the table is emptied), written in
  the writer's transaction, so the facet index (facet_index.py) knows it is out of date
  exactly when the new rows are visible.
- Search: the `upr_english` text search configuration, English stemming over unaccented
  words, so "Mexico" finds "México", and `upr_spanish`, Spanish stemming over unaccented
  words, for the Spanish texts. Recommendation.search_vector and search_vector_es (and
  the commitments' two) are generated columns over them; models.text_search() reads both.
"""

from upr_tracker.dbschema import Function, SearchConfig, Trigger

PREFIX = "recommendations_"
TABLE = "recommendations_recommendation"

SEARCH_CONFIG = "upr_english"
SPANISH_SEARCH_CONFIG = "upr_spanish"
# Spanish text is indexed and searched through both upr_spanish and the stock Spanish
# configuration: the stemmer reads accents, so unaccenting first keeps "ejecución" apart
# from "ejecuciones", while the stock one, which finds the two alike, keeps "niños" apart
# from a search typed as "ninos". Together a word matches if either way matches.
SPANISH_CONFIGS = (SPANISH_SEARCH_CONFIG, "spanish")
SEARCH_CONFIGS = [
    SearchConfig(SEARCH_CONFIG, "pg_catalog.english", ("unaccent", "english_stem")),
    SearchConfig(SPANISH_SEARCH_CONFIG, "pg_catalog.spanish", ("unaccent", "spanish_stem")),
]
SETUP = [
    "CREATE SEQUENCE IF NOT EXISTS recommendations_facetversion_stamp",
]

# A bulk writer sets this for its transaction, writes its links, then calls
# recommendations_sync_arrays(ids) once.
DEFER = "recommendations.defer_arrays"

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

# Link table -> (short name for its triggers, the arrays it feeds).
LINKS = {
    "recommendations_recommendation_themes": ("themes", ["theme_ids"]),
    "recommendations_recommendation_recommending_countries": (
        "countries",
        ["country_ids", "regions"],
    ),
    "recommendations_recommendation_affected_groups": ("groups", ["group_ids"]),
    "recommendations_recommendation_sdg_targets": ("sdgs", ["sdg_codes"]),
}
TYPES = {"regions": "text[]", "sdg_codes": "text[]"}

# The columns the facet index reads: a change to any other column leaves it valid.
FACET_COLUMNS = [
    "review_id",
    "response",
    "action_category",
    "local_status",
    *VALUES,
    "acting_jurisdiction_ids",
]

_ALL_VALUES = ", ".join(f"{column} = {value}" for column, value in VALUES.items())

FUNCTIONS = [
    Function(
        "recommendations_sync_arrays",
        arguments="ids bigint[]",
        returns="void",
        language="sql",
        body=f"\n  UPDATE {TABLE} AS r SET {_ALL_VALUES}\n  WHERE r.id = ANY(ids);\n",
    ),
    # The rows whose arrays differ from their links (the nightly repair).
    Function(
        "recommendations_stale_arrays",
        returns="bigint[]",
        language="sql",
        body=f"""
  SELECT COALESCE(array_agg(r.id ORDER BY r.id), '{{}}') FROM {TABLE} AS r
  WHERE ({", ".join(VALUES)}) IS DISTINCT FROM
    ({", ".join(f"({v})::{TYPES.get(c, 'integer[]')}" for c, v in VALUES.items())});
""",
    ),
    Function(
        "recommendations_country_regions",
        body=f"""
BEGIN
  UPDATE {TABLE} AS r SET regions = {VALUES["regions"]}
  WHERE r.country_ids && ARRAY(
    SELECT n.id::integer FROM new_rows n JOIN old_rows o ON o.id = n.id
    WHERE o.region IS DISTINCT FROM n.region);
  RETURN NULL;
END
""",
    ),
    Function(
        "recommendations_facetversion_stamp",
        returns="void",
        language="sql",
        body="""
  INSERT INTO recommendations_facetversion (id, n)
  VALUES (1, nextval('recommendations_facetversion_stamp'))
  ON CONFLICT (id) DO UPDATE SET n = EXCLUDED.n;
""",
    ),
    # Stamps whatever the statement changed (truncations, reviews, state codes).
    Function(
        "recommendations_facetversion_touch",
        body="\nBEGIN\n  PERFORM recommendations_facetversion_stamp();\n  RETURN NULL;\nEND\n",
    ),
]
TRIGGERS = [
    # A review moved to another cycle or state, or a state's code corrected: the facets
    # count cycles and states under review through them.
    Trigger(
        "recommendations_facetversion_review",
        "recommendations_review",
        "AFTER UPDATE OF cycle, state_under_review_id",
        "recommendations_facetversion_touch",
    ),
    Trigger(
        "recommendations_facetversion_country",
        "recommendations_country",
        "AFTER UPDATE OF iso3",
        "recommendations_facetversion_touch",
    ),
    Trigger(
        "recommendations_country_regions",
        "recommendations_country",
        "AFTER UPDATE",
        "recommendations_country_regions",
        referencing="OLD TABLE AS old_rows NEW TABLE AS new_rows",
    ),
    Trigger(
        "recommendations_facetversion_truncate",
        TABLE,
        "AFTER TRUNCATE",
        "recommendations_facetversion_touch",
    ),
]

for _link, (_short, _columns) in LINKS.items():
    _sets = ", ".join(f"{column} = {VALUES[column]}" for column in _columns)
    for _event, _rows, _transition in (
        ("INSERT", "new_rows", "NEW TABLE AS new_rows"),
        ("DELETE", "old_rows", "OLD TABLE AS old_rows"),
    ):
        _name = f"recommendations_{_short}_arrays_{_event.lower()}"
        FUNCTIONS.append(
            Function(
                _name,
                body=f"""
BEGIN
  IF current_setting('{DEFER}', true) = 'on' THEN
    RETURN NULL;
  END IF;
  UPDATE {TABLE} AS r SET {_sets}
  WHERE r.id IN (SELECT DISTINCT recommendation_id FROM {_rows});
  RETURN NULL;
END
""",
            )
        )
        TRIGGERS.append(Trigger(_name, _link, f"AFTER {_event}", _name, referencing=_transition))

# The facet version triggers. An update compares old and new rows as a set difference
# rather than a join of the two transition tables, which have no index.
_COLUMNS = ", ".join(["id", *FACET_COLUMNS])
for _event, _transition, _changed in (
    ("insert", "NEW TABLE AS new_rows", "SELECT 1 FROM new_rows"),
    ("delete", "OLD TABLE AS old_rows", "SELECT 1 FROM old_rows"),
    (
        "update",
        "OLD TABLE AS old_rows NEW TABLE AS new_rows",
        f"SELECT {_COLUMNS} FROM new_rows EXCEPT SELECT {_COLUMNS} FROM old_rows",
    ),
):
    _name = f"recommendations_facetversion_{_event}"
    FUNCTIONS.append(
        Function(
            _name,
            body=f"""
BEGIN
  IF EXISTS ({_changed}) THEN
    PERFORM recommendations_facetversion_stamp();
  END IF;
  RETURN NULL;
END
""",
        )
    )
    TRIGGERS.append(
        Trigger(_name, TABLE, f"AFTER {_event.upper()}", _name, referencing=_transition)
    )

# The permanent public identifier (recommendations/public_ids.py states the rules). A row
# inserted without one gets it here, from the public facts it carries; one given (a native
# import copying another database) is kept.
FUNCTIONS.append(
    Function(
        "recommendations_public_id",
        body=f"""
DECLARE
  prefix text;
  candidate text;
  n integer;
BEGIN
  IF NEW.public_id <> '' THEN
    RETURN NEW;
  END IF;
  SELECT c.iso3 || '-' || v.cycle INTO prefix
  FROM recommendations_review v JOIN recommendations_country c ON c.id = v.state_under_review_id
  WHERE v.id = NEW.review_id;
  IF NEW.paragraph <> '' THEN
    candidate := prefix || '-' || regexp_replace(NEW.paragraph, '[^A-Za-z0-9.]+', '_', 'g');
    IF NOT EXISTS (SELECT FROM {TABLE} WHERE public_id = candidate) THEN
      NEW.public_id := candidate;
      RETURN NEW;
    END IF;
  END IF;
  -- No paragraph (a UPR Info row): the next number within its review. The review's
  -- row lock makes two writers to one review take turns.
  LOOP
    UPDATE recommendations_review SET public_numbers = public_numbers + 1
    WHERE id = NEW.review_id RETURNING public_numbers INTO n;
    candidate := prefix || '-n' || n;
    EXIT WHEN NOT EXISTS (SELECT FROM {TABLE} WHERE public_id = candidate);
  END LOOP;
  NEW.public_id := candidate;
  RETURN NEW;
END
""",
    )
)
TRIGGERS.append(
    Trigger(
        "recommendations_public_id",
        TABLE,
        "BEFORE INSERT",
        "recommendations_public_id",
        each="ROW",
    )
)
