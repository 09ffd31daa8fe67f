import hashlib
from urllib.parse import urlencode

from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from jurisdictions.models import Commitment, CommitmentLink, Jurisdiction

from . import exports
from .filters import (
    RecommendationFilter,
    chips,
    clean_params,
    facet_counts,
    paginate,
)
from .models import Country, Recommendation, Response, Review, Theme

# Tile-grid positions (column, row) of the states and DC on the home page map.
STATE_TILES = {
    "AK": (0, 0), "ME": (10, 0), "VT": (9, 1), "NH": (10, 1),
    "WA": (0, 2), "ID": (1, 2), "MT": (2, 2), "ND": (3, 2), "MN": (4, 2), "IL": (5, 2),
    "WI": (6, 2), "MI": (7, 2), "NY": (8, 2), "RI": (9, 2), "MA": (10, 2),
    "OR": (0, 3), "NV": (1, 3), "WY": (2, 3), "SD": (3, 3), "IA": (4, 3), "IN": (5, 3),
    "OH": (6, 3), "PA": (7, 3), "NJ": (8, 3), "CT": (9, 3),
    "CA": (0, 4), "UT": (1, 4), "CO": (2, 4), "NE": (3, 4), "MO": (4, 4), "KY": (5, 4),
    "WV": (6, 4), "VA": (7, 4), "MD": (8, 4), "DE": (9, 4),
    "AZ": (1, 5), "NM": (2, 5), "KS": (3, 5), "AR": (4, 5), "TN": (5, 5), "NC": (6, 5),
    "SC": (7, 5), "DC": (8, 5),
    "OK": (3, 6), "LA": (4, 6), "MS": (5, 6), "AL": (6, 6), "GA": (7, 6),
    "HI": (0, 7), "TX": (3, 7), "FL": (8, 7),
}  # fmt: skip
TILE = 44
RESPONSE_COLOURS = {
    Response.SUPPORTED: "#1b6e3a",
    Response.SUPPORTED_IN_PART: "#5b8f2a",
    Response.NOTED: "#a23b2a",
    Response.PENDING: "#59606b",
}
HOME_CACHE_SECONDS = 300
FACET_CACHE_SECONDS = 300
SIMILAR_CACHE_SECONDS = 300


def home(request):
    labels = dict(Response.choices)
    context = {
        **cache.get_or_set("home:figures", home_figures, HOME_CACHE_SECONDS),
        "chart": cache.get_or_set("home:chart", theme_chart, HOME_CACHE_SECONDS),
        "tiles": cache.get_or_set("home:tiles", state_tiles, HOME_CACHE_SECONDS),
        "map_width": 11 * TILE,
        "map_height": 8 * TILE,
        "legend": [(labels[key], colour) for key, colour in RESPONSE_COLOURS.items()],
    }
    return render(request, "home.html", context)


def home_figures() -> dict:
    """Headline counts and the latest commitments; whole-table aggregates, so the home page
    keeps them for a few minutes instead of counting on every visit."""
    labels = dict(Response.choices)
    by_response = dict(
        Recommendation.objects.values_list("response").annotate(n=Count("id")).order_by()
    )
    commitments = Commitment.objects.published()
    by_status = dict(commitments.values_list("status").annotate(n=Count("id")).order_by())
    status_labels = dict(Commitment.Status.choices)
    return {
        "recommendation_count": sum(by_response.values()),
        "responses": [(labels[key], by_response.get(key, 0), key) for key in labels],
        "commitment_count": sum(by_status.values()),
        "statuses": [(status_labels[key], by_status.get(key, 0)) for key in status_labels],
        "jurisdictions_acting": commitments.values("jurisdiction").distinct().count(),
        "latest": list(
            commitments.select_related("jurisdiction").order_by("-published_at", "-id")[:8]
        ),
    }


