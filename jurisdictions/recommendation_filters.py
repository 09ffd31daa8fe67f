"""The local-action filter of /recommendations/: "Acted on by" a jurisdiction, and its
facet, the jurisdictions with the most published commitments answering the matches."""

import django_filters
from django.db.models import Count

from recommendations.filters import RecommendationFilter

from .models import CommitmentLink, Jurisdiction, Publication

# Jurisdictions acting number hundreds or thousands: the facet shows the busiest.
FACET_SIZE = 25


def filter_jurisdiction(queryset, name, value):
    if not value:
        return queryset
    links = CommitmentLink.objects.filter(
        commitment__publication=Publication.PUBLISHED, commitment__jurisdiction__in=value
    ).values("recommendation_id")
    return queryset.filter(id__in=links)


def jurisdiction_facet(filterset, rec_ids, chosen):
    rows = list(
        CommitmentLink.objects.filter(
            commitment__publication=Publication.PUBLISHED, recommendation__in=rec_ids
        )
        .values("commitment__jurisdiction__slug", "commitment__jurisdiction__name")
        .annotate(n=Count("recommendation_id", distinct=True))
        .order_by("-n", "commitment__jurisdiction__name")[:FACET_SIZE]
    )
    options = [
        (row["commitment__jurisdiction__slug"], row["commitment__jurisdiction__name"])
        for row in rows
    ]
    shown = {slug for slug, _ in options}
    options += [(j.slug, j.name) for j in chosen or [] if j.slug not in shown]
    counts = {row["commitment__jurisdiction__slug"]: row["n"] for row in rows}
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
    )
