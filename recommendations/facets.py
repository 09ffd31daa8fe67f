"""Facet counts: what each filter value would give under every OTHER active filter, read
from the bitmap index (facet_index.py). Every page that shows how many recommendations
carry a value (the list's facets, the home chart, /themes/, theme and country pages)
counts it here, so two pages never disagree."""

from . import facet_index
from .models import HOME_STATE

# The value of the state-under-review filter that means every state (no condition).
EVERY_STATE = "all"
# Facets over an ArrayField (filter name -> column); other apps add theirs.
ARRAYS = facet_index.ARRAYS
# Facets that list only the busiest values (their registered facet asks for them).
TOP = 100


def pks(values) -> list:
    return sorted(getattr(v, "pk", v) for v in values)


def compute(
    data: dict, facets: list[str], top: set[str], groups: dict | None = None
) -> dict[str, dict[str, int]]:
    """{facet: {value: count}} for `facets` under the filters in `data` (a filter form's
    cleaned data); facets in `top` list only their TOP busiest values. A facet in `groups`
    ({facet: {key: values}}) counts, per key, the rows carrying any of its values (a theme
    with its narrower themes counts each recommendation once)."""
    groups = groups or {}
    q = (data.get("q") or "").strip()
    index = facet_index.current()
    chosen = facet_index.filter_rows(index, data)
    if q:
        chosen["q"] = facet_index.search_rows(q)
    within = {}
    counts = {}
    for facet in facets:
        others = tuple(sorted(name for name in chosen if name != facet))
        if others not in within:
            rows = [chosen[name] for name in others]
            within[others] = rows[0].intersection(*rows[1:]) if rows else None
        if facet in groups:
            rows = index.everything if within[others] is None else within[others]
            found = {
                str(key): rows.intersection_cardinality(index.rows(facet, pks(values)))
                for key, values in groups[facet].items()
            }
            counts[facet] = {key: n for key, n in found.items() if n}
        elif facet in top:
            counts[facet] = index.busiest(facet, within[others], TOP)
        else:
            counts[facet] = index.counts(facet, within[others])
    return counts


def counts_of(facet: str, **filters) -> dict[str, int]:
    """{value: count} of one facet under `filters` (cleaned data, e.g. theme=[pk]); over
    the recommendations made to the United States unless `under_review` says otherwise.
    The figures of the home page and of the theme, country and review pages."""
    data = {"under_review": HOME_STATE, **filters}
    return compute(data, [facet], top=set())[facet]


def totals(facet: str, groups: dict, **filters) -> dict:
    """{key: how many recommendations carry any value of groups[key]} under `filters` (as
    counts_of): a theme with its narrower themes counts each recommendation once."""
    data = {"under_review": HOME_STATE, **filters}
    index = facet_index.current()
    rows = list(facet_index.filter_rows(index, data).values())
    within = rows[0].intersection(*rows[1:]) if rows else index.everything
    return {
        key: within.intersection_cardinality(index.rows(facet, pks(values)))
        for key, values in groups.items()
    }


def split_counts(facet: str, by: str, values, **filters) -> dict[str, dict[str, int]]:
    """{v: counts_of(facet, by=[v], **filters)} for each v of `values`, from one read of
    the index (the home chart: themes split by response)."""
    data = {"under_review": HOME_STATE, **filters}
    index = facet_index.current()
    rows = list(facet_index.filter_rows(index, data).values())
    within = rows[0].intersection(*rows[1:]) if rows else index.everything
    return {v: index.counts(facet, within & index.rows(by, [v])) for v in values}
