"""The /recommendations/ filters, their facet counts and the full-text search.

Longer than most modules: the FilterSet and the facet assembly both databases share change
together. The PostgreSQL facet statement is in facets.py; the parameter, pagination and
chip helpers every public list shares are in listing.py."""

from collections import Counter

import django_filters
from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.db import connection
from django.db.models import BooleanField, Count, F, Q
from django.db.models.expressions import RawSQL
from django.utils.html import escape
from django.utils.safestring import mark_safe

from . import facets as pg_facets
from . import sqlite_search
from .models import (
    HOME_STATE,
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

# Accepted values; the facet shows only the cycles that hold recommendations, with years.
CYCLES = [(str(n), f"Cycle {n}") for n in range(1, 21)]
EVERY_STATE = pg_facets.EVERY_STATE
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
    # The site follows the United States: without this parameter (or a review), lists show
    # recommendations made to it; "all" shows every state's, as imported.
    under_review = django_filters.ChoiceFilter(
        label="State under review",
        choices=lambda: under_review_choices(),
        method="filter_under_review",
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

    def __init__(self, data=None, *args, **kwargs):
        if data is not None and not data.get("under_review") and not data.get("review"):
            data = data.copy()
            data["under_review"] = HOME_STATE
        super().__init__(data, *args, **kwargs)

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
        return sqlite_search.search(queryset, value)

    def filter_under_review(self, queryset, name, value):
        if not value or value == EVERY_STATE:
            return queryset
        return queryset.filter(review__state_under_review__iso3=value)

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
        if sort == "relevance" and (rank := sqlite_search.rank(self.query_text)) is not None:
            return qs.annotate(rank=rank).order_by("rank", "id")
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
        elif pattern := sqlite_search.highlight_pattern(q):
            for rec in recommendations:
                rec.highlighted = mark_safe(
                    pattern.sub(lambda m: f"<mark>{m.group(0)}</mark>", escape(rec.text))
                )


def _marks(text: str) -> str:
    return text.replace(_START, "<mark>").replace(_STOP, "</mark>")


def review_choices():
    return [(str(pk), str(pk)) for pk in Review.objects.values_list("pk", flat=True)]


def under_review_choices():
    states = Country.objects.filter(reviews__isnull=False).distinct().order_by("name")
    return [(EVERY_STATE, "Every state"), *states.values_list("iso3", "name")]


VOCABULARY_SHORT = {"upr_info": "UPR Info", "uhri": "UHRI", "project": "UPR Tracker"}
VOCABULARY_GROUPS = {
    "upr_info": "UPR Info issues",
    "uhri": "UN Human Rights Index themes",
    "project": "UPR Tracker themes",
}


def theme_options() -> list[tuple[str, str, str, str]]:
    """(slug, label, vocabulary heading, chip label) per theme, grouped by vocabulary. A
    name used by two vocabularies ("Death penalty") carries its vocabulary in the label
    too, so no two options read the same."""
    rows = list(
        Theme.objects.order_by("vocabulary", "name").values_list("slug", "name", "vocabulary")
    )
    uses = Counter(name.casefold() for _, name, _ in rows)
    order = list(VOCABULARY_GROUPS)
    rows.sort(key=lambda r: (order.index(r[2]) if r[2] in order else 99, r[1].casefold()))
    options = []
    for slug, name, vocabulary in rows:
        full = f"{name} ({VOCABULARY_SHORT.get(vocabulary, vocabulary)})"
        label = full if uses[name.casefold()] > 1 else name
        options.append((slug, label, VOCABULARY_GROUPS.get(vocabulary, vocabulary), full))
    return options


def cycle_labels(state: str | None) -> dict[str, str]:
    """ "Cycle 3 (2020)" per cycle, the years read from the reviews in the database (of
    one state under review, or a span over all of them)."""
    reviews = Review.objects.all()
    if state and state != EVERY_STATE:
        reviews = reviews.filter(state_under_review__iso3=state)
    years: dict[int, set[int]] = {}
    # Plain rows, not Review objects: over every state these are a thousand reviews.
    for cycle, reviewed, responded in reviews.values_list("cycle", "review_date", "response_date"):
        years.setdefault(cycle, set())
        day = reviewed or responded  # as Review.year reads it
        if day:
            years[cycle].add(day.year)
    labels = {}
    for cycle, found in years.items():
        if not found:
            labels[str(cycle)] = f"Cycle {cycle}"
            continue
        span = f"{min(found)}" if len(found) == 1 else f"{min(found)}–{max(found)}"
        labels[str(cycle)] = f"Cycle {cycle} ({span})"
    return labels


def sdg_choices():
    goals = [(str(g.number), str(g)) for g in SdgGoal.objects.all()]
    targets = [
        (code, code)
        for code in SdgGoal.objects.values_list("targets__code", flat=True)
        if code is not None
    ]
    return goals + targets


FACETS = ["cycle", "response", "action", "local_action", "theme", "group", "sdg", "region"]
FACETS += ["country", "review", "under_review"]


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
        "under_review": {data.get("under_review")} - {None, ""},
    }
    extra = list(RecommendationFilter.extra_facets)
    if on_postgres():
        counts = pg_facets.compute(data, FACETS + extra, top=set(extra))
    else:
        counts = _joined_counts(filterset)
        counts.update({name: None for name in extra})

    facets = []

    def add(name, label, options, counts, **extra):
        """options: (value, label) or (value, label, group, chip label) tuples."""
        options = [(*o, None, None)[:4] for o in options]
        groups = list(dict.fromkeys(o[2] for o in options))
        if len(options) > 12 and not extra.get("ordered"):
            # Long lists: chosen values first, then the values with the most results
            # (within each group, when the options are grouped).
            options = sorted(
                options,
                key=lambda o: (
                    groups.index(o[2]),
                    o[0] not in selected[name],
                    -counts.get(o[0], 0),
                    o[1],
                ),
            )
        facets.append(
            {
                "name": name,
                "label": label,
                "options": [
                    {
                        "index": index,
                        "value": value,
                        "label": text,
                        "group": group,
                        "chip": chip or text,
                        "count": counts.get(value, 0),
                        "selected": value in selected[name],
                    }
                    for index, (value, text, group, chip) in enumerate(options, start=1)
                ],
                "active": bool(selected[name]),
                "grouped": len(groups) > 1,
                **extra,
            }
        )

    def by_key(name, objects):
        """Counts keyed by primary key (PostgreSQL arrays) re-keyed by slug or code."""
        return {key: counts[name].get(str(pk), 0) for pk, key in objects}

    state = data.get("under_review")
    state_counts = dict(counts["under_review"])
    state_counts[EVERY_STATE] = sum(state_counts.values())
    # The chosen state, the United States and "every state" first, then by results.
    first = [state or HOME_STATE, HOME_STATE, EVERY_STATE]
    states = sorted(
        under_review_choices(),
        key=lambda o: (first.index(o[0]) if o[0] in first else 3, -state_counts.get(o[0], 0)),
    )
    add(
        "under_review",
        "State under review",
        states,
        state_counts,
        ordered=True,
        radio=True,
        # Removing the chip shows every state; an absent value means the United States.
        cleared_value=EVERY_STATE,
        # Closed while it holds the default, so the filters people change come first.
        quiet=state in (None, HOME_STATE),
    )

    cycle_counts = counts["cycle"]
    labels = cycle_labels(state)
    cycles = [
        (value, labels.get(value, label))
        for value, label in CYCLES
        if cycle_counts.get(value) or value in selected["cycle"]
    ]
    add("cycle", "Cycle", cycles, cycle_counts)
    add(
        "response",
        "US response" if state == HOME_STATE else "Response",
        Response.choices,
        counts["response"],
    )
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
        radio=True,
    )

    themes = theme_options()
    theme_counts = counts["theme"]
    if on_postgres():
        theme_counts = by_key("theme", Theme.objects.values_list("pk", "slug"))
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

    # Cycle and state under review say the same: this facet only shows when a link chose
    # one review (the review pages do), so its chip can name and remove it.
    reviews = [
        (str(r.pk), str(r))
        for r in Review.objects.select_related("state_under_review").filter(
            pk__in=[int(v) for v in selected["review"]]
        )
    ]
    add("review", "Review", reviews, counts["review"], hidden=not selected["review"])

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
        "under_review": grouped("under_review", "review__state_under_review__iso3"),
    }
