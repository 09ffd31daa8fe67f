import hashlib
import pickle
import zlib
from urllib.parse import urlencode

from django.core.cache import cache
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from . import charts, cite_formats, exports, facets, panels, search_hints
from .absolute_urls import base_url
from .charts import RESPONSE_COLOURS
from .filters import VOCABULARY_GROUPS, CountryFilter, RecommendationFilter, facet_counts
from .listing import chips, clean_params, export_filename, paginate
from .models import HOME_STATE, Country, Recommendation, Response, Review, Theme

HOME_CACHE_SECONDS = 300
FACET_CACHE_SECONDS = 300
# A compressed entry is 5-20 kB; a larger one (a state with unusually many options) is
# recomputed rather than let one entry crowd out many.
FACET_CACHE_MAX_BYTES = 64 * 1024
# Part of every facet cache key: bumping it retires all cached facet counts at once.
FACET_GENERATION_KEY = "facets:generation"
HOME_CHART_KEY = "home:chart:v3"


def forget_cached_figures() -> None:
    """Drop the cached home chart and facet counts, so a change published just now (a
    curator's approval) shows at once instead of after the cache expires."""
    cache.delete(HOME_CHART_KEY)
    cache.set(FACET_GENERATION_KEY, cache.get(FACET_GENERATION_KEY, 0) + 1, None)


def home(request):
    labels = dict(Response.choices)
    # Recommendations to the United States by response (other states' reviews, if
    # imported, never count here), straight from the facet index; the local figures come
    # from the local side's panels.
    responses = _response_figures()
    context = {
        "recommendation_count": _total(responses),
        "responses": responses,
        "chart": charts.with_labels(
            cache.get_or_set(HOME_CHART_KEY, charts.theme_chart, HOME_CACHE_SECONDS)
        ),
        "legend": [(labels[key], colour) for key, colour in RESPONSE_COLOURS.items()],
        **panels.extra_context("home"),
    }
    return render(request, "home.html", context)


def recommendation_list(request):
    params = clean_params(request.GET)
    filterset = RecommendationFilter(params, queryset=Recommendation.objects.for_list())
    facets, facets_html = cached_facets(filterset, params)
    page = paginate(filterset.sorted_qs(), params, count=matching_count(facets))
    filterset.highlight(page.object_list)
    filters = filterset.form.cleaned_data
    context = {
        "state_name": state_name(facets),
        "hints": search_hints.hints(params, filterset.query_text, page.paginator.count, filters),
        "filterset": filterset,
        "page_obj": page,
        "facets": facets,
        "facets_html": facets_html,
        "chips": chips(params, facets, {"q": _("Search")}),
        "query": filterset.query_text,
        "sort": filterset.sort_key,
        "sorts": [(k, v) for k, v in filterset.filters["sort"].extra["choices"]],
        "export_query": _export_query(params),
    }
    return render(request, "recommendations/list.html", context)


def state_name(facets) -> str:
    """The one state under review the list shows, as its facet names it ("" for all)."""
    facet = next(f for f in facets if f["name"] == "under_review")
    return next((o["label"] for o in facet["options"] if o["selected"] and o["value"] != "all"), "")


def cached_facets(filterset, params) -> tuple[list[dict], str]:
    """Facet counts scan the matching rows, and their hundreds of options take longer to
    render than the rest of the page: the same filter state gets the same counts and
    markup for a few minutes (imports are daily, not live). The key is the CLEANED filter
    state (the state under review included), so unknown parameters, invalid values, order
    and spelling of a search do not make new entries; entries are compressed and capped in
    size (FACET_CACHE_MAX_BYTES), and Redis evicts the least recently used (README,
    "Cache")."""
    digest = hashlib.sha256(filter_state(filterset).encode()).hexdigest()
    # The labels and markup are in the page's language.
    language = get_language()
    key = f"facets:v4:{language}:{cache.get(FACET_GENERATION_KEY, 0)}:{digest}"
    packed = cache.get(key)
    if packed is not None:
        facets, html = pickle.loads(zlib.decompress(packed))
    else:
        facets = facet_counts(filterset)
        html = render_to_string("includes/facets.html", {"facets": facets})
        packed = zlib.compress(pickle.dumps((facets, html)), 1)
        if len(packed) <= FACET_CACHE_MAX_BYTES:
            cache.set(key, packed, FACET_CACHE_SECONDS)
    return facets, mark_safe(html)  # rendered by the template above, escaped there


