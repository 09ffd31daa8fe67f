"""What the recommendations list suggests next: a query that names a country points to the
country filters (recommendation texts rarely name who made them), and a search with no
results lists what to try instead."""

from django.http import QueryDict

from .filters import EVERY_STATE
from .models import HOME_STATE, Country, normalise_name


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


def hints(params: QueryDict, query: str, count: int, state: str | None) -> dict:
    country = named_country(query)
    result = {"country": country, "no_results": count == 0}
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
