import hashlib
import pickle
import zlib
from urllib.parse import urlencode

from django.core.cache import cache
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from . import exports, panels
from .charts import RESPONSE_COLOURS, theme_chart
from .filters import (
    RecommendationFilter,
    chips,
    clean_params,
    facet_counts,
    on_postgres,
    paginate,
)
from .models import Country, FacetCount, Recommendation, Response, Review, Theme

HOME_CACHE_SECONDS = 300
FACET_CACHE_SECONDS = 300
# A compressed entry is 5-20 kB; a larger one (a state with unusually many options) is
# recomputed rather than let one entry crowd out many.
FACET_CACHE_MAX_BYTES = 64 * 1024
# Part of every facet cache key: bumping it retires all cached facet counts at once.
FACET_GENERATION_KEY = "facets:generation"


def forget_cached_figures() -> None:
    """Drop the cached home figures and facet counts, so a change published just now
    (a curator's approval) shows at once instead of after the cache expires."""
    cache.delete_many(["home:figures", "home:chart"])
    cache.set(FACET_GENERATION_KEY, cache.get(FACET_GENERATION_KEY, 0) + 1, None)


def home(request):
    labels = dict(Response.choices)
    context = {
        **cache.get_or_set("home:figures", response_figures, HOME_CACHE_SECONDS),
        "chart": cache.get_or_set("home:chart", theme_chart, HOME_CACHE_SECONDS),
        "legend": [(labels[key], colour) for key, colour in RESPONSE_COLOURS.items()],
        **panels.extra_context("home"),
    }
    return render(request, "home.html", context)


def response_figures() -> dict:
    """Recommendations by US response; the local figures come from the local_action tags."""
    labels = dict(Response.choices)
    if on_postgres():
        by_response = FacetCount.objects.of("response")
    else:
        by_response = dict(
            Recommendation.objects.values_list("response").annotate(n=Count("id")).order_by()
        )
    return {
        "recommendation_count": sum(by_response.values()),
        "responses": [(labels[key], by_response.get(key, 0), key) for key in labels],
    }


def recommendation_list(request):
    params = clean_params(request.GET)
    filterset = RecommendationFilter(params, queryset=Recommendation.objects.for_list())
    facets, facets_html = cached_facets(filterset, params)
    page = paginate(filterset.sorted_qs(), params, count=matching_count(facets))
    filterset.highlight(page.object_list)
    context = {
        "filterset": filterset,
        "page_obj": page,
        "facets": facets,
        "facets_html": facets_html,
        "chips": chips(params, facets, {"q": "Search"}),
        "query": filterset.query_text,
        "sort": filterset.sort_key,
        "sorts": [(k, v) for k, v in filterset.filters["sort"].extra["choices"]],
        "export_query": _export_query(params),
    }
    return render(request, "recommendations/list.html", context)


def cached_facets(filterset, params) -> tuple[list[dict], str]:
    """Facet counts scan the matching rows, and their hundreds of options take longer to
    render than the rest of the page: the same filter state gets the same counts and
    markup for a few minutes (imports are daily, not live). The key is the CLEANED filter
    state, so unknown parameters, invalid values, order and spelling of a search do not
    make new entries; entries are compressed and capped in size (FACET_CACHE_MAX_BYTES),
    and Redis evicts the least recently used (README, "Cache")."""
    digest = hashlib.sha256(filter_state(filterset).encode()).hexdigest()
    key = f"facets:v3:{cache.get(FACET_GENERATION_KEY, 0)}:{digest}"
    packed = cache.get(key)
    if packed is not None:
        facets, html = pickle.loads(zlib.decompress(packed))
    else:
        facets = facet_counts(filterset)
        html = render_to_string("includes/facets.html", {"facets": facets})
        packed = zlib.compress(pickle.dumps((facets, html)), 6)
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
    return exports.recommendations(filterset.qs.order_by("pk"), fmt)


def recommendation_detail(request, pk):
    recommendation = get_object_or_404(Recommendation.objects.for_detail(), pk=pk)
    context = {
        "recommendation": recommendation,
        "similar": recommendation.repeats(),
        **panels.extra_context("recommendation", recommendation=recommendation),
    }
    return render(request, "recommendations/detail.html", context)


def _response_figures(queryset, kept=None) -> list[tuple[str, int, str]]:
    """Recommendations by response; on PostgreSQL read from the kept counts when `kept`
    names them, as (facet, primary key)."""
    if kept and on_postgres():
        counts = FacetCount.objects.by_response(*kept)
    else:
        counts = dict(queryset.values_list("response").annotate(n=Count("id")).order_by())
    return [(label, counts.get(key, 0), key) for key, label in Response.choices]


def _total(figures) -> int:
    """Every recommendation has exactly one response: the figures add up to the number of
    rows, which spares the paginator a second COUNT over the same set."""
    return sum(n for _, n, _ in figures)


def theme_list(request):
    if on_postgres():
        rec_counts = {int(pk): n for pk, n in FacetCount.objects.of("theme").items()}
    else:
        rec_counts = dict(
            Recommendation.themes.through.objects.values_list("theme_id")
            .annotate(n=Count("id"))
            .order_by()
        )
    themes = list(Theme.objects.all())
    for theme in themes:
        theme.recommendation_count = rec_counts.get(theme.pk, 0)
    panels.extra_context("theme_list", themes=themes)
    groups = []
    for key, label in Theme.Vocabulary.choices:
        members = [t for t in themes if t.vocabulary == key]
        if members:
            groups.append({"label": label, "themes": members})
    return render(request, "recommendations/theme_list.html", {"groups": groups})


def theme_detail(request, slug):
    theme = get_object_or_404(Theme.objects.select_related("parent"), slug=slug)
    params = clean_params(request.GET)
    recommendations = (
        Recommendation.objects.for_list().with_theme(theme).order_by("review_id", "id")
    )
    figures = _response_figures(
        Recommendation.objects.filter(themes=theme), kept=("theme_response", theme.pk)
    )
    context = {
        "theme": theme,
        "children": list(theme.children.all()),
        "figures": figures,
        "page_obj": paginate(recommendations, params, count=_total(figures)),
        **panels.extra_context("theme", theme=theme),
    }
    return render(request, "recommendations/theme.html", context)


def country_detail(request, iso3):
    if not (len(iso3) == 3 and iso3.isascii() and iso3.isalpha()):
        raise Http404("Not a country code.")
    country = get_object_or_404(Country, iso3=iso3.upper())
    params = clean_params(request.GET)
    figures = _response_figures(
        Recommendation.objects.filter(recommending_countries=country),
        kept=("country_response", country.pk),
    )
    context = {
        "country": country,
        "figures": figures,
        "page_obj": paginate(
            Recommendation.objects.for_list().recommended_by(country).order_by("review_id", "id"),
            params,
            count=_total(figures),
        ),
    }
    return render(request, "recommendations/country.html", context)


def review_detail(request, pk):
    review = get_object_or_404(Review.objects.select_related("state_under_review"), pk=pk)
    params = clean_params(request.GET)
    figures = _response_figures(review.recommendations.all())
    context = {
        "review": review,
        "figures": figures,
        "page_obj": paginate(
            review.recommendations.for_list().order_by("id"), params, count=_total(figures)
        ),
    }
    return render(request, "recommendations/review.html", context)