def theme_chart(limit: int = 12) -> dict:
    """Horizontal stacked bars: recommendations per theme, split by response, for the
    themes with the most recommendations."""
    through = Recommendation.themes.through
    # One vocabulary only: UPR Info and UHRI share names such as "Death penalty".
    vocabulary = (
        Theme.Vocabulary.UPR_INFO
        if through.objects.filter(theme__vocabulary=Theme.Vocabulary.UPR_INFO).exists()
        else Theme.Vocabulary.UHRI
    )
    rows = list(
        through.objects.filter(theme__vocabulary=vocabulary)
        .values("theme__name", "theme__slug", "theme__vocabulary")
        .annotate(
            total=Count("id"),
            **{
                key: Count("id", filter=Q(recommendation__response=key)) for key in RESPONSE_COLOURS
            },
        )
        .order_by("-total", "theme__name")[:limit]
    )
    biggest = max((row["total"] for row in rows), default=0) or 1
    label_width, bar_width, bar_height = 230, 420, 22
    bars = []
    for i, row in enumerate(rows):
        x = label_width
        segments = []
        for key, colour in RESPONSE_COLOURS.items():
            width = row[key] * bar_width / biggest
            if row[key]:
                segments.append(
                    {
                        "x": round(x, 1),
                        "width": max(round(width, 1), 1),
                        "colour": colour,
                        "label": f"{Response(key).label}: {row[key]}",
                    }
                )
            x += width
        bars.append(
            {
                "y": i * (bar_height + 8),
                "name": row["theme__name"],
                "slug": row["theme__slug"],
                "total": row["total"],
                "segments": segments,
                "end": round(x + 6, 1),
            }
        )
    return {
        "bars": bars,
        "height": max(len(bars) * (bar_height + 8), bar_height),
        "width": label_width + bar_width + 60,
        "label_width": label_width - 8,
        "bar_height": bar_height,
        "text_y": bar_height // 2 + 5,
    }


def state_tiles() -> list[dict]:
    """One tile per state and DC with the published commitments of the state and every
    jurisdiction inside it (matched on the USPS code each jurisdiction carries)."""
    counts = dict(
        Commitment.objects.published()
        .values_list("jurisdiction__state_code")
        .annotate(n=Count("id"))
        .order_by()
    )
    states = {
        row["state_code"]: row
        for row in Jurisdiction.objects.filter(
            state_code__in=STATE_TILES, parent__isnull=False, parent__parent__isnull=True
        ).values("state_code", "slug", "name")
    }
    tiles = []
    for code, (col, row) in STATE_TILES.items():
        state = states.get(code)
        n = counts.get(code, 0)
        tiles.append(
            {
                "code": code,
                "name": state["name"] if state else code,
                "slug": state["slug"] if state else "",
                "count": n,
                "x": col * TILE,
                "y": row * TILE,
                "fill": _tile_fill(n),
                "ink": "#ffffff" if n >= 10 else "#1d1d1f",
            }
        )
    return tiles


def _tile_fill(n: int) -> str:
    if n == 0:
        return "#eef1f4"
    if n < 3:
        return "#c6dbef"
    if n < 10:
        return "#9ecae1"
    if n < 50:
        return "#2f6faa"
    return "#0b3d73"


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
    """Facet counts cost one aggregate query per filter over the matching rows, and their
    hundreds of options take longer to render than the rest of the page: the same filter
    state gets the same counts and the same markup for a few minutes (imports are daily,
    not live)."""
    state = sorted(
        (key, value)
        for key, values in params.lists()
        if key not in {"page", "sort"}
        for value in values
    )
    key = "facets:v2:" + hashlib.sha256(urlencode(state).encode()).hexdigest()
    cached = cache.get(key)
    if cached is None:
        facets = facet_counts(filterset)
        cached = (facets, render_to_string("includes/facets.html", {"facets": facets}))
        cache.set(key, cached, FACET_CACHE_SECONDS)
    facets, html = cached
    return facets, mark_safe(html)  # rendered by the template above, escaped there


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
    links = list(
        CommitmentLink.objects.filter(recommendation=recommendation)
        .filter(commitment__in=Commitment.objects.published())
        .select_related("commitment__jurisdiction")
        .order_by("commitment__jurisdiction__name", "commitment__title")
    )
    context = {
        "recommendation": recommendation,
        "links": links,
        "similar": recommended_again(recommendation),
    }
    return render(request, "recommendations/detail.html", context)


