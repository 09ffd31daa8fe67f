"""The /recommendations/ filters, their facet counts and the full-text search, plus the
parameter, pagination and chip helpers every public list shares.

Longer than most modules: the FilterSet, the facet assembly both databases share and the
list helpers change together. The PostgreSQL facet statement is in facets.py."""

import re
from urllib.parse import urlencode

import django_filters
from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import BooleanField, Count, F, Q
from django.db.models.expressions import RawSQL
from django.http import QueryDict
from django.utils.html import escape
from django.utils.safestring import mark_safe

from . import facets as pg_facets
from .models import (
    ActionCategory,
    AffectedGroup,
    Country,
    Recommendation,
    RegionalGroup,
    Response,
    Review,
    SdgGoal,
    Theme,
)

CYCLES = [(str(n), f"Cycle {n}") for n in range(1, 6)]
LOCAL_ACTION = [("any", "Some local action"), ("none", "No local action yet")]
SORTS = [
    ("relevance", "Relevance (with a search)"),
    ("citation", "Citation"),
    ("response", "Response"),
    ("local", "Most local action"),
]
MAX_QUERY_LENGTH = 300

# SearchHeadline marks matches with these control characters; the text is escaped first
# and only then are they turned into <mark>, so recommendation text can never inject HTML.
_START, _STOP = "\x02", "\x03"


def on_postgres() -> bool:
    return connection.vendor == "postgresql"


def search_query(q: str) -> SearchQuery:
    return SearchQuery(q, search_type="websearch", config="english")


def _overlaps(queryset, name, values):
    """PostgreSQL: the recommendations whose denormalised array for `name` shares a value
    with `values` (a GIN index lookup, see facets.py)."""
    sql, params = pg_facets.array_condition(name, pg_facets.pks(values))
    return queryset.filter(RawSQL(sql, params, output_field=BooleanField()))


def _ids_through(model_field: str, **lookups):
    """Recommendation ids from an M2M through table: a semi-join instead of a JOIN that
    would repeat rows (and need DISTINCT) when several values are chosen."""
    through = Recommendation._meta.get_field(model_field).remote_field.through
    return through.objects.filter(**lookups).values("recommendation_id")


class FacetedFilterSet(django_filters.FilterSet):
    """A FilterSet that can also answer "what would match under every filter but these",
    which is what a facet counts."""

    @property
    def query_text(self) -> str:
        self.errors  # noqa: B018 - validates the form so cleaned_data exists
        return (self.form.cleaned_data.get("q") or "").strip()

    def qs_without(self, *names):
        """The queryset under every valid filter except `names`: what a facet counts."""
        self.errors  # noqa: B018 - validates the form so cleaned_data exists
        qs = self.queryset.all()
        for name, value in self.form.cleaned_data.items():
            if name not in names:
                qs = self.filters[name].filter(qs, value)
        return qs


