"""Streamed CSV and JSON exports of the public lists.

Rows are read with iterator(chunk_size=...) so only one chunk (and its prefetched related
rows) is in memory at a time, and written to the response as they come: memory stays flat
however many rows match."""

import csv
import json
from collections.abc import Callable, Iterable, Iterator

from django.contrib.postgres.expressions import ArraySubquery
from django.db import connection
from django.db.models import OuterRef
from django.http import Http404, StreamingHttpResponse
from django.urls import reverse

from . import native
from .models import AffectedGroup, Country, Recommendation, Review, SdgTarget, Theme

CHUNK_SIZE = 2000
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
        buffer.append(writer.writerow([row[field] for field in fields]))
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
        raise Http404("Unknown export format.")
    rows = (to_row(obj) for obj in queryset.iterator(chunk_size=CHUNK_SIZE))
    return _respond(rows, fields, fmt, name)


def _respond(rows: Iterable[dict], fields: list[str], fmt: str, name: str):
    if fmt == "csv":
        response = StreamingHttpResponse(
            _csv_lines(fields, rows), content_type="text/csv; charset=utf-8"
        )
    else:
        response = StreamingHttpResponse(
            _json_lines(rows), content_type="application/json; charset=utf-8"
        )
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


def recommendations(queryset, fmt: str):
    """Expects a queryset from Recommendation.objects.for_export()."""
    if fmt not in FORMATS:
        raise Http404("Unknown export format.")
    return _respond(recommendation_rows(queryset), native.FIELDS, fmt, "recommendations")


class _Related(list):
    """A list that answers .all() like the related manager native.row() reads."""

    def all(self):
        return self


class _ExportRecommendation:
    """What native.row() reads from a recommendation, filled from one row of a values
    query instead of a model instance plus four prefetches: building those per row costs
    about a millisecond, which caps an export at a thousand rows a second."""

    citation = Recommendation.citation

    @property
    def pk(self):
        return self.id

    def get_absolute_url(self):
        return f"{self.url_prefix}{self.pk}/"


def recommendation_rows(queryset) -> Iterator[dict]:
    """native.row() for every recommendation of the queryset, in chunks, memory flat."""
    if connection.vendor != "postgresql":
        return (native.row(rec) for rec in queryset.iterator(chunk_size=CHUNK_SIZE))
    return _postgres_recommendation_rows(queryset)


def _postgres_recommendation_rows(queryset) -> Iterator[dict]:
    # Related rows arrive as id arrays (one correlated subquery each, served by the
    # through tables' indexes) and map onto instances loaded once.
    related = {
        "recommending_countries": ("country_id", {c.pk: c for c in Country.objects.all()}),
        "themes": ("theme_id", {t.pk: t for t in Theme.objects.all()}),
        "affected_groups": (
            "affectedgroup_id",
            {g.pk: g for g in AffectedGroup.objects.all()},
        ),
        "sdg_targets": ("sdgtarget_id", {t.pk: t for t in SdgTarget.objects.all()}),
    }
    reviews = {r.pk: r for r in Review.objects.select_related("state_under_review")}
    arrays = {
        f"{name}_ids": ArraySubquery(
            getattr(Recommendation, name)
            .through.objects.filter(recommendation_id=OuterRef("pk"))
            .values(column)
        )
        for name, (column, _) in related.items()
    }
    fields = [
        f.attname for f in Recommendation._meta.concrete_fields if f.attname != "search_vector"
    ]
    names = fields + list(arrays)
    url_prefix = reverse("recommendations:recommendation-list")
    rows = queryset.annotate(**arrays).values_list(*names).order_by("pk")
    for values in rows.iterator(chunk_size=CHUNK_SIZE):
        rec = _ExportRecommendation()
        rec.__dict__.update(zip(names, values, strict=True))
        rec.url_prefix = url_prefix
        rec.review = reviews[rec.review_id]
        for name, (_, instances) in related.items():
            setattr(rec, name, _Related(instances[i] for i in rec.__dict__[f"{name}_ids"]))
        yield native.row(rec)
