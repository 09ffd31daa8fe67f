"""The local-action filter of /recommendations/: "Acted on by" a jurisdiction, and its
facet, the jurisdictions with the most published commitments answering the matches."""

import django_filters
from django.db.models import BooleanField, Count
from django.db.models.expressions import RawSQL

from recommendations.filters import RecommendationFilter, on_postgres

from .models import CommitmentLink, Jurisdiction, Publication

# Jurisdictions acting number hundreds or thousands: the facet shows the busiest.
FACET_SIZE = 25
# On PostgreSQL the status refresh keeps, on each recommendation, the ids of the
# jurisdictions acting on it (see local_status.py): filter and facet read that array.
ARRAY_COLUMN = "acting_jurisdiction_ids"


def filter_jurisdiction(queryset, name, value):
    if not value:
        return queryset
    if on_postgres():
        condition = f"recommendations_recommendation.{ARRAY_COLUMN} && %s::integer[]"
        ids = sorted(j.pk for j in value)
        return queryset.filter(RawSQL(condition, [ids], output_field=BooleanField()))
    links = CommitmentLink.objects.filter(
        commitment__publication=Publication.PUBLISHED, commitment__jurisdiction__in=value
    ).values("recommendation_id")
    return queryset.filter(id__in=links)


def _busiest(rec_ids, counts):
    """(slug, name, count) of the jurisdictions acting on the most matches."""
    if counts is not None:
        # PostgreSQL: counts by jurisdiction id, computed with the other facets.
        names = Jurisdiction.objects.filter(pk__in=[int(pk) for pk in counts]).values_list(
            "pk", "slug", "name"
        )
        rows = [(slug, name, counts[str(pk)]) for pk, slug, name in names]
        return sorted(rows, key=lambda row: (-row[2], row[1]))[:FACET_SIZE]
    rows = (
        CommitmentLink.objects.filter(
            commitment__publication=Publication.PUBLISHED, recommendation__in=rec_ids
        )
        .values("commitment__jurisdiction__slug", "commitment__jurisdiction__name")
        .annotate(n=Count("recommendation_id", distinct=True))
        .order_by("-n", "commitment__jurisdiction__name")[:FACET_SIZE]
    )
    return [
        (row["commitment__jurisdiction__slug"], row["commitment__jurisdiction__name"], row["n"])
        for row in rows
    ]


def jurisdiction_facet(filterset, rec_ids, chosen, counts=None):
    rows = _busiest(rec_ids, counts)
    options = [(slug, name) for slug, name, _ in rows]
    shown = {slug for slug, _ in options}
    options += [(j.slug, j.name) for j in chosen or [] if j.slug not in shown]
    counts = {slug: n for slug, _, n in rows}
    return "Jurisdiction acting", options, counts, {j.slug for j in chosen or []}


def register():
    RecommendationFilter.register_filter(
        "jurisdiction",
        django_filters.ModelMultipleChoiceFilter(
            distinct=False,
            label="Acted on by",
            queryset=Jurisdiction.objects.all(),
            to_field_name="slug",
            method=filter_jurisdiction,
        ),
        jurisdiction_facet,
        array_column=ARRAY_COLUMN,
    )