def recommended_again(recommendation, limit: int = 5) -> list:
    """The same or nearly the same wording from the same recommending states in other
    cycles. Kept for a few minutes per recommendation (and per edit of it): imports are
    daily, and the comparison is the costliest part of the detail page."""
    key = f"recommended-again:{recommendation.pk}:{recommendation.updated_at.timestamp()}"
    return cache.get_or_set(
        key, lambda: _recommended_again(recommendation, limit), SIMILAR_CACHE_SECONDS
    )


def _recommended_again(recommendation, limit: int) -> list:
    countries = [c.pk for c in recommendation.recommending_countries.all()]
    other_cycles = Recommendation.objects.exclude(review__cycle=recommendation.review.cycle)
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import TrigramSimilarity

        # Trigram similarity on PostgreSQL, scoped to those states' recommendations. The
        # candidate ids are read first and passed as a list: handed a subquery instead,
        # the planner may compute the similarity over the whole table before joining.
        through = Recommendation.recommending_countries.through
        candidates = set(
            through.objects.filter(country__in=countries).values_list(
                "recommendation_id", flat=True
            )
        )
        candidates.discard(recommendation.pk)
        if not candidates:
            return []
        return list(
            other_cycles.filter(id__in=sorted(candidates))
            .annotate(similarity=TrigramSimilarity("text", recommendation.text))
            .filter(similarity__gte=0.5)
            .select_related("review")
            .order_by("-similarity", "review__cycle")[:limit]
        )
    return list(other_cycles.filter(text=recommendation.text).select_related("review")[:limit])


def _response_figures(queryset) -> list[tuple[str, int, str]]:
    counts = dict(queryset.values_list("response").annotate(n=Count("id")).order_by())
    return [(label, counts.get(key, 0), key) for key, label in Response.choices]


def _total(figures) -> int:
    """Every recommendation has exactly one response: the figures add up to the number of
    rows, which spares the paginator a second COUNT over the same set."""
    return sum(n for _, n, _ in figures)


def theme_list(request):
    rec_counts = dict(
        Recommendation.themes.through.objects.values_list("theme_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    commitment_counts = dict(
        Commitment.themes.through.objects.filter(commitment__in=Commitment.objects.published())
        .values_list("theme_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    themes = list(Theme.objects.all())
    for theme in themes:
        theme.recommendation_count = rec_counts.get(theme.pk, 0)
        theme.commitment_count = commitment_counts.get(theme.pk, 0)
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
        Recommendation.objects.for_list().filter(themes=theme).order_by("review_id", "id")
    )
    figures = _response_figures(Recommendation.objects.filter(themes=theme))
    context = {
        "theme": theme,
        "children": list(theme.children.all()),
        "figures": figures,
        "page_obj": paginate(recommendations, params, count=_total(figures)),
        "commitments": Commitment.objects.published()
        .filter(themes=theme)
        .select_related("jurisdiction")
        .order_by("-published_at", "-id")[:20],
    }
    return render(request, "recommendations/theme.html", context)


def country_detail(request, iso3):
    if not (len(iso3) == 3 and iso3.isascii() and iso3.isalpha()):
        raise Http404("Not a country code.")
    country = get_object_or_404(Country, iso3=iso3.upper())
    params = clean_params(request.GET)
    figures = _response_figures(Recommendation.objects.filter(recommending_countries=country))
    context = {
        "country": country,
        "figures": figures,
        "page_obj": paginate(
            Recommendation.objects.for_list()
            .filter(recommending_countries=country)
            .order_by("review_id", "id"),
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
