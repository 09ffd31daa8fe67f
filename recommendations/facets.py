"""Facet counts on PostgreSQL: from the bitmap index (facet_index.py) when it is current,
otherwise in SQL from the denormalised arrays of migration 0008, as follows.

A facet counts the matches under every active filter but its own. When that leaves no
filter and no search, the counts are those over all recommendations, which
recommendations_facetcount keeps (one indexed read). The others are computed together in
one statement: facets that count under the same filters share one scan, which keeps only
the columns they group by (so the large sets that only a scalar facet needs never carry
the arrays). Filters are array overlaps with GIN indexes, so no facet joins a link
table. The state under review (the United States unless chosen otherwise) is a condition
on the review like the cycle; when it keeps most rows, its facets subtract the rows of
the other states from the kept counts.
"""

from django.db import connection

from . import facet_index
from .models import FacetCount, Review

# The value of the state-under-review filter that means every state (no condition).
EVERY_STATE = "all"

TABLE = "recommendations_recommendation"

# Facets over one column of the row; cycle and state under review are read off the review.
SCALAR = {
    "cycle": "review_id",
    "under_review": "review_id",
    "review": "review_id",
    "response": "response",
    "action": "action_category",
    "local_action": "local_status",
}
# Facets over an array column: filter name -> (column, element type). The facet index
# builds from them too, so they live there.
ARRAYS = facet_index.ARRAYS
# Facets that list only the busiest values (their registered facet asks for them).
TOP = 100
# Memory for the facet statement's scans and groupings (the server default is 4 MB).
WORK_MEM = "64MB"


def array_condition(name: str, values) -> tuple[str, list]:
    column, kind = ARRAYS[name]
    return f"{TABLE}.{column} && %s::{kind}[]", [list(values)]


def search_condition(q: str) -> tuple[str, list]:
    return f"{TABLE}.search_vector @@ websearch_to_tsquery('english', %s)", [q]


def pks(values) -> list:
    return sorted(getattr(v, "pk", v) for v in values)


def conditions(data: dict) -> dict[str, tuple[str, list]]:
    """The SQL condition of every active filter, from the form's cleaned data."""
    found = {}
    for name, value in data.items():
        if not value or name in ("q", "sort"):
            continue
        if name == "cycle":
            found[name] = (
                f"{TABLE}.review_id IN (SELECT id FROM recommendations_review "
                "WHERE cycle = ANY(%s))",
                [[int(v) for v in value]],
            )
        elif name == "under_review":
            if value == EVERY_STATE:
                continue
            found[name] = (
                f"{TABLE}.review_id IN (SELECT r.id FROM recommendations_review r JOIN "
                "recommendations_country c ON c.id = r.state_under_review_id WHERE c.iso3 = %s)",
                [value],
            )
        elif name == "review":
            found[name] = (f"{TABLE}.review_id = ANY(%s)", [[int(v) for v in value]])
        elif name == "response":
            found[name] = (f"{TABLE}.response = ANY(%s)", [list(value)])
        elif name == "action":
            found[name] = (f"{TABLE}.action_category = ANY(%s)", [[int(v) for v in value]])
        elif name == "local_action":
            operator = "=" if value == "none" else "<>"
            found[name] = (f"{TABLE}.local_status {operator} 'none'", [])
        elif name in ARRAYS:
            found[name] = array_condition(name, pks(value))
    return found


def _conjunction(conds: dict, names) -> tuple[str, list]:
    """The conditions of `names`, joined with AND (TRUE when there are none)."""
    sql, params = [], []
    for name in sorted(names):
        sql.append(f"({conds[name][0]})")
        params += conds[name][1]
    return (" AND ".join(sql) or "TRUE"), params


def compute(data: dict, facets: list[str], top: set[str]) -> dict[str, dict[str, int]]:
    """{facet: {value: count}} for `facets` under the filters in `data`; facets in `top`
    list only their TOP busiest values. From the facet index when it is current, in SQL
    otherwise."""
    q = (data.get("q") or "").strip()
    reviews = Review.objects.values_list("id", "cycle", "state_under_review__iso3")
    cycle_of = {pk: cycle for pk, cycle, _ in reviews}
    state_of = {pk: iso3 for pk, _, iso3 in reviews}
    index = facet_index.current()
    if index is not None:
        counts = _indexed(index, data, q, facets, top, cycle_of, state_of)
    else:
        counts = _counted(data, q, facets, top, cycle_of, state_of)
    # Cycles and states under review are counted by review, then added up.
    for facet, of in (("cycle", cycle_of), ("under_review", state_of)):
        if facet in counts:
            summed = {}
            for review, n in counts[facet].items():
                key = str(of.get(int(review)))
                summed[key] = summed.get(key, 0) + n
            counts[facet] = summed
    return counts


def _indexed(index, data, q, facets, top, cycle_of, state_of) -> dict[str, dict[str, int]]:
    """The counts from the bitmap index: per facet, the rows every other filter keeps."""
    chosen = facet_index.filter_rows(index, data, cycle_of, state_of)
    if q:
        chosen["q"] = facet_index.search_rows(q)
    within = {}
    counts = {}
    for facet in facets:
        others = tuple(sorted(name for name in chosen if name != facet))
        if others not in within:
            rows = [chosen[name] for name in others]
            within[others] = rows[0].intersection(*rows[1:]) if rows else None
        if facet in top:
            counts[facet] = index.busiest(_stored(facet), within[others], TOP)
        else:
            counts[facet] = index.counts(_stored(facet), within[others])
    return counts


