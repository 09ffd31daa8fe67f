"""Filters for /jurisdictions/ and /commitments/."""

import django_filters
import us
from django.db import connection
from django.db.models import Count, F
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from recommendations.filters import MAX_QUERY_LENGTH, FacetedFilterSet, theme_options
from recommendations.models import Theme, search_rank, text_search

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
        label=gettext_lazy("Name"),
        field_name="name",
        lookup_expr="icontains",
        max_length=MAX_QUERY_LENGTH,
    )
    kind = django_filters.MultipleChoiceFilter(
        distinct=False, label=gettext_lazy("Kind"), choices=JurisdictionKind.choices
    )
    state = django_filters.MultipleChoiceFilter(
        distinct=False, field_name="state_code", label=gettext_lazy("State"), choices=state_choices
    )

    class Meta:
        model = Jurisdiction
        fields = []


COMMITMENT_SORTS = [
    ("relevance", gettext_lazy("Relevance (with a search)")),
    ("newest", gettext_lazy("Newest adopted first")),
    ("oldest", gettext_lazy("Oldest adopted first")),
    ("title", gettext_lazy("Title")),
    ("jurisdiction", gettext_lazy("Jurisdiction")),
]


class CommitmentFilter(FacetedFilterSet):
    q = django_filters.CharFilter(
        label=gettext_lazy("Search title and summary"),
        method="filter_q",
        max_length=MAX_QUERY_LENGTH,
    )
    jurisdiction = django_filters.ModelMultipleChoiceFilter(
        distinct=False,
        field_name="jurisdiction__slug",
        label=gettext_lazy("Jurisdiction slug"),
        queryset=Jurisdiction.objects.all(),
        to_field_name="slug",
    )
    state = django_filters.MultipleChoiceFilter(
        distinct=False,
        field_name="jurisdiction__state_code",
        label=gettext_lazy("State"),
        choices=state_choices,
    )
    kind = django_filters.MultipleChoiceFilter(
        distinct=False, label=gettext_lazy("Kind of instrument"), choices=CommitmentKind.choices
    )
    status = django_filters.MultipleChoiceFilter(
        distinct=False, label=gettext_lazy("Status"), choices=CommitmentStatus.choices
    )
    # Labels named here, not derived by django-filter (recommendations/filters.py says why).
    theme = django_filters.ModelMultipleChoiceFilter(
        distinct=False,
        label=gettext_lazy("Theme"),
        queryset=Theme.objects.all(),
        to_field_name="slug",
        method="filter_theme",
    )
    network = django_filters.ModelMultipleChoiceFilter(
        distinct=False,
        label=gettext_lazy("Network"),
        queryset=Network.objects.all(),
        to_field_name="slug",
        method="filter_network",
    )
    year = django_filters.NumberFilter(
        label=gettext_lazy("Year adopted"),
        field_name="adopted_on",
        lookup_expr="year",
        min_value=1900,
        max_value=2100,
    )
    sort = django_filters.ChoiceFilter(
        label=gettext_lazy("Sort by"), choices=COMMITMENT_SORTS, method="filter_noop"
    )

    class Meta:
        model = Commitment
        fields = []

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(text_search(value))

    def filter_theme(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.on_themes(value)

    def filter_noop(self, queryset, name, value):
        return queryset

    @property
    def sort_key(self) -> str:
        sort = self.form.cleaned_data.get("sort") or ""
        if sort == "relevance" and not self.query_text:
            sort = ""
        return sort or ("relevance" if self.query_text else "newest")

    def sorted_qs(self):
        qs = self.qs
        sort = self.sort_key
        if sort == "relevance":
            return qs.annotate(rank=search_rank(self.query_text)).order_by(
                "-rank", "-adopted_on", "id"
            )
        if sort == "oldest":
            return qs.order_by(F("adopted_on").asc(nulls_last=True), "title", "id")
        if sort == "title":
            return qs.order_by("title", "id")
        if sort == "jurisdiction":
            return qs.order_by("jurisdiction__name", F("adopted_on").desc(nulls_last=True), "id")
        return qs.order_by(F("adopted_on").desc(nulls_last=True), "title", "id")

    def theme_counts(self) -> dict[str, int]:
        """{theme id: published commitments on it under every other filter}, broader
        themes included as on_themes() reads them (each commitment's theme_ids)."""
        ids = self.qs_without("theme").order_by().values("id")
        sql, params = ids.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT t, count(*) FROM jurisdictions_commitment c, unnest(c.theme_ids) t "
                f"WHERE c.id IN ({sql}) GROUP BY t",
                params,
            )
            return {str(t): n for t, n in cursor.fetchall()}

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
                # Choice labels are translated lazily; a facet holds the text, for JSON.
                "label": str(text),
                "count": counts.get(value, 0),
                "selected": value in selected,
            }
            for value, text in choices
        ],
    }


def _theme_facet(filterset):
    """Themes with the published commitments on each (broader themes include their
    narrower ones), grouped by vocabulary as on /recommendations/."""
    counts = filterset.theme_counts()
    ids = dict(Theme.objects.values_list("slug", "pk"))
    selected = {t.slug for t in filterset.form.cleaned_data.get("theme") or []}
    options = [
        {
            "index": index,
            "value": slug,
            "label": label,
            "group": group,
            "chip": chip,
            "count": counts.get(str(ids[slug]), 0),
            "selected": slug in selected,
        }
        for index, (slug, label, group, chip) in enumerate(theme_options(), start=1)
    ]
    # Chosen themes first, then the busiest, within each vocabulary.
    groups = list(dict.fromkeys(o["group"] for o in options))
    options.sort(
        key=lambda o: (groups.index(o["group"]), not o["selected"], -o["count"], o["label"])
    )
    return {
        "name": "theme",
        "label": _("Theme"),
        "active": bool(selected),
        "grouped": len(groups) > 1,
        "options": options,
    }


def _chosen_facet(filterset, name, label, choices):
    """A hidden facet of the values chosen for `name` (choices, or model objects)."""
    chosen = filterset.form.cleaned_data.get(name) or []
    if choices is not None:
        names = dict(choices)
        options = [(value, str(names.get(value, value))) for value in chosen]
    else:
        options = [(obj.slug, str(obj)) for obj in chosen]
    return {
        "name": name,
        "label": label,
        "hidden": True,
        "active": bool(options),
        "options": [
            {"value": value, "label": text, "count": 0, "selected": True} for value, text in options
        ],
    }


def commitment_facets(filterset) -> list[dict]:
    """The /commitments/ facets (and the API's): status, kind and theme, each counted under
    the other active filters, and the filters chosen by a select or a link, listed only so
    their chips can name them."""
    return [
        _facet(filterset, "status", _("Status"), "status", CommitmentStatus.choices),
        _facet(filterset, "kind", _("Kind of instrument"), "kind", CommitmentKind.choices),
        _theme_facet(filterset),
        _chosen_facet(filterset, "state", _("State"), state_choices()),
        _chosen_facet(filterset, "jurisdiction", _("Jurisdiction"), None),
        _chosen_facet(filterset, "network", _("Network"), None),
    ]
