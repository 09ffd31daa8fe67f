"""The /recommendations/ filters, their facet counts and the full-text search.

Longer than most modules: the FilterSet and the facet assembly change together. The counts
come from the facet index (facets.py, facet_index.py); the parameter, pagination and chip
helpers every public list shares are in listing.py."""

from collections import Counter

import django_filters
from django.contrib.postgres.search import SearchHeadline
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import facets as facet_counting
from . import sessions
from .bilingual import SPANISH
from .listing import PageByIds
from .models import (
    ANY_LOCAL_ACTION,
    HOME_STATE,
    ActionCategory,
    AffectedGroup,
    Country,
    LocalStatus,
    Recommendation,
    RegionalGroup,
    Response,
    Review,
    SdgGoal,
    Theme,
    search_query,
    search_rank,
    spanish_search_query,
)
from .schema import SEARCH_CONFIG, SPANISH_SEARCH_CONFIG

# Accepted values; the facet shows only the cycles that hold recommendations, with years.
CYCLES = [(str(n), format_lazy(gettext_lazy("Cycle {n}"), n=n)) for n in range(1, 21)]
EVERY_STATE = facet_counting.EVERY_STATE
# Any local action, then each status in LocalStatus's words, "none" last.
LOCAL_ACTION = [
    ANY_LOCAL_ACTION,
    *[(v, label) for v, label in LocalStatus.choices if v != LocalStatus.NONE],
    (LocalStatus.NONE.value, LocalStatus.NONE.label),
]
SORTS = [
    ("relevance", gettext_lazy("Relevance (with a search)")),
    ("citation", gettext_lazy("Citation")),
    ("response", gettext_lazy("Response")),
    ("local", gettext_lazy("Most jurisdictions acting")),
]
MAX_QUERY_LENGTH = 300

# SearchHeadline marks matches with these control characters; the text is escaped first
# and only then are they turned into <mark>, so recommendation text can never inject HTML.
_START, _STOP = "\x02", "\x03"


