"""Streamed CSV and JSON exports of the public lists.

Rows are read one primary-key range per query (in_pk_order), so only one range (and its
prefetched related rows) is in memory at a time, and written to the response as they
come: memory stays flat however many rows match."""

import csv
import io
import itertools
import json
import logging
from collections.abc import Callable, Iterable, Iterator
from operator import attrgetter, itemgetter

from django.contrib.postgres.expressions import ArraySubquery
from django.db import DatabaseError
from django.db.models import OuterRef, Value
from django.db.models.functions import Concat
from django.http import Http404, StreamingHttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from . import native
from .absolute_urls import base_url
from .citations import compose, review_label
from .csv_cells import neutralise_row
from .models import AffectedGroup, Country, Position, Recommendation, Review, Theme

logger = logging.getLogger(__name__)

# Rows per query of an export (in_pk_order): a small first range, then larger ones.
FIRST_RANGE, RANGE = 500, 10_000
FORMATS = {"csv", "json"}


class _Line:
    """A file-like object whose write() hands back what it was given, for csv.writer."""

    def write(self, value):
        return value


def _csv_lines(fields: list[str], rows: Iterable[dict]) -> Iterator[str]:
    writer = csv.writer(_Line())
    yield writer.writerow(fields)
    # Join a few hundred lines per chunk: fewer, larger writes to the socket.
    buffer = []
    for row in rows:
        buffer.append(writer.writerow(neutralise_row(row[field] for field in fields)))
        if len(buffer) >= 500:
            yield "".join(buffer)
            buffer = []
    if buffer:
        yield "".join(buffer)


def _json_lines(rows: Iterable[dict]) -> Iterator[str]:
    yield "[\n"
    separator = ""
    buffer = []
    for row in rows:
        buffer.append(separator + json.dumps(row, ensure_ascii=False, default=str))
        separator = ",\n"
        if len(buffer) >= 500:
            yield "".join(buffer)
            buffer = []
    yield "".join(buffer) + "\n]\n"


def stream(queryset, to_row: Callable, fields: list[str], fmt: str, name: str):
    if fmt not in FORMATS:
        raise Http404(_("Unknown export format."))
    rows = (to_row(obj) for obj in in_pk_order(queryset))
    return _respond(rows, fields, fmt, name)


def _started(rows: Iterable) -> Iterator:
    """`rows` with its first row already read, so the query runs before the answer's
    status is sent: a database that is down gives a 503 page (upr_tracker.errors), not a
    200 followed by nothing."""
    rows = iter(rows)
    try:
        first = next(rows)
    except StopIteration:
        return iter(())
    return itertools.chain([first], rows)


def _cut_off_loudly(lines: Iterator[str], fmt: str) -> Iterator[str]:
    """Passes `lines` on; if the database fails part-way, ends a CSV file with a line
    saying it is incomplete (a JSON file is already invalid without its closing bracket)
    and raises again, so the server aborts the response instead of ending it cleanly and
    the client reports a failed download."""
    try:
        yield from lines
    except DatabaseError:
        logger.exception("An export was cut off by a database error")
        if fmt == "csv":
            yield f"\n{INCOMPLETE}\n"
        raise


INCOMPLETE = "# INCOMPLETE EXPORT: the database stopped answering part-way. Download it again."


def _respond(rows: Iterable[dict], fields: list[str], fmt: str, name: str):
    rows = _started(rows)
    if fmt == "csv":
        response = StreamingHttpResponse(
            _cut_off_loudly(_csv_lines(fields, rows), fmt), content_type="text/csv; charset=utf-8"
        )
    else:
        response = StreamingHttpResponse(
            _cut_off_loudly(_json_lines(rows), fmt),
            content_type="application/json; charset=utf-8",
        )
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


def recommendations(queryset, fmt: str, base: str | None = None, name: str = "recommendations"):
    """Expects a queryset from Recommendation.objects.for_export(); `base` starts the URLs;
    `name` names the file (listing.export_filename)."""
    base = base or base_url()
    if fmt not in FORMATS:
        raise Http404(_("Unknown export format."))
    if fmt == "csv":
        values = _started(_postgres_recommendation_values(queryset, base))
        response = StreamingHttpResponse(
            _cut_off_loudly(_csv_value_lines(native.FIELDS, values), fmt),
            content_type="text/csv; charset=utf-8",
        )
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return response
    return _respond(recommendation_rows(queryset, base), native.FIELDS, fmt, name)


