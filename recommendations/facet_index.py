"""A bitmap index of the facet values, for counting /recommendations/ facets on PostgreSQL
without scanning the matching rows.

For each facet value (a review, a response, a theme id, a regional group ...) the index
holds the ids of the recommendations that carry it, as a compressed bitmap. The rows a
filter state keeps are the intersection of its filters' bitmaps; a facet value's count is
the size of that value's bitmap intersected with every filter but the facet's own. That
costs a microsecond or two per value however many rows match, where counting in SQL reads
every matching row (half the table under a broad filter such as one response).

The index is exact or unused. A trigger (migration 0014) stamps FacetVersion anew when a
statement changes a column the facets read; an index is built in one snapshot together
with the stamp it saw, stored in FacetIndex for every process to load, and used only while
that stamp is current. After a write, facets are counted in SQL (facets.py) until a
rebuild lands; the first request to notice asks for one (the build_facet_index task).
Small tables never ask: below MIN_ROWS the SQL counts are as fast.
"""

import heapq
import logging
import pickle
import time

from celery import shared_task
from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone
from pyroaring import BitMap

from .jobs import Skipped, advisory_lock, track_run
from .models import FacetIndex

logger = logging.getLogger(__name__)

# Below this many recommendations no index is asked for (SQL counts take milliseconds).
MIN_ROWS = 20_000
# A rebuild is asked for at most this often while writes keep the index out of date.
BUILD_REQUEST_KEY = "facet-index:build-requested"
BUILD_REQUEST_SECONDS = 60
TABLE = "recommendations_recommendation"
# Facets over an array column: filter name -> (column, element type); other apps add
# theirs (RecommendationFilter.register_filter).
ARRAYS = {
    "theme": ("theme_ids", "integer"),
    "group": ("group_ids", "integer"),
    "country": ("country_ids", "integer"),
    "region": ("regions", "text"),
    "sdg": ("sdg_codes", "text"),
}
# Facets over one column of the row (the scalar facets of facets.py, by stored name).
SCALAR = {
    "review": "review_id::text",
    "response": "response",
    "action": "COALESCE(action_category::text, '')",
    "local_action": "local_status",
}


class Index:
    """{facet: {value: bitmap}} for the stored facet names of facets.py ("review" for
    cycles and states under review), and the stamp it was built at."""

    def __init__(self, version: int, bitmaps: dict[str, dict[str, BitMap]]):
        self.version = version
        self.bitmaps = bitmaps
        self.everything = BitMap.union(BitMap(), *bitmaps.get("review", {}).values())
        # Values by size, largest first: the busiest-values facets stop early (busiest()).
        self.by_size = {
            facet: sorted(values.items(), key=lambda item: -len(item[1]))
            for facet, values in bitmaps.items()
        }

    def rows(self, facet: str, values) -> BitMap:
        found = [self.bitmaps.get(facet, {}).get(str(v)) for v in values]
        return BitMap.union(BitMap(), *(b for b in found if b is not None))

    def counts(self, facet: str, within: BitMap | None) -> dict[str, int]:
        """{value: rows of `within` carrying it} (None: every row)."""
        found = {}
        for value, rows in self.bitmaps.get(facet, {}).items():
            n = len(rows) if within is None else within.intersection_cardinality(rows)
            if n:
                found[value] = n
        return found

    def busiest(self, facet: str, within: BitMap | None, top: int) -> dict[str, int]:
        """The `top` values with the most rows of `within`, ties to the lower id, as SQL
        orders them (facets.py). A value cannot count more than its own rows, so the walk
        down the sizes stops once they fall below the last kept count (a facet of 15,000
        jurisdictions reads a few hundred)."""
        kept = []  # min-heap of (count, -id, value): the weakest kept value on top
        for value, rows in self.by_size.get(facet, []):
            if len(kept) == top and len(rows) < kept[0][0]:
                break
            n = len(rows) if within is None else within.intersection_cardinality(rows)
            if not n:
                continue
            entry = (n, -int(value), value)
            if len(kept) < top:
                heapq.heappush(kept, entry)
            elif entry > kept[0]:
                heapq.heapreplace(kept, entry)
        return {value: n for n, _, value in sorted(kept, reverse=True)}