def _overlaps(queryset, name, values):
    """The recommendations whose facet array for `name` shares a value with `values` (a
    GIN index lookup)."""
    column = facet_counting.ARRAYS[name]
    return queryset.filter(**{f"{column}__overlap": facet_counting.pks(values)})


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
        label=gettext_lazy("Search the text"), method="filter_q", max_length=MAX_QUERY_LENGTH
    )
    # The site follows the United States: without this parameter (or a review), lists show
    # recommendations made to it; "all" shows every state's, as imported.
    under_review = django_filters.ChoiceFilter(
        label=gettext_lazy("State under review"),
        choices=lambda: under_review_choices(),
        method="filter_under_review",
    )
    # Every filter names its label: django-filter otherwise derives it from the model on
    # first use and caches it on the class's filter, so a label read before a queryset was
    # bound (the API schema does) left later forms without one.
    cycle = django_filters.MultipleChoiceFilter(
        distinct=False,
        label=gettext_lazy("Review cycle"),
        field_name="review__cycle",
        choices=CYCLES,
    )
    # Plain choices rather than a model field: ids are checked against the list, so a
    # number too big for the database column is a form error, not a database error.
    review = django_filters.MultipleChoiceFilter(
        distinct=False,
        label=gettext_lazy("Review"),
        choices=lambda: review_choices(),
        method="filter_review",
    )
    response = django_filters.MultipleChoiceFilter(
        distinct=False, label=gettext_lazy("Response"), choices=Response.choices
    )
    theme = django_filters.ModelMultipleChoiceFilter(
        distinct=False,
        label=gettext_lazy("Theme"),
        queryset=Theme.objects.all(),
        to_field_name="slug",
        method="filter_theme",
    )
    group = django_filters.ModelMultipleChoiceFilter(
        distinct=False,
        label=gettext_lazy("Affected persons"),
        queryset=AffectedGroup.objects.all(),
        to_field_name="slug",
        method="filter_array",
    )
    sdg = django_filters.MultipleChoiceFilter(
        distinct=False,
        label=gettext_lazy("SDG"),
        choices=lambda: sdg_choices(),
        method="filter_array",
    )
    country = django_filters.ModelMultipleChoiceFilter(
        distinct=False,
        label=gettext_lazy("Recommending state"),
        queryset=Country.objects.all(),
        to_field_name="iso3",
        method="filter_array",
    )
    region = django_filters.MultipleChoiceFilter(
        distinct=False,
        label=gettext_lazy("Regional group"),
        choices=RegionalGroup.choices,
        method="filter_array",
    )
    action = django_filters.MultipleChoiceFilter(
        distinct=False,
        label=gettext_lazy("Action category"),
        field_name="action_category",
        choices=[(str(v), label) for v, label in ActionCategory.choices],
    )
    local_action = django_filters.ChoiceFilter(
        label=gettext_lazy("Local action"), choices=LOCAL_ACTION, method="filter_local_action"
    )
    sort = django_filters.ChoiceFilter(
        label=gettext_lazy("Sort by"), choices=SORTS, method="filter_noop"
    )

    class Meta:
        model = Recommendation
        fields = []

    def __init__(self, data=None, *args, **kwargs):
        if data is not None and not data.get("under_review") and not data.get("review"):
            data = data.copy()
            data["under_review"] = HOME_STATE
        super().__init__(data, *args, **kwargs)
        # A list, not the callable: the form validates against it and the facet lists it,
        # and a callable is called again each time.
        self.form.fields["under_review"].choices = under_review_choices()

    # Filters and facets other apps add (register_filter): the jurisdictions app adds
    # "Acted on by", since this app knows nothing of jurisdictions.
    extra_facets: dict = {}

    @classmethod
    def register_filter(cls, name, filter_, facet, array_column):
        """Adds a filter and its facet. `facet(filterset, chosen, counts)` returns (label,
        options, counts, selected values); `counts` holds the busiest values' counts (by
        primary key), read from `array_column`, an integer ArrayField of Recommendation."""
        filter_.field_name = filter_.field_name or name  # as declared filters get theirs
        cls.base_filters[name] = filter_
        cls.extra_facets[name] = facet
        facet_counting.ARRAYS[name] = array_column

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.matching(value)

    def filter_under_review(self, queryset, name, value):
        if not value or value == EVERY_STATE:
            return queryset
        return queryset.filter(review__state_under_review__iso3=value)

    def filter_review(self, queryset, name, value):
        return queryset.filter(review_id__in=[int(v) for v in value]) if value else queryset

    def filter_array(self, queryset, name, value):
        """Themes, affected groups, SDGs, recommending states and their regional groups:
        an overlap with the recommendation's facet array."""
        return _overlaps(queryset, name, value) if value else queryset

    @staticmethod
    def theme_closure(themes) -> list[int]:
        """What choosing `themes` means, here and wherever the filter's values are read
        (the list, its facet counts, /themes/, theme pages, exports and reports): each
        theme and every narrower theme under it."""
        return Theme.objects.with_narrower(themes) if themes else []

    def filter_theme(self, queryset, name, value):
        return _overlaps(queryset, name, self.theme_closure(value)) if value else queryset

    def filter_local_action(self, queryset, name, value):
        if value == ANY_LOCAL_ACTION[0]:
            return queryset.exclude(local_status=LocalStatus.NONE)
        if value:
            return queryset.filter(local_status=value)
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
        if sort == "relevance":
            ranked = qs.annotate(rank=search_rank(self.query_text)).order_by("-rank", "id")
            return PageByIds(ranked, self.queryset)
        if sort == "response":
            return qs.order_by("response", "review_id", "id")
        if sort == "local":
            return qs.order_by("-jurisdictions_acting", "review_id", "id")
        return qs.order_by("review_id", "id")

    def highlight(self, recommendations):
        """Sets .highlighted on each recommendation of the page (one query): the text in
        the language the page shows it (bilingual.py), its matches marked."""
        q = self.query_text
        shown = {rec.pk: rec.localized("text") for rec in recommendations}
        for rec in recommendations:
            rec.highlighted = escape(shown[rec.pk].text)
        if not q or not recommendations:
            return
        marks = {"start_sel": _START, "stop_sel": _STOP, "highlight_all": True}
        rows = (
            Recommendation.objects.filter(pk__in=list(shown))
            .annotate(
                headline=SearchHeadline("text", search_query(q), config=SEARCH_CONFIG, **marks),
                headline_es=SearchHeadline(
                    "text_es",
                    spanish_search_query(q),
                    config=SPANISH_SEARCH_CONFIG,
                    **marks,
                ),
            )
            .values_list("pk", "headline", "headline_es")
        )
        marked = {
            pk: headline_es if shown[pk].lang == SPANISH else headline
            for pk, headline, headline_es in rows
        }
        for rec in recommendations:
            if rec.pk in marked:
                rec.highlighted = mark_safe(_marks(escape(marked[rec.pk])))