class RecommendationFilter(FacetedFilterSet):
    q = django_filters.CharFilter(
        label="Search the text", method="filter_q", max_length=MAX_QUERY_LENGTH
    )
    cycle = django_filters.MultipleChoiceFilter(
        distinct=False, field_name="review__cycle", choices=CYCLES
    )
    # Plain choices rather than a model field: ids are checked against the list, so a
    # number too big for the database column is a form error, not a database error.
    review = django_filters.MultipleChoiceFilter(
        distinct=False, choices=lambda: review_choices(), method="filter_review"
    )
    response = django_filters.MultipleChoiceFilter(distinct=False, choices=Response.choices)
    theme = django_filters.ModelMultipleChoiceFilter(
        distinct=False, queryset=Theme.objects.all(), to_field_name="slug", method="filter_theme"
    )
    group = django_filters.ModelMultipleChoiceFilter(
        distinct=False,
        label="Affected persons",
        queryset=AffectedGroup.objects.all(),
        to_field_name="slug",
        method="filter_group",
    )
    sdg = django_filters.MultipleChoiceFilter(
        distinct=False, label="SDG", choices=lambda: sdg_choices(), method="filter_sdg"
    )
    country = django_filters.ModelMultipleChoiceFilter(
        distinct=False,
        label="Recommending state",
        queryset=Country.objects.all(),
        to_field_name="iso3",
        method="filter_country",
    )
    region = django_filters.MultipleChoiceFilter(
        distinct=False,
        label="Regional group",
        choices=RegionalGroup.choices,
        method="filter_region",
    )
    action = django_filters.MultipleChoiceFilter(
        distinct=False,
        label="Action category",
        field_name="action_category",
        choices=[(str(v), label) for v, label in ActionCategory.choices],
    )
    local_action = django_filters.ChoiceFilter(
        label="Local action", choices=LOCAL_ACTION, method="filter_local_action"
    )
    sort = django_filters.ChoiceFilter(label="Sort by", choices=SORTS, method="filter_noop")

    class Meta:
        model = Recommendation
        fields = []

    # Filters and facets other apps add (register_filter): the jurisdictions app adds
    # "Acted on by", since this app knows nothing of jurisdictions.
    extra_facets: dict = {}

    @classmethod
    def register_filter(cls, name, filter_, facet, array_column=None):
        """Adds a filter and its facet. `facet(filterset, rec_ids, chosen, counts)` returns
        (label, options, counts, selected values) for the recommendations `rec_ids`; on
        PostgreSQL `counts` holds the busiest values' counts (by primary key), read from
        `array_column`, a denormalised integer array of the recommendations table."""
        cls.base_filters[name] = filter_
        cls.extra_facets[name] = facet
        if array_column:
            pg_facets.ARRAYS[name] = (array_column, "integer")

    # Filters that narrow through a related table; each is one indexed semi-join.

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        if on_postgres():
            return queryset.filter(search_vector=search_query(value))
        return queryset.filter(text__icontains=value)

    def filter_review(self, queryset, name, value):
        return queryset.filter(review_id__in=[int(v) for v in value]) if value else queryset

    def filter_theme(self, queryset, name, value):
        if not value:
            return queryset
        if on_postgres():
            return _overlaps(queryset, "theme", value)
        return queryset.filter(id__in=_ids_through("themes", theme__in=value))

    def filter_group(self, queryset, name, value):
        if not value:
            return queryset
        if on_postgres():
            return _overlaps(queryset, "group", value)
        return queryset.filter(id__in=_ids_through("affected_groups", affectedgroup__in=value))

    def filter_sdg(self, queryset, name, value):
        if not value:
            return queryset
        if on_postgres():
            return _overlaps(queryset, "sdg", value)
        goals = [v for v in value if "." not in v]
        targets = [v for v in value if "." in v]
        lookup = Q(sdgtarget__code__in=targets) | Q(sdgtarget__goal__number__in=goals)
        return queryset.filter(id__in=_ids_through("sdg_targets").filter(lookup))

    def filter_country(self, queryset, name, value):
        if not value:
            return queryset
        if on_postgres():
            return _overlaps(queryset, "country", value)
        return queryset.filter(id__in=_ids_through("recommending_countries", country__in=value))

    def filter_region(self, queryset, name, value):
        if not value:
            return queryset
        if on_postgres():
            return _overlaps(queryset, "region", value)
        return queryset.filter(
            id__in=_ids_through("recommending_countries", country__region__in=value)
        )

    def filter_local_action(self, queryset, name, value):
        if value == "none":
            return queryset.filter(local_status=Recommendation.LocalStatus.NONE)
        if value == "any":
            return queryset.exclude(local_status=Recommendation.LocalStatus.NONE)
        return queryset

    def filter_noop(self, queryset, name, value):
        return queryset

    # Everything a page needs beyond filtering.

    @property
    def sort_key(self) -> str:
        sort = self.form.cleaned_data.get("sort") or ""
        if sort == "relevance" and not self.query_text:
            sort = ""
        return sort or ("relevance" if self.query_text else "citation")

    def sorted_qs(self):
        qs = self.qs
        sort = self.sort_key
        if sort == "relevance" and on_postgres():
            rank = SearchRank(F("search_vector"), search_query(self.query_text))
            return qs.annotate(rank=rank).order_by("-rank", "id")
        if sort == "response":
            return qs.order_by("response", "review_id", "id")
        if sort == "local":
            return qs.order_by("-jurisdictions_acting", "review_id", "id")
        return qs.order_by("review_id", "id")

    def highlight(self, recommendations):
        """Sets .highlighted on each recommendation of the page (one query on PostgreSQL)."""
        q = self.query_text
        for rec in recommendations:
            rec.highlighted = escape(rec.text)
        if not q or not recommendations:
            return
        if on_postgres():
            rows = (
                Recommendation.objects.filter(pk__in=[r.pk for r in recommendations])
                .annotate(
                    headline=SearchHeadline(
                        "text",
                        search_query(q),
                        config="english",
                        start_sel=_START,
                        stop_sel=_STOP,
                        highlight_all=True,
                    )
                )
                .values_list("pk", "headline")
            )
            headlines = dict(rows)
            for rec in recommendations:
                if rec.pk in headlines:
                    rec.highlighted = mark_safe(_marks(escape(headlines[rec.pk])))
        else:
            pattern = re.compile(re.escape(escape(q)), re.IGNORECASE)
            for rec in recommendations:
                rec.highlighted = mark_safe(
                    pattern.sub(lambda m: f"<mark>{m.group(0)}</mark>", escape(rec.text))
                )