def _counted(data, q, facets, top, cycle_of, state_of) -> dict[str, dict[str, int]]:
    """The counts in SQL: the kept counts where no other filter applies, one statement for
    the rest."""
    conds = conditions(data)
    kept = _read_kept()
    total = sum(kept.get("response", {}).values())
    by_others = {}
    for facet in facets:
        by_others.setdefault(tuple(n for n in sorted(conds) if n != facet), []).append(facet)
    counts = {}
    if not q:
        for facet in by_others.pop((), []):
            counts[facet] = dict(kept.get(_stored(facet), {}))
    # A facet under one broad filter (say "no local action yet", 99% of the rows) counts
    # the rows that filter leaves out, and subtracts them from the kept totals.
    flipped = {
        others
        for others in by_others
        if not q
        and len(others) == 1
        and _estimate(others[0], data, kept, cycle_of, state_of) > total * 0.6
    }
    if by_others:
        found = _count(by_others, conds, q, flipped, top)
        for others, members in by_others.items():
            for facet in members:
                if others in flipped:
                    left_out = found.get(facet, {})
                    whole = kept.get(_stored(facet), {})
                    counts[facet] = {
                        value: n - left_out.get(value, 0)
                        for value, n in whole.items()
                        if n - left_out.get(value, 0) > 0
                    }
                else:
                    counts[facet] = found.get(facet, {})
    for facet in top & set(counts):
        # Busiest first, ties to the lower id: the same values whichever way they were counted.
        busiest = sorted(counts[facet].items(), key=lambda item: (-item[1], int(item[0])))
        counts[facet] = dict(busiest[:TOP])
    return counts


def _stored(facet: str) -> str:
    """The facet's name in FacetCount: cycles and states under review are counted by
    review."""
    return "review" if facet in ("cycle", "under_review") else facet


def _read_kept() -> dict[str, dict[str, int]]:
    kept = {}
    rows = FacetCount.objects.exclude(facet__endswith="_response").filter(n__gt=0)
    for facet, value, n in rows.values_list("facet", "value", "n"):
        kept.setdefault(facet, {})[value] = n
    return kept


def _estimate(name: str, data: dict, kept: dict, cycle_of: dict, state_of: dict) -> int:
    """About how many rows one filter keeps, from the kept counts (an overestimate for
    array filters, whose rows may carry several chosen values)."""
    value = data[name]
    if name == "local_action":
        none = kept.get("local_action", {}).get("none", 0)
        total = sum(kept.get("local_action", {}).values())
        return none if value == "none" else total - none
    if name == "cycle":
        cycles = {int(v) for v in value}
        reviews = kept.get("review", {})
        return sum(n for review, n in reviews.items() if cycle_of.get(int(review)) in cycles)
    if name == "under_review":
        reviews = kept.get("review", {})
        return sum(n for review, n in reviews.items() if state_of.get(int(review)) == value)
    return sum(kept.get(_stored(name), {}).get(str(v), 0) for v in pks(value))


def _count(by_others, conds, q, flipped, top) -> dict[str, dict[str, int]]:
    """One statement: per set of filters some facets count under, one scan that keeps only
    the columns those facets group by, then one grouping per facet. For a set in
    `flipped`, the scan reads the rows its filter leaves out."""
    ctes, legs, params = [], [], []
    for i, (others, members) in enumerate(sorted(by_others.items())):
        where, where_params = _conjunction(conds, others)
        if others in flipped:
            where = f"({where}) IS NOT TRUE"
        if q:
            q_sql, q_params = search_condition(q)
            where, where_params = f"({q_sql}) AND {where}", q_params + where_params
        columns = sorted(
            {SCALAR[f] for f in members if f in SCALAR}
            | {ARRAYS[f][0] for f in members if f in ARRAYS}
        )
        ctes.append(
            f"s{i} AS MATERIALIZED (SELECT {', '.join(columns)} FROM {TABLE} WHERE {where})"
        )
        params += where_params
        for facet in members:
            if facet in SCALAR:
                column = SCALAR[facet]
                legs.append(
                    f"(SELECT '{facet}', {column}::text, COUNT(*) FROM s{i} GROUP BY {column})"
                )
            else:
                column = ARRAYS[facet][0]
                limit = ""
                if facet in top and others not in flipped:
                    limit = f"ORDER BY COUNT(*) DESC, v LIMIT {TOP}"
                legs.append(
                    # Named apart from v, so that ORDER BY v sorts the ids as numbers.
                    f"(SELECT '{facet}', v::text AS value, COUNT(*) "
                    f"FROM s{i}, unnest({column}) AS v GROUP BY v {limit})"
                )
    # The scans are kept in memory rather than spilled to temporary files. SET LOCAL in
    # the same simple query lasts for its implicit transaction (or the enclosing one).
    sql = f"SET LOCAL work_mem = '{WORK_MEM}'; WITH {', '.join(ctes)} {' UNION ALL '.join(legs)}"
    found = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for facet, value, n in cursor.fetchall():
            found.setdefault(facet, {})["" if value is None else value] = n
    return found
