"""A saved search is a list page's kind and its normalised query string, read back through
the very FilterSets the pages use (recommendations/filters.py, jurisdictions/filters.py):
there is no second way to say what a search matches.

What changed "within a search" is the published commitments, new or changed since a
moment, that it reaches: the matching commitments themselves, the commitments of the
matching jurisdictions, or the local action on the matching recommendations. Each is one
query with the search as a subquery. A digest run of many searches asks the other way round
(candidates.py): which of the few commitments that changed does each search reach."""

from datetime import datetime
from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q, Subquery
from django.db.models.functions import Greatest
from django.http import QueryDict
from django.urls import reverse
from django.utils.translation import gettext as _

from recommendations.filters import RecommendationFilter
from recommendations.listing import clean_params
from recommendations.models import Recommendation

from ..filters import CommitmentFilter, JurisdictionFilter
from ..models import Commitment, CommitmentLink, Jurisdiction, ProgressUpdate
from ..publication import Publication
from .models import ListKind, SavedSearch

# Parameters that change how a page shows its rows, not which rows.
NOT_FILTERS = {"page", "sort", "facets", "page_size"}


FEED_URLS = {
    ListKind.RECOMMENDATIONS: "jurisdictions:recommendation-search-feed",
    ListKind.COMMITMENTS: "jurisdictions:commitment-search-feed",
    ListKind.JURISDICTIONS: "jurisdictions:jurisdiction-search-feed",
}


def filterset(kind: str, query: str):
    """The page's own FilterSet over the page's own rows, bound to the stored query."""
    params = QueryDict(query)
    if kind == ListKind.RECOMMENDATIONS:
        return RecommendationFilter(params, queryset=Recommendation.objects.all())
    if kind == ListKind.COMMITMENTS:
        return CommitmentFilter(params, queryset=Commitment.objects.published())
    return JurisdictionFilter(params, queryset=Jurisdiction.objects.all())


def filter_names(kind: str) -> set[str]:
    return set(filterset(kind, "").filters) - NOT_FILTERS


def normalise(kind: str, params: QueryDict) -> str:
    """The query string of the filters that decide the rows, in one order, each value once:
    `?theme=b&theme=a&page=3` and `?theme=a&theme=b` are one search."""
    params = clean_params(params)
    names = filter_names(kind)
    pairs = sorted(
        {(key, value.strip()) for key, values in params.lists() if key in names for value in values}
    )
    return urlencode(pairs)


def saved_search(kind: str, params: QueryDict) -> SavedSearch:
    """The stored search for these filters; a ValidationError if they are too long to keep."""
    query = normalise(kind, params)
    if len(query) > SavedSearch._meta.get_field("query").max_length:
        raise ValidationError(
            _("This search has too many filters to follow. Remove some and try again."),
            code="too_long",
        )
    search, _created = SavedSearch.objects.get_or_create(kind=kind, query=query)
    return search


def feed_url(kind: str, query: str) -> str:
    """The search's Atom feed: the list's address with /feed/."""
    path = reverse(FEED_URLS[kind])
    return f"{path}?{query}" if query else path


def matching(search: SavedSearch):
    """The rows the list page shows for this search (unsorted)."""
    return filterset(search.kind, search.query).qs


def reached_commitments(search: SavedSearch):
    """Published commitments within the search, as a queryset (never evaluated here)."""
    if search.kind == ListKind.COMMITMENTS:
        return matching(search)  # the page's own rows: published commitments
    rows = matching(search).order_by().values("pk")
    published = Commitment.objects.published()
    if search.kind == ListKind.JURISDICTIONS:
        return published.filter(jurisdiction__in=rows)
    links = CommitmentLink.objects.filter(commitment=OuterRef("pk"), recommendation__in=rows)
    return published.filter(Exists(links))


def with_changed_at(commitments):
    """Each commitment's last public change: published, edited (status included) or given
    a published progress update."""
    latest_update = (
        ProgressUpdate.objects.filter(commitment=OuterRef("pk"), publication=Publication.PUBLISHED)
        .order_by("-created_at")
        .values("created_at")[:1]
    )
    return commitments.annotate(
        changed_at=Greatest("updated_at", "published_at", Subquery(latest_update))
    )


def changed_since(commitments, since: datetime | None):
    """The commitments changed after `since`, each marked with .changed_at."""
    commitments = with_changed_at(commitments)
    if since is None:
        return commitments
    update = ProgressUpdate.objects.filter(
        commitment=OuterRef("pk"), publication=Publication.PUBLISHED, created_at__gt=since
    )
    return commitments.filter(Q(updated_at__gt=since) | Q(published_at__gt=since) | Exists(update))


def changes(search: SavedSearch, since: datetime | None):
    """What is new or changed within the search since `since`, newest first: one query."""
    return (
        changed_since(reached_commitments(search), since)
        .select_related("jurisdiction")
        .order_by("-changed_at", "-id")
    )
