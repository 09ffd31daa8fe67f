"""The bitmap index of facet values: how every facet count of the site is made.

For each facet value (a review, a response, a theme id, a regional group ...) the index
holds the ids of the recommendations that carry it, as a compressed bitmap (pyroaring).
The rows a filter state keeps are the intersection of its filters' bitmaps; a value's
count is the size of its bitmap intersected with every filter but its facet's own. That
costs a microsecond or two per value however many rows match, where counting in SQL reads
every matching row. Measured against the SQL counts at 300,000 recommendations (README,
"How the facets are counted"), it is the one way counts are made.

The index is exact: a trigger (schema.py) stamps FacetVersion anew whenever a statement
changes a column the facets read. current() returns the index at the current stamp: the
one this process holds, else the one stored in FacetIndex, else it builds one (in one
statement, so one snapshot, under a lock so that processes build it once between them)
and stores it. A build takes milliseconds for the United States' reviews and a few
seconds at 300,000 rows; imports and the status refresh queue the build task when they
finish, so that a visitor rarely waits for it.
"""

import heapq
import json
import logging
import struct
import time
from collections import Counter
from itertools import chain

from celery import shared_task
from django.db import connection
from django.utils import timezone
from pyroaring import BitMap

from .jobs import Skipped, advisory_lock, track_run
from .models import FacetIndex, Recommendation

logger = logging.getLogger(__name__)

TABLE = "recommendations_recommendation"
# Facets over an ArrayField of Recommendation: filter name -> column. Other apps add
# theirs (RecommendationFilter.register_filter).
ARRAYS = {
    "theme": "theme_ids",
    "group": "group_ids",
    "country": "country_ids",
    "region": "regions",
    "sdg": "sdg_codes",
}
# Facets over one column of the row or of its review (r is the recommendation, v its
# review, s the state under review).
SCALAR = {
    "review": "r.review_id::text",
    "cycle": "v.cycle::text",
    "under_review": "s.iso3",
    "response": "r.response",
    "action": "COALESCE(r.action_category::text, '')",
    "local_action": "r.local_status",
}
FROM = (
    f"{TABLE} r JOIN recommendations_review v ON v.id = r.review_id "
    "JOIN recommendations_country s ON s.id = v.state_under_review_id"
)
# A facet with more values than this keeps, for each row, the values it carries.
MANY_VALUES = 1000
# Waits this long for another process's build before building its own.
BUILD_LOCK_SECONDS = 120


class Index:
    """{facet: {value: bitmap}} per facet, and the stamp it was built at."""

    def __init__(self, version: int, bitmaps: dict[str, dict[str, BitMap]]):
        self.version = version
        self.bitmaps = bitmaps
        self.everything = BitMap.union(BitMap(), *bitmaps.get("response", {}).values())
        # Values by size, largest first: the busiest-values facets stop early (busiest()).
        self.by_size = {
            facet: sorted(values.items(), key=lambda item: -len(item[1]))
            for facet, values in bitmaps.items()
        }
        self._members: dict[str, tuple[BitMap, dict[int, list[str]]]] = {}
        # Facets of many values (the jurisdictions acting) are the ones whose busiest values
        # a search counts row by row: their map is made with the index, not on a visit.
        for facet, values in bitmaps.items():
            if len(values) > MANY_VALUES:
                self._rows_to_values(facet)

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
        """The `top` values with the most rows of `within`, ties to the lower id. A value
        cannot count more than its own rows, so the walk down the sizes stops once they
        fall below the last kept count (a facet of 15,000 jurisdictions reads a few
        hundred)."""
        by_size = self.by_size.get(facet, [])
        if within is not None:
            carrying, members = self._rows_to_values(facet)
            carrying = within & carrying
            # Few rows (a search): counting their values beats a walk of every value.
            if len(carrying) < 2 * len(by_size):
                found = Counter(chain.from_iterable(map(members.__getitem__, carrying)))
                if len(found) > top:
                    # Only values counting at least the top-th count can be kept: rank
                    # those, not the thousands of values a search touches once or twice.
                    floor = heapq.nlargest(top, found.values())[-1]
                    found = {value: n for value, n in found.items() if n >= floor}
                ranked = sorted(found.items(), key=lambda item: (-item[1], int(item[0])))
                return dict(ranked[:top])
        kept = []  # min-heap of (count, -id, value): the weakest kept value on top
        for value, rows in by_size:
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

    def _rows_to_values(self, facet: str) -> tuple[BitMap, dict[int, list[str]]]:
        """The rows carrying any value of `facet`, and each one's values (built once per
        facet, on first use)."""
        if facet not in self._members:
            members: dict[int, list[str]] = {}
            for value, rows in self.bitmaps.get(facet, {}).items():
                for row in rows:
                    members.setdefault(row, []).append(value)
            self._members[facet] = (BitMap(members), members)
        return self._members[facet]