def _marks(text: str) -> str:
    return text.replace(_START, "<mark>").replace(_STOP, "</mark>")


def review_choices():
    return [(str(pk), str(pk)) for pk in Review.objects.values_list("pk", flat=True)]


def sdg_choices():
    goals = [(str(g.number), str(g)) for g in SdgGoal.objects.all()]
    targets = [
        (code, code)
        for code in SdgGoal.objects.values_list("targets__code", flat=True)
        if code is not None
    ]
    return goals + targets


FACETS = ["cycle", "response", "action", "local_action", "theme", "group", "sdg", "region"]
FACETS += ["country", "review"]


def facet_counts(filterset: RecommendationFilter) -> list[dict]:
    """Each filter's values with how many results each would give under the OTHER active
    filters. PostgreSQL: one statement for all facets, or the kept counts when no other
    filter applies (facets.py). Elsewhere: one aggregate query per facet."""
    filterset.errors  # noqa: B018 - validates the form so cleaned_data exists
    data = filterset.form.cleaned_data
    selected = {
        "cycle": set(data.get("cycle") or []),
        "response": set(data.get("response") or []),
        "theme": {t.slug for t in data.get("theme") or []},
        "group": {g.slug for g in data.get("group") or []},
        "country": {c.iso3 for c in data.get("country") or []},
        "region": set(data.get("region") or []),
        "action": set(data.get("action") or []),
        "local_action": {data.get("local_action")} - {None, ""},
        "sdg": set(data.get("sdg") or []),
        "review": set(data.get("review") or []),
    }
    extra = list(RecommendationFilter.extra_facets)
    if on_postgres():
        counts = pg_facets.compute(data, FACETS + extra, top=set(extra))
    else:
        counts = _joined_counts(filterset)
        counts.update({name: None for name in extra})

    facets = []

    def add(name, label, options, counts):
        if len(options) > 12:
            # Long lists: chosen values first, then the values with the most results.
            options = sorted(
                options,
                key=lambda o: (o[0] not in selected[name], -counts.get(o[0], 0), o[1]),
            )
        facets.append(
            {
                "name": name,
                "label": label,
                "options": [
                    {
                        "value": value,
                        "label": text,
                        "count": counts.get(value, 0),
                        "selected": value in selected[name],
                    }
                    for value, text in options
                ],
                "active": bool(selected[name]),
            }
        )

    def by_key(name, objects):
        """Counts keyed by primary key (PostgreSQL arrays) re-keyed by slug or code."""
        return {key: counts[name].get(str(pk), 0) for pk, key in objects}

    add("cycle", "Cycle", CYCLES, counts["cycle"])
    add("response", "US response", Response.choices, counts["response"])
    add(
        "action",
        "Action category",
        [(str(v), label) for v, label in ActionCategory.choices],
        counts["action"],
    )
    local = counts["local_action"]
    none = local.get(Recommendation.LocalStatus.NONE, 0)
    add(
        "local_action",
        "Local action",
        LOCAL_ACTION,
        {"none": none, "any": sum(local.values()) - none},
    )

    vocabularies = {"upr_info": "UPR Info", "uhri": "UHRI", "project": "UPR Tracker"}
    theme_rows = list(
        Theme.objects.order_by("name", "vocabulary").values_list("pk", "slug", "name", "vocabulary")
    )
    themes = [
        (slug, f"{name} ({vocabularies.get(vocabulary, vocabulary)})")
        for _, slug, name, vocabulary in theme_rows
    ]
    theme_counts = counts["theme"]
    if on_postgres():
        theme_counts = by_key("theme", [(pk, slug) for pk, slug, _, _ in theme_rows])
    add("theme", "Theme", themes, theme_counts)

    group_rows = list(AffectedGroup.objects.values_list("pk", "slug", "name"))
    group_counts = counts["group"]
    if on_postgres():
        group_counts = by_key("group", [(pk, slug) for pk, slug, _ in group_rows])
    add("group", "Affected persons", [(slug, name) for _, slug, name in group_rows], group_counts)

    goals = [
        (str(n), f"{n}. {title}") for n, title in SdgGoal.objects.values_list("number", "title")
    ]
    chosen_targets = [(v, f"Target {v}") for v in sorted(selected["sdg"]) if "." in v]
    add("sdg", "Sustainable Development Goal", goals + chosen_targets, counts["sdg"])
    add("region", "Recommender's regional group", RegionalGroup.choices, counts["region"])

    country_rows = list(
        Country.objects.filter(kind=Country.Kind.STATE).values_list("pk", "iso3", "name")
    )
    country_counts = counts["country"]
    if on_postgres():
        country_counts = by_key("country", [(pk, iso3) for pk, iso3, _ in country_rows])
    add(
        "country",
        "Recommending state",
        [(iso3, name) for _, iso3, name in country_rows],
        country_counts,
    )

    reviews = [
        (str(r.pk), str(r))
        for r in Review.objects.select_related("state_under_review").order_by("cycle")
    ]
    add("review", "Review", reviews, counts["review"])

    for name, facet in RecommendationFilter.extra_facets.items():
        rec_ids = filterset.qs_without(name).values("id")
        label, options, found, chosen = facet(filterset, rec_ids, data.get(name), counts[name])
        selected[name] = chosen
        add(name, label, options, found)
    return facets