def filter_state(filterset) -> str:
    """The filters that apply, as a canonical string: what the facets depend on."""
    filterset.errors  # noqa: B018 - validates the form so cleaned_data exists
    state = []
    for name, value in sorted(filterset.form.cleaned_data.items()):
        if name == "sort" or not value:
            continue
        if name == "q":
            value = [" ".join(value.casefold().split())]
        elif isinstance(value, str):
            value = [value]
        state.append((name, sorted(str(getattr(v, "pk", v)) for v in value)))
    return urlencode(state, doseq=True)


def matching_count(facets: list[dict]) -> int:
    """How many recommendations match every active filter, read off the response facet
    instead of counted again: that facet counts the matches under every other filter by
    response, and every recommendation has exactly one response. Counting a large
    filtered set is the slowest query of the page."""
    response = next(facet for facet in facets if facet["name"] == "response")
    options = response["options"]
    if response["active"]:
        options = [option for option in options if option["selected"]]
    return sum(option["count"] for option in options)


def _export_query(params) -> str:
    rest = params.copy()
    rest.pop("page", None)
    encoded = rest.urlencode()
    return f"?{encoded}" if encoded else ""


def recommendation_export(request, fmt):
    params = clean_params(request.GET)
    filterset = RecommendationFilter(params, queryset=Recommendation.objects.for_export())
    name = export_filename("recommendations", params)
    return exports.recommendations(filterset.qs.order_by("pk"), fmt, base_url(request), name)


def recommendation_cite(request, public_id, fmt):
    if fmt not in cite_formats.FORMATS:
        raise Http404(_("No such citation format."))
    recommendation = get_object_or_404(
        Recommendation.objects.select_related("review__state_under_review"), public_id=public_id
    )
    url = base_url(request) + recommendation.get_absolute_url()
    return cite_formats.respond(cite_formats.recommendation_csl(recommendation, url), fmt)


def recommendation_by_pk(request, pk):
    """The address pages linked to before the permanent identifiers: a permanent redirect."""
    public_id = get_object_or_404(Recommendation.objects.values_list("public_id", flat=True), pk=pk)
    return redirect("recommendations:recommendation-permanent", public_id, permanent=True)


def recommendation_detail(request, public_id):
    recommendation = get_object_or_404(Recommendation.objects.for_detail(), public_id=public_id)
    url = base_url(request) + recommendation.get_absolute_url()
    context = {
        "recommendation": recommendation,
        "cite_text": cite_formats.plain_text(cite_formats.recommendation_csl(recommendation, url)),
        "cite_formats": cite_formats.LABELS,
        "json_ld": cite_formats.json_ld_tag(
            cite_formats.recommendation_json_ld(recommendation, url)
        ),
        "similar": recommendation.repeats(),
        **panels.extra_context("recommendation", recommendation=recommendation),
    }
    return render(request, "recommendations/detail.html", context)


def _response_figures(**filters) -> list[tuple[str, int, str]]:
    """Recommendations by response under `filters` (facets.counts_of)."""
    counts = facets.counts_of("response", **filters)
    return [(label, counts.get(key, 0), key) for key, label in Response.choices]


def _total(figures) -> int:
    """Every recommendation has exactly one response: the figures add up to the number of
    rows, which spares the paginator a second COUNT over the same set."""
    return sum(n for _, n, _ in figures)