class CountryFilter(django_filters.FilterSet):
    """/countries/: a part of the name (the list is long)."""

    q = django_filters.CharFilter(
        label=gettext_lazy("Name"), field_name="name", lookup_expr="icontains", max_length=100
    )

    class Meta:
        model = Country
        fields = []


def _marks(text: str) -> str:
    return text.replace(_START, "<mark>").replace(_STOP, "</mark>")


def review_choices():
    return [(str(pk), str(pk)) for pk in Review.objects.values_list("pk", flat=True)]


def under_review_choices():
    states = Country.objects.filter(reviews__isnull=False).distinct().order_by("name")
    return [(EVERY_STATE, _("Every state")), *states.values_list("iso3", "name")]


VOCABULARY_SHORT = {"upr_info": "UPR Info", "uhri": "UHRI", "project": "UPR Tracker"}
VOCABULARY_GROUPS = {
    "upr_info": gettext_lazy("UPR Info issues"),
    "uhri": gettext_lazy("UN Human Rights Index themes"),
    "project": gettext_lazy("UPR Tracker themes"),
}


def theme_options(themes=None) -> list[tuple[str, str, str, str]]:
    """(slug, label, vocabulary heading, chip label) per theme (`themes`, else all of
    them), grouped by vocabulary. A name used by two vocabularies ("Death penalty")
    carries its vocabulary in the label too, so no two options read the same."""
    if themes is None:
        themes = Theme.objects.only("slug", "name", "vocabulary")
    rows = [(t.slug, t.name, t.vocabulary) for t in themes]
    uses = Counter(name.casefold() for _, name, _ in rows)
    order = list(VOCABULARY_GROUPS)
    rows.sort(key=lambda r: (order.index(r[2]) if r[2] in order else 99, r[1].casefold(), r[1]))
    # In the request's language, translated once per vocabulary rather than per theme.
    headings = {v: str(VOCABULARY_GROUPS.get(v, v)) for v in {r[2] for r in rows}}
    options = []
    for slug, name, vocabulary in rows:
        full = f"{name} ({VOCABULARY_SHORT.get(vocabulary, vocabulary)})"
        label = full if uses[name.casefold()] > 1 else name
        options.append((slug, label, headings[vocabulary], full))
    return options