def _csv_value_lines(fields: list[str], rows: Iterable[tuple]) -> Iterator[str]:
    """Like _csv_lines for rows that are already tuples in the order of `fields`, written
    a batch at a time."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(fields)
    yield buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    batch = []
    for row in rows:
        batch.append(neutralise_row(row))
        if len(batch) >= 500:
            writer.writerows(batch)
            batch = []
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    writer.writerows(batch)
    yield buffer.getvalue()


def recommendation_rows(queryset, base: str | None = None) -> Iterator[dict]:
    """native.row() for every recommendation of the queryset, in chunks, memory flat."""
    fields = native.FIELDS
    return (
        dict(zip(fields, values, strict=True))
        for values in _postgres_recommendation_values(queryset, base)
    )


# The columns _postgres_recommendation_values() reads, in the order it unpacks them.
_EXPORT_COLUMNS = [
    "id",
    "public_id",
    "review_id",
    "paragraph",
    "text",
    "text_es",
    "response",
    "response_note",
    "action_category",
    "uhri_id",
    "upr_info_key",
    "body",
    "local_status",
    "jurisdictions_acting",
]


def in_pk_order(rows, key=attrgetter("pk")) -> Iterator:
    """The rows of a queryset in primary-key order, one range per query: a small first
    one, so the download starts at once, then larger ones. `key` reads a row's primary key
    (a values_list() row: its first column). A server-side cursor (iterator()) outside a
    transaction is declared WITH HOLD, and PostgreSQL then computes every row before
    handing over the first: 1.5 s before the first byte at 300,000 recommendations. Rows
    written during a long export are read as they are when their range comes; new ones,
    with higher keys, are included."""
    rows = rows.order_by("pk")
    last, size = None, FIRST_RANGE
    while True:
        batch = list((rows if last is None else rows.filter(pk__gt=last))[:size])
        yield from batch
        if len(batch) < size:
            return
        last, size = key(batch[-1]), RANGE


def _postgres_recommendation_values(queryset, base: str | None = None) -> Iterator[tuple]:
    """What native.row() gives, as tuples in native.FIELDS order, built straight from one
    values query: model instances (or stand-ins for them) cost more per row than the
    whole database side. test_exports pins the result to native.row() exactly."""
    sep = native.LIST_SEPARATOR
    # Related rows arrive as the facet arrays' ids and map onto the text native.row()
    # writes for each.
    countries = {
        pk: (iso3, name) for pk, iso3, name in Country.objects.values_list("pk", "iso3", "name")
    }
    themes = {
        pk: (v, name) for pk, v, name in Theme.objects.values_list("pk", "vocabulary", "name")
    }
    groups = dict(AffectedGroup.objects.values_list("pk", "name"))
    acting = native.acting_names()
    # Plain strings, in the language of the request (English for the bulk files).
    local_labels = {value: str(label) for value, label in Recommendation.LocalStatus.choices}
    reviews = {
        r.pk: (
            r.state_under_review.iso3,
            r.state_under_review.name,
            r.cycle,
            r.wg_session or "",
            r.report_symbol,
            (
                r.review_date.isoformat() if r.review_date else "",
                r.response_symbol,
                r.response_date.isoformat() if r.response_date else "",
                r.status,
                r.notes,
            ),
            review_label(r),
        )
        for r in Review.objects.select_related("state_under_review")
    }
    # The facet arrays hold the same ids as the link tables; sdg_codes holds goal numbers
    # and target codes, the targets being the codes with a dot.
    arrays = ["country_ids", "theme_ids", "group_ids", "sdg_codes", "acting_jurisdiction_ids"]
    url_root = (base or base_url()) + reverse(
        "recommendations:recommendation-permanent", args=["-"]
    ).removesuffix("-/")
    # Each recommending state's answer as "ISO3:response", gathered per row by the
    # database (most recommendations have none, and the subquery finds that by index).
    answers = ArraySubquery(
        Position.objects.filter(recommendation=OuterRef("pk"))
        .annotate(cell=Concat("country__iso3", Value(":"), "response"))
        .values("cell")
    )
    rows = queryset.annotate(answer_cells=answers).values_list(
        *_EXPORT_COLUMNS, *arrays, "answer_cells"
    )
    for (
        _pk,
        public_id,
        review_id,
        paragraph,
        text,
        text_es,
        response,
        response_note,
        action_category,
        uhri_id,
        upr_info_key,
        body,
        local_status,
        jurisdictions_acting,
        country_ids,
        theme_ids,
        group_ids,
        target_ids,
        acting_ids,
        answer_cells,
    ) in in_pk_order(rows, key=itemgetter(0)):
        state, state_name, cycle, wg_session, report_symbol, review_cells, label = reviews[
            review_id
        ]
        states = native.state_cells(countries[i] for i in country_ids)
        theme_names, vocabularies = native.theme_cells(themes[i] for i in theme_ids)
        yield (
            f"{url_root}{public_id}/",
            public_id,
            state,
            state_name,
            cycle,
            wg_session,
            report_symbol,
            *review_cells,
            paragraph,
            compose(
                symbol=report_symbol,
                paragraph=paragraph,
                review=label,
                recommended_by=[countries[i][1] for i in country_ids],
                public_id=public_id,
            ),
            text,
            text_es,
            *states,
            sep.join(sorted(answer_cells)),
            response,
            response_note,
            action_category or "",
            theme_names,
            vocabularies,
            sep.join(sorted([groups[i] for i in group_ids])),
            sep.join(sorted([code for code in target_ids if "." in code])),
            str(uhri_id) if uhri_id else "",
            upr_info_key,
            body,
            local_status,
            local_labels.get(local_status, local_status),
            jurisdictions_acting,
            sep.join(sorted(acting[i] for i in acting_ids if i in acting)),
        )
