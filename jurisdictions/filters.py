"""Filters for /jurisdictions/ and /commitments/."""

import django_filters
import us
from django.db.models import Count

from recommendations.filters import MAX_QUERY_LENGTH, FacetedFilterSet, search_query
from recommendations.models import Theme

from .models import (
    Commitment,
    CommitmentKind,
    CommitmentStatus,
    Jurisdiction,
    JurisdictionKind,
    Network,
    NetworkMembership,
)


def state_choices():
    """USPS codes of the states, DC and the territories, by name."""
    # Some releases of `us` count DC among STATES_AND_TERRITORIES, others do not.
    places = {s.abbr: s.name for s in [*us.states.STATES_AND_TERRITORIES, us.states.DC]}
    return sorted(places.items(), key=lambda pair: pair[1])


class JurisdictionFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label="Name", field_name="name", lookup_expr="icontains", max_length=MAX_QUERY_LENGTH
    )
    kind = django_filters.MultipleChoiceFilter(distinct=False, choices=JurisdictionKind.choices)
    state = django_filters.MultipleChoiceFilter(
        distinct=False, field_name="state_code", label="State", choices=state_choices
    )

    class Meta:
        model = Jurisdiction
        fields = []


class CommitmentFilter(FacetedFilterSet):
    q = django_filters.CharFilter(
        label="Search title and summary", method="filter_q", max_length=MAX_QUERY_LENGTH
    )
    jurisdiction = django_filters.ModelMultipleChoiceFilter(
        distinct=False,
        field_name="jurisdiction__slug",
        queryset=Jurisdiction.objects.all(),
        to_field_name="slug",
    )
    state = django_filters.MultipleChoiceFilter(
        distinct=False, field_name="jurisdiction__state_code", label="State", choices=state_choices
    )
    kind = django_filters.MultipleChoiceFilter(
        distinct=False, label="Kind of instrument", choices=CommitmentKind.choices
    )
    status = django_filters.MultipleChoiceFilter(distinct=False, choices=CommitmentStatus.choices)
    theme = django_filters.ModelMultipleChoiceFilter(
        distinct=False, queryset=Theme.objects.all(), to_field_name="slug", method="filter_theme"
    )
    network = django_filters.ModelMultipleChoiceFilter(
        distinct=False,
        queryset=Network.objects.all(),
        to_field_name="slug",
        method="filter_network",
    )
    year = django_filters.NumberFilter(
        label="Year adopted",
        field_name="adopted_on",
        lookup_expr="year",
        min_value=1900,
        max_value=2100,
    )

    class Meta:
        model = Commitment
        fields = []

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(search_vector=search_query(value))

    def filter_theme(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.on_themes(value)

    def filter_network(self, queryset, name, value):
        if not value:
            return queryset
        members = NetworkMembership.objects.filter(network__in=value).values("jurisdiction_id")
        return queryset.filter(jurisdiction_id__in=members)


def _facet(filterset, name, label, field, choices):
    data = filterset.form.cleaned_data
    selected = set(data.get(name) or [])
    counts = dict(filterset.qs_without(name).values_list(field).annotate(n=Count("id")).order_by())
    return {
        "name": name,
        "label": label,
        "active": bool(selected),
        "options": [
            {
                "value": value,
                "label": text,
                "count": counts.get(value, 0),
                "selected": value in selected,
            }
            for value, text in choices
        ],
    }


def commitment_facets(filterset) -> list[dict]:
    """The /commitments/ facets (and the API's): status and kind, each counted under the
    other active filters."""
    return [
        _facet(filterset, "status", "Status", "status", CommitmentStatus.choices),
        _facet(filterset, "kind", "Kind of instrument", "kind", CommitmentKind.choices),
    ]