def theme_list(request):
    # Recommendations to the United States under each theme or a narrower one, as on the
    # theme's own page.
    themes = list(Theme.objects.all())
    rec_counts = facets.totals("theme", Theme.closures(themes))
    for theme in themes:
        theme.recommendation_count = rec_counts[theme.pk]
    panels.extra_context("theme_list", themes=themes)
    groups = []
    for key, label in VOCABULARY_GROUPS.items():
        members = [t for t in themes if t.vocabulary == key]
        if members:
            groups.append({"label": label, "themes": members})
    return render(request, "recommendations/theme_list.html", {"groups": groups})


def theme_detail(request, slug):
    theme = get_object_or_404(Theme.objects.select_related("parent"), slug=slug)
    params = clean_params(request.GET)
    # A parent theme's page covers its narrower themes, as its local action does; only
    # recommendations to the United States (the page links to every state's).
    themes = Theme.objects.with_narrower([theme])
    to_us = Recommendation.objects.to_home_state().with_any_theme(themes)
    recommendations = to_us.for_list().order_by("review_id", "id")
    figures = _response_figures(theme=themes)
    context = {
        "theme": theme,
        "children": list(theme.children.all()),
        "figures": figures,
        "page_obj": paginate(recommendations, params, count=_total(figures)),
        **panels.extra_context("theme", theme=theme),
    }
    return render(request, "recommendations/theme.html", context)


def country_index(request):
    """Every state, observer and group with the recommendations it made to the United
    States and its own reviews in the database; a name filter for the long list."""
    params = clean_params(request.GET)
    query = params.get("q", "").strip()[:100]
    made = {int(pk): n for pk, n in facets.counts_of("country").items()}
    reviewed = dict(
        Review.objects.values_list("state_under_review_id").annotate(n=Count("id")).order_by()
    )
    filterset = CountryFilter({"q": query} if query else {}, queryset=Country.objects.all())
    rows = list(filterset.qs.order_by("name"))
    for country in rows:
        country.recommendation_count = made.get(country.pk, 0)
        country.review_count = reviewed.get(country.pk, 0)
    context = {"countries": rows, "query": query, "recommenders": len(made)}
    return render(request, "recommendations/country_list.html", context)


def country_detail(request, iso3):
    if not (len(iso3) == 3 and iso3.isascii() and iso3.isalpha()):
        raise Http404(_("Not a country code."))
    country = get_object_or_404(Country, iso3=iso3.upper())
    params = clean_params(request.GET)
    # What it recommended to the United States; its recommendations to other states and
    # its own reviews are linked from the page.
    made = Recommendation.objects.recommended_by(country)
    figures = _response_figures(country=[country.pk])
    context = {
        "country": country,
        "figures": figures,
        "elsewhere": made.exclude(review__state_under_review__iso3=HOME_STATE).count(),
        "reviews": list(country.reviews.annotate(n=Count("recommendations")).order_by("cycle")),
        "page_obj": paginate(
            made.to_home_state().for_list().order_by("review_id", "id"),
            params,
            count=_total(figures),
        ),
    }
    return render(request, "recommendations/country.html", context)


def review_index(request):
    reviews = list(Review.objects.for_index())
    context = {
        "home_reviews": [r for r in reviews if r.state_under_review.iso3 == HOME_STATE],
        "other_reviews": [r for r in reviews if r.state_under_review.iso3 != HOME_STATE],
    }
    return render(request, "recommendations/review_list.html", context)


def review_detail(request, pk):
    review = get_object_or_404(Review.objects.select_related("state_under_review"), pk=pk)
    params = clean_params(request.GET)
    figures = _response_figures(under_review=facets.EVERY_STATE, review=[review.pk])
    context = {
        "review": review,
        "figures": figures,
        "page_obj": paginate(
            review.recommendations.for_list().order_by("id"), params, count=_total(figures)
        ),
    }
    return render(request, "recommendations/review.html", context)
