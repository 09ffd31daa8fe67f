"""What the recommendations list suggests next: a query that names a country points to the
country filters (recommendation texts rarely name who made them), a query that names a
theme (or one of its synonyms) points to the theme, which holds recommendations in other
words too, and a search with no results lists what to try instead."""

from django.http import QueryDict

from . import facets
from .filters import EVERY_STATE, VOCABULARY_SHORT
from .importers.common import strip_accents
from .models import HOME_STATE, Country, Theme, normalise_name


def _url(params: QueryDict, **changes) -> str:
    query = params.copy()
    query.pop("page", None)
    for name, value in changes.items():
        query.pop(name, None)
        if value is not None:
            query[name] = value
    encoded = query.urlencode()
    return f"?{encoded}" if encoded else "?"


def named_country(query: str) -> Country | None:
    """The country a query names (Mexico, "United Kingdom", GBR), if it is only that."""
    if not query or len(query) > 80:
        return None
    return Country.objects.name_index().get(normalise_name(query.strip('"')))


def _words(text: str) -> str:
    """Compared without case, accents or extra spaces ("Pena de Muerte", "pena de muerte")."""
    return " ".join(strip_accents(text.strip().strip('"').casefold()).split())


def named_themes(query: str) -> list[Theme]:
    """The themes whose name (in English or Spanish) or a synonym is the whole query
    ("death penalty", "capital punishment", "pena de muerte"), each vocabulary's; none for
    a longer query."""
    wanted = _words(query)
    if not wanted or len(wanted) > 80:
        return []
    return [
        theme
        for theme in Theme.objects.only("pk", "slug", "name", "name_es", "vocabulary", "synonyms")
        if wanted in {_words(theme.name), _words(theme.name_es)} - {""}
        or wanted in {_words(s) for s in theme.synonyms}
    ]


def theme_offers(params: QueryDict, themes: list[Theme], filters: dict) -> list[dict]:
    """Per theme: its name with its vocabulary, the list filtered to it (the search and any
    other theme left out, the other filters kept) and how many recommendations that list
    shows (narrower themes included, as everywhere). `filters`: the list's cleaned
    filters."""
    kept = {k: v for k, v in filters.items() if k not in ("q", "sort", "theme")}
    closures = {t.pk: Theme.objects.with_narrower([t]) for t in themes}
    counts = facets.totals("theme", closures, **kept)
    return [
        {
            "theme": theme,
            "label": f"{theme.localized('name').text} "
            f"({VOCABULARY_SHORT.get(theme.vocabulary, theme.vocabulary)})",
            "count": counts[theme.pk],
            "url": _url(params, q=None, theme=theme.slug),
        }
        for theme in themes
    ]


def hints(params: QueryDict, query: str, count: int, filters: dict) -> dict:
    """`filters`: the list's cleaned filters (the state under review among them)."""
    state = filters.get("under_review")
    country = named_country(query)
    result = {"country": country, "no_results": count == 0}
    themes = named_themes(query) if not country else []
    result["themes"] = theme_offers(params, themes, filters) if themes else []
    if country:
        result["made_by_url"] = _url(params, q=None, country=country.iso3)
        if country.iso3 != HOME_STATE and country.reviews.exists():
            result["made_to_url"] = _url(params, q=None, country=None, under_review=country.iso3)
    if count == 0:
        result["every_state_url"] = (
            _url(params, under_review=EVERY_STATE) if state != EVERY_STATE else ""
        )
        result["query_only_url"] = _url(QueryDict(), q=query) if query else ""
    return result