def dump(bitmaps: dict[str, dict[str, BitMap]]) -> bytes:
    """The stored layout: a 4-byte length, a JSON list of [facet, value, size] entries,
    then each bitmap's own serialisation in that order. Nothing in it is executable."""
    entries, blobs = [], []
    for facet, values in bitmaps.items():
        for value, rows in values.items():
            blob = rows.serialize()
            entries.append([facet, value, len(blob)])
            blobs.append(blob)
    header = json.dumps(entries).encode()
    return struct.pack(">I", len(header)) + header + b"".join(blobs)


def load(data: bytes) -> dict[str, dict[str, BitMap]]:
    (length,) = struct.unpack_from(">I", data)
    offset = 4 + length
    bitmaps: dict[str, dict[str, BitMap]] = {}
    for facet, value, size in json.loads(data[4:offset]):
        bitmaps.setdefault(facet, {})[value] = BitMap.deserialize(data[offset : offset + size])
        offset += size
    return bitmaps


def filter_rows(index: Index, data: dict) -> dict:
    """{filter name: the rows it keeps} for the active filters in a form's cleaned data."""
    chosen = {}
    for name, value in data.items():
        if not value or name in ("q", "sort"):
            continue
        if name == "under_review":
            if value != "all":
                chosen[name] = index.rows(name, [value])
        elif name == "local_action":
            # "any" is every status but "none"; other values are statuses.
            if value == "any":
                chosen[name] = index.everything - index.rows(name, ["none"])
            else:
                chosen[name] = index.rows(name, [value])
        elif name in SCALAR or name in ARRAYS:
            chosen[name] = index.rows(name, [getattr(v, "pk", v) for v in value])
    return chosen


def search_rows(q: str) -> BitMap:
    # No order: the model's default (by review) would join two tables to sort the ids.
    return BitMap(Recommendation.objects.matching(q).order_by().values_list("id", flat=True))


# The index this process holds, reused while its stamp is current.
_held: Index | None = None


def stamp() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT n FROM recommendations_facetversion WHERE id = 1")
        row = cursor.fetchone()
    return row[0] if row else 0


def current() -> Index:
    """The index at the current stamp: one query when this process holds it, one more to
    load a stored one, a build otherwise."""
    global _held
    version = stamp()
    if _held is not None and _held.version == version:
        return _held
    if (stored := _stored(version)) is not None:
        return stored
    with advisory_lock("facet-index", wait_seconds=BUILD_LOCK_SECONDS):
        # Another process may have built it while this one waited.
        if (stored := _stored(stamp())) is not None:
            return stored
        build()
    return _held


def _stored(version: int) -> Index | None:
    global _held
    data = FacetIndex.objects.filter(version=version).values_list("data", flat=True).first()
    if data is None:
        return None
    _held = Index(version, load(bytes(data)))
    return _held


@shared_task(name="recommendations.facet_index.build", soft_time_limit=600, time_limit=660)
def build_task():
    """Builds the index at the current stamp in the background; one build at a time.
    Defined here rather than in tasks.py, which the list pages never import."""
    with track_run("recommendations.facet_index.build") as run:
        with advisory_lock("facet-index") as acquired:
            if not acquired:
                raise Skipped("Another run was building the facet index.")
            run.counts = build()
    return run.counts


def build() -> dict:
    """Builds and stores the index at the current stamp, and drops older ones. One
    statement reads the stamp and every facet value's ids, so they share one snapshot
    whatever the transaction's isolation."""
    global _held
    start = time.perf_counter()
    selects = [
        f"SELECT '{facet}', {expression}, array_agg(r.id) FROM {FROM} GROUP BY 2"
        for facet, expression in SCALAR.items()
    ] + [
        f"SELECT '{facet}', x::text, array_agg(id) FROM {TABLE}, unnest({column}) AS x GROUP BY 2"
        for facet, column in sorted(ARRAYS.items())
    ]
    bitmaps = {facet: {} for facet in [*SCALAR, *ARRAYS]}
    sql = (
        "SELECT (SELECT n FROM recommendations_facetversion WHERE id = 1), f.* FROM ("
        + " UNION ALL ".join(f"({select})" for select in selects)
        + ") AS f"
    )
    version = None
    with connection.cursor() as cursor:
        cursor.execute(sql)
        for stamped, facet, value, ids in cursor.fetchall():
            version = stamped
            bitmaps[facet]["" if value is None else value] = BitMap(ids)
    if version is None:  # no recommendation at all
        version = stamp()
    version = version or 0
    data = dump(bitmaps)
    seconds = time.perf_counter() - start
    FacetIndex.objects.bulk_create(
        [FacetIndex(version=version, built_at=timezone.now(), build_seconds=seconds, data=data)],
        ignore_conflicts=True,
    )
    FacetIndex.objects.filter(version__lt=version).delete()
    _held = Index(version, bitmaps)
    logger.info("Facet index %s built in %.1f s (%d bytes)", version, seconds, len(data))
    return {"version": version, "bytes": len(data), "seconds": round(seconds, 2)}


def forget_held() -> None:
    """Drop this process's copy (tests)."""
    global _held
    _held = None