def _joined_counts(filterset) -> dict[str, dict[str, int]]:
    """The facet counts by joins: one aggregate query per facet (SQLite)."""

    def rec_ids(name):
        return filterset.qs_without(name).values("id")

    def counted(rows, key, count="n"):
        return {str(row[key]): row[count] for row in rows}

    def grouped(name, column):
        rows = filterset.qs_without(name).values(column).annotate(n=Count("id")).order_by()
        return counted(rows, column)

    def linked(name, m2m, key, distinct=False):
        through = getattr(Recommendation, m2m).through
        count = Count("recommendation_id", distinct=True) if distinct else Count("id")
        rows = (
            through.objects.filter(recommendation__in=rec_ids(name))
            .values(key)
            .annotate(n=count)
            .order_by()
        )
        return counted(rows, key)

    return {
        "cycle": grouped("cycle", "review__cycle"),
        "response": grouped("response", "response"),
        "action": grouped("action", "action_category"),
        "local_action": grouped("local_action", "local_status"),
        "theme": linked("theme", "themes", "theme__slug"),
        "group": linked("group", "affected_groups", "affectedgroup__slug"),
        "sdg": linked("sdg", "sdg_targets", "sdgtarget__goal__number", distinct=True),
        "region": linked("region", "recommending_countries", "country__region", distinct=True),
        "country": linked("country", "recommending_countries", "country__iso3"),
        "review": grouped("review", "review_id"),
    }


# Helpers shared by the public list pages.

PAGE_SIZE = 25
# Deep pages cost an OFFSET over every row before them; past this depth a page asks the
# visitor to narrow the results (or download them) instead.
MAX_PAGES = 400


class DepthLimitedPaginator(Paginator):
    """Counts every row but lists only the first MAX_PAGES pages."""

    @property
    def num_pages(self):
        return min(super().num_pages, MAX_PAGES)

    @property
    def depth_limited(self) -> bool:
        return super().num_pages > MAX_PAGES


def clean_params(query: QueryDict) -> QueryDict:
    """A copy of the GET parameters without NUL characters, which PostgreSQL refuses in
    any string and would otherwise turn junk input into a server error."""
    cleaned = QueryDict(mutable=True)
    for key, values in query.lists():
        key = key.replace("\x00", "")
        cleaned.setlist(key, [v.replace("\x00", "") for v in values])
    return cleaned


def paginate(queryset, params: QueryDict, per_page: int = PAGE_SIZE, count: int | None = None):
    """A page of results; a malformed or out-of-range page number gives page 1 or the last
    page rather than an error, and a page beyond MAX_PAGES the last listed page with a
    note saying so (page.asked_beyond). Pass `count` when the number of rows is already known, to
    spare the COUNT query."""
    paginator = DepthLimitedPaginator(queryset, per_page)
    if count is not None:
        paginator.count = count
    page = paginator.get_page(params.get("page"))
    page.object_list = list(page.object_list)
    try:
        page.asked_beyond = int(params.get("page", "")) > paginator.num_pages == MAX_PAGES
    except ValueError:
        page.asked_beyond = False
    return page


def without(params: QueryDict, name: str, value: str | None = None) -> str:
    """The query string with one value (or the whole parameter) removed, page reset."""
    remaining = params.copy()
    remaining.pop("page", None)
    if value is None:
        remaining.pop(name, None)
    else:
        remaining.setlist(name, [v for v in remaining.getlist(name) if v != value])
    pairs = [(k, v) for k, values in remaining.lists() for v in values if v != ""]
    return "?" + urlencode(pairs) if pairs else "?"


def chips(params: QueryDict, facets: list[dict], extra: dict[str, str] | None = None):
    """One chip per active filter value, each with the URL that removes just it."""
    result = []
    for name, label in (extra or {}).items():
        value = params.get(name, "").strip()
        if value:
            result.append({"label": f"{label}: {value}", "remove_url": without(params, name)})
    for facet in facets:
        for option in facet["options"]:
            if option["selected"]:
                result.append(
                    {
                        "label": f"{facet['label']}: {option['label']}",
                        "remove_url": without(params, facet["name"], option["value"]),
                    }
                )
    return result
