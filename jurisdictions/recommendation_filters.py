"""The local-action filter of /recommendations/: "Acted on by" a jurisdiction, and its
facet, the jurisdictions with the most published commitments answering the matches."""

import django_filters
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from recommendations import native
from recommendations.filters import RecommendationFilter

from .models import Jurisdiction

# Jurisdictions acting number hundreds or thousands: the facet shows the busiest.
FACET_SIZE = 25
# The status refresh keeps, on each recommendation, the ids of the jurisdictions acting on
# it (see local_status.py): the filter and the facet index read that array.
ARRAY_COLUMN = "acting_jurisdiction_ids"


def jurisdiction_facet(filterset, chosen, counts):
    """The busiest jurisdictions acting on the matches, by their counts (id -> n)."""
    names = Jurisdiction.objects.filter(pk__in=[int(pk) for pk in counts]).values_list(
        "pk", "slug", "name"
    )
    rows = sorted(
        ((slug, name, counts[str(pk)]) for pk, slug, name in names),
        key=lambda row: (-row[2], row[1]),
    )[:FACET_SIZE]
    options = [(slug, name) for slug, name, __ in rows]
    shown = {slug for slug, __ in options}
    options += [(j.slug, j.name) for j in chosen or [] if j.slug not in shown]
    found = {slug: n for slug, __, n in rows}
    return _("Acted on by"), options, found, {j.slug for j in chosen or []}


def register():
    RecommendationFilter.register_filter(
        "jurisdiction",
        django_filters.ModelMultipleChoiceFilter(
            distinct=False,
            label=gettext_lazy("Acted on by"),
            queryset=Jurisdiction.objects.all(),
            to_field_name="slug",
            method="filter_array",
        ),
        jurisdiction_facet,
        array_column=ARRAY_COLUMN,
    )


def register_export_names():
    native.register_acting_names(lambda: dict(Jurisdiction.objects.values_list("pk", "name")))