def cycle_labels(state: str | None) -> dict[str, str]:
    """ "Cycle 3 (2020)" per cycle, the years read from the reviews in the database (of
    one state under review, or a span over all of them)."""
    reviews = Review.objects.all()
    if state and state != EVERY_STATE:
        reviews = reviews.filter(state_under_review__iso3=state)
    years: dict[int, set[int]] = {}
    # Plain rows, not Review objects: over every state these are a thousand reviews.
    for cycle, reviewed, responded, session in reviews.values_list(
        "cycle", "review_date", "response_date", "wg_session"
    ):
        years.setdefault(cycle, set())
        day = reviewed or responded  # as Review.year reads it
        year = day.year if day else sessions.year_of(session)
        if year:
            years[cycle].add(year)
    labels = {}
    for cycle, found in years.items():
        if not found:
            labels[str(cycle)] = _("Cycle {n}").format(n=cycle)
            continue
        span = f"{min(found)}" if len(found) == 1 else f"{min(found)}–{max(found)}"
        labels[str(cycle)] = _("Cycle {n} ({years})").format(n=cycle, years=span)
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
    filters, from the facet index (facets.py)."""
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
    # The index holds each theme's own rows: a chosen theme keeps its narrower themes' rows
    # too, and each theme's count covers its narrower themes, as the filter does.
    themes = list(Theme.objects.only("parent_id", "slug", "name", "vocabulary"))
    closures = Theme.closures(themes)
    counted = {**data, "theme": RecommendationFilter.theme_closure(data.get("theme"))}
    # The review facet shows only the chosen reviews (below): only theirs are counted.
    chosen_reviews = {value: [int(value)] for value in selected["review"]}
    counts = facet_counting.compute(
        counted,
        FACETS + extra,
        top=set(extra),
        groups={"theme": closures, "review": chosen_reviews},
    )

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
                        # Plain strings in the request's language (the API writes them).
                        "label": str(text),
                        "group": str(group) if group is not None else None,
                        "chip": str(chip or text),
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
        """Counts keyed by primary key (the arrays hold ids) re-keyed by slug or code."""
        return {key: counts[name].get(str(pk), 0) for pk, key in objects}

    state = data.get("under_review")
    state_counts = dict(counts["under_review"])
    state_counts[EVERY_STATE] = sum(state_counts.values())
    # The chosen state, the United States and "every state" first, then by results.
    first = [state or HOME_STATE, HOME_STATE, EVERY_STATE]
    states = sorted(
        # The form's own list, read once per request, less the empty choice the form adds.
        [choice for choice in filterset.form.fields["under_review"].choices if choice[0]],
        key=lambda o: (first.index(o[0]) if o[0] in first else 3, -state_counts.get(o[0], 0)),
    )
    add(
        "under_review",
        _("State under review"),
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
    add("cycle", _("Cycle"), cycles, cycle_counts)
    add(
        "response",
        _("US response") if state == HOME_STATE else _("Response"),
        Response.choices,
        counts["response"],
    )
    add(
        "action",
        _("Action category"),
        [(str(v), label) for v, label in ActionCategory.choices],
        counts["action"],
    )
    local = dict(counts["local_action"])
    local[ANY_LOCAL_ACTION[0]] = sum(local.values()) - local.get(LocalStatus.NONE, 0)
    add("local_action", _("Local action"), LOCAL_ACTION, local, radio=True, ordered=True)

    theme_counts = by_key("theme", [(t.pk, t.slug) for t in themes])
    add("theme", _("Theme"), theme_options(themes), theme_counts)

    group_rows = list(AffectedGroup.objects.values_list("pk", "slug", "name"))
    group_counts = by_key("group", [(pk, slug) for pk, slug, _ in group_rows])
    add(
        "group", _("Affected persons"), [(slug, name) for _, slug, name in group_rows], group_counts
    )

    goals = [
        (str(n), f"{n}. {title}") for n, title in SdgGoal.objects.values_list("number", "title")
    ]
    chosen_targets = [
        (v, _("Target {code}").format(code=v)) for v in sorted(selected["sdg"]) if "." in v
    ]
    add("sdg", _("Sustainable Development Goal"), goals + chosen_targets, counts["sdg"])
    add("region", _("Recommender's regional group"), RegionalGroup.choices, counts["region"])

    country_rows = list(
        Country.objects.filter(kind=Country.Kind.STATE).values_list("pk", "iso3", "name")
    )
    country_counts = by_key("country", [(pk, iso3) for pk, iso3, _ in country_rows])
    add(
        "country",
        _("Recommending state"),
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
    add("review", _("Review"), reviews, counts["review"], hidden=not selected["review"])

    for name, facet in RecommendationFilter.extra_facets.items():
        label, options, found, chosen = facet(filterset, data.get(name), counts[name])
        selected[name] = chosen
        add(name, label, options, found)
    return facets