def filter_rows(index: Index, data: dict, cycle_of: dict, state_of: dict) -> dict:
    """{filter name: the rows it keeps} for the active filters in the form's cleaned data,
    as facets.conditions() reads them."""
    chosen = {}
    for name, value in data.items():
        if not value or name in ("q", "sort"):
            continue
        if name == "cycle":
            cycles = {int(v) for v in value}
            chosen[name] = index.rows("review", [pk for pk, c in cycle_of.items() if c in cycles])
        elif name == "under_review":
            if value == "all":
                continue
            chosen[name] = index.rows("review", [pk for pk, s in state_of.items() if s == value])
        elif name == "review":
            chosen[name] = index.rows("review", [int(v) for v in value])
        elif name == "response":
            chosen[name] = index.rows("response", value)
        elif name == "action":
            chosen[name] = index.rows("action", [int(v) for v in value])
        elif name == "local_action":
            none = index.rows("local_action", ["none"])
            chosen[name] = none if value == "none" else index.everything - none
        elif name in ARRAYS:
            chosen[name] = index.rows(name, [getattr(v, "pk", v) for v in value])
    return chosen


def search_rows(q: str) -> BitMap:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id FROM {TABLE} WHERE search_vector @@ websearch_to_tsquery('english', %s)",
            [q],
        )
        return BitMap(row[0] for row in cursor.fetchall())


# The index this process holds, reused while its stamp is current.
_held: Index | None = None


def current() -> Index | None:
    """The index at the current stamp, or None (then count in SQL). One query when the
    held index is current; one more to load a stored one."""
    global _held
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT n FROM recommendations_facetversion WHERE id = 1), "
            f"(SELECT reltuples FROM pg_class WHERE oid = '{TABLE}'::regclass)"
        )
        version, rows = cursor.fetchone()
    version = version or 0
    if _held is not None and _held.version == version:
        return _held
    stored = FacetIndex.objects.filter(version=version).values_list("data", flat=True).first()
    if stored is not None:
        _held = Index(version, pickle.loads(bytes(stored)))
        return _held
    if rows >= MIN_ROWS:
        request_build()
    return None


def request_build() -> None:
    if cache.add(BUILD_REQUEST_KEY, 1, BUILD_REQUEST_SECONDS):
        transaction.on_commit(build_task.delay)


@shared_task(name="recommendations.facet_index.build", soft_time_limit=600, time_limit=660)
def build_task():
    """Rebuilds the index at the current stamp; one build at a time. Defined here rather
    than in tasks.py, which the list pages (the ones asking) never import."""
    with track_run("recommendations.facet_index.build") as run:
        with advisory_lock("facet-index", timeout=660) as acquired:
            if not acquired:
                raise Skipped("Another run was building the facet index.")
            run.counts = build()
    return run.counts


def build() -> dict:
    """Builds and stores the index at the current stamp, in one snapshot, and drops older
    ones."""
    global _held
    start = time.perf_counter()
    selects = [
        f"SELECT '{facet}', {expression}, array_agg(id) FROM {TABLE} GROUP BY 2"
        for facet, expression in SCALAR.items()
    ] + [
        f"SELECT '{facet}', v::text, array_agg(id) FROM {TABLE}, unnest({column}) AS v GROUP BY 2"
        for facet, (column, _) in sorted(ARRAYS.items())
    ]
    bitmaps = {facet: {} for facet in [*SCALAR, *ARRAYS]}
    outermost = not connection.in_atomic_block
    with transaction.atomic(), connection.cursor() as cursor:
        if outermost:
            # The stamp and the rows it stands for are read in one snapshot.
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        cursor.execute("SELECT n FROM recommendations_facetversion WHERE id = 1")
        row = cursor.fetchone()
        version = row[0] if row else 0
        for select in selects:
            cursor.execute(select)
            for facet, value, ids in cursor.fetchall():
                bitmaps[facet]["" if value is None else value] = BitMap(ids)
    data = pickle.dumps(bitmaps, protocol=pickle.HIGHEST_PROTOCOL)
    seconds = time.perf_counter() - start
    FacetIndex.objects.bulk_create(
        [FacetIndex(version=version, built_at=timezone.now(), build_seconds=seconds, data=data)],
        ignore_conflicts=True,
    )
    FacetIndex.objects.filter(version__lt=version).delete()
    _held = Index(version, bitmaps)
    cache.delete(BUILD_REQUEST_KEY)
    logger.info("Facet index %s built in %.1f s (%d bytes)", version, seconds, len(data))
    return {"version": version, "bytes": len(data), "seconds": round(seconds, 2)}


def forget_held() -> None:
    """Drop this process's copy (tests)."""
    global _held
    _held = None
