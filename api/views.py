"""The read API, /api/v1/. Each list starts from the queryset its web page shows (published
commitments only, and so on), filters with the page's FilterSet (filtering.py) and pages
with a cursor (pagination.py). Nobody signs in to the API: a session is ignored, so an
editor sees what everyone sees; a key raises only the rate limit."""

import hashlib

from django.utils.cache import get_conditional_response
from django.utils.http import http_date, quote_etag
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from jurisdictions.filters import CommitmentFilter, JurisdictionFilter, commitment_facets
from jurisdictions.models import (
    Commitment,
    CommitmentLink,
    Jurisdiction,
    ProgressUpdate,
)
from recommendations import facets as facet_counting
from recommendations.filters import CountryFilter, RecommendationFilter, facet_counts
from recommendations.models import (
    AffectedGroup,
    Country,
    Recommendation,
    Review,
    SdgTarget,
    Theme,
)

from . import serializers
from .errors import ParameterError
from .filtering import WebFilterBackend, check_parameters, check_raw_query
from .pagination import IdCursorPagination
from .throttling import PublishedRateThrottle

FACETS_PARAMETER = OpenApiParameter(
    "facets",
    OpenApiTypes.BOOL,
    description="true: add each filter's values with how many results each would give "
    "under the other active filters, as the web page shows them.",
)


class ReadOnlyApi(viewsets.ReadOnlyModelViewSet):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [PublishedRateThrottle]
    pagination_class = IdCursorPagination
    filter_backends = [WebFilterBackend]
    # The column whose latest value is the list's or record's Last-Modified.
    modified_field: str | None = None
    extra_parameters: tuple = ()
    last_modified = None

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if self.action == "list":
            check_parameters(request, self)
        else:
            check_raw_query(request)
            if request.query_params:
                name = next(iter(request.query_params))
                raise ParameterError(name, _("A single record takes no parameters."))

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        self._note_modified(page)
        data = self.get_serializer(page, many=True).data
        return self.paginator.get_paginated_response(data, self.list_extra(queryset))

    def list_extra(self, queryset) -> dict:
        return {"count": queryset.count()}

    def filter_queryset(self, queryset):
        # A record is found by its key alone: the list's filters (and the page's default
        # state under review) do not apply to it.
        if self.action != "list":
            return queryset
        return super().filter_queryset(queryset)

    def retrieve(self, request, *args, **kwargs):
        instance = self.get_object()
        self._note_modified([instance])
        return Response(self.get_serializer(instance).data)

    def _note_modified(self, objects):
        if self.modified_field:
            stamps = [getattr(o, self.modified_field) for o in objects]
            stamps = [s for s in stamps if s]
            self.last_modified = max(stamps) if stamps else None

    def facets_wanted(self) -> bool:
        raw = self.request.query_params.get("facets", "")
        if raw.lower() in {"", "0", "false", "no"}:
            return False
        if raw.lower() in {"1", "true", "yes"}:
            return True
        raise ParameterError("facets", _("Say true or false."))

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if request.method in ("GET", "HEAD") and response.status_code == 200:
            # An ETag of the body itself: any change of what the client would read (a
            # record, a count, a facet) changes it.
            response.render()
            etag = quote_etag(hashlib.sha256(response.content).hexdigest()[:32])
            response["ETag"] = etag
            modified = int(self.last_modified.timestamp()) if self.last_modified else None
            if modified:
                response["Last-Modified"] = http_date(modified)
            response["Cache-Control"] = "public, max-age=60"
            response = get_conditional_response(
                request, etag=etag, last_modified=modified, response=response
            )
        response["Vary"] = "Accept, Authorization"
        return response


def _names() -> dict:
    """The small tables a recommendation's arrays are named through, read once."""
    return {
        "countries": dict(Country.objects.values_list("pk", "iso3")),
        "themes": dict(Theme.objects.values_list("pk", "slug")),
        "groups": dict(AffectedGroup.objects.values_list("pk", "slug")),
    }


@extend_schema_view(list=extend_schema(parameters=[FACETS_PARAMETER]))
class RecommendationViewSet(ReadOnlyApi):
    """Recommendations, with the filters and search (q) of /recommendations/. As there,
    a list without under_review or review shows the recommendations made to the United
    States; under_review=all shows every state's."""

    serializer_class = serializers.RecommendationSerializer
    filterset_class = RecommendationFilter
    lookup_field = "public_id"
    lookup_value_regex = "[^/]+"
    modified_field = "updated_at"
    extra_parameters = ("facets",)

    def get_queryset(self):
        return Recommendation.objects.select_related("review__state_under_review").defer(
            "search_vector", "search_vector_es", "curated_fields"
        )

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "names": _names()}

    def list_extra(self, queryset) -> dict:
        filterset = self.filterset
        data = filterset.form.cleaned_data
        extra = {}
        if self.facets_wanted():
            facets = facet_counts(filterset)
            extra["facets"] = _plain_facets(facets)
        # As the web page counts it: the response facet under every other filter, less
        # the responses not chosen (every recommendation has one response).
        by_response = facet_counting.compute(data, ["response"], top=set())["response"]
        chosen = set(data.get("response") or [])
        extra["count"] = sum(n for r, n in by_response.items() if not chosen or r in chosen)
        return dict(sorted(extra.items()))


def _plain_facets(facets) -> list[dict]:
    return [
        {
            "name": f["name"],
            "label": f["label"],
            "options": [
                {k: o[k] for k in ("value", "label", "count", "selected")} for o in f["options"]
            ],
        }
        for f in facets
        if not f.get("hidden")
    ]


class ReviewViewSet(ReadOnlyApi):
    """Reviews of every state under review (the /reviews/ page)."""

    serializer_class = serializers.ReviewSerializer
    queryset = Review.objects.select_related("state_under_review")


class CountryViewSet(ReadOnlyApi):
    """States, observers and groups, with the name filter of /countries/."""

    serializer_class = serializers.CountrySerializer
    filterset_class = CountryFilter
    queryset = Country.objects.all()
    lookup_field = "iso3"


class ThemeViewSet(ReadOnlyApi):
    """Themes of every vocabulary (UPR Info issues, UN Human Rights Index themes, this
    project's), each naming its broader theme (parent)."""

    serializer_class = serializers.ThemeSerializer
    queryset = Theme.objects.select_related("parent")
    lookup_field = "slug"


class AffectedGroupViewSet(ReadOnlyApi):
    """The groups of affected persons the UN Human Rights Index tags recommendations with."""

    serializer_class = serializers.AffectedGroupSerializer
    queryset = AffectedGroup.objects.all()
    lookup_field = "slug"


class SdgTargetViewSet(ReadOnlyApi):
    """The Sustainable Development Goals' targets (16.3), each naming its goal."""

    serializer_class = serializers.SdgTargetSerializer
    queryset = SdgTarget.objects.select_related("goal")
    lookup_field = "code"
    lookup_value_regex = "[0-9]+\\.[0-9a-z]+"


class JurisdictionViewSet(ReadOnlyApi):
    """Jurisdictions, with the filters of /jurisdictions/."""

    serializer_class = serializers.JurisdictionSerializer
    filterset_class = JurisdictionFilter
    queryset = Jurisdiction.objects.select_related("parent")
    lookup_field = "slug"


@extend_schema_view(list=extend_schema(parameters=[FACETS_PARAMETER]))
class CommitmentViewSet(ReadOnlyApi):
    """Published commitments, with the filters and search of /commitments/."""

    serializer_class = serializers.CommitmentSerializer
    filterset_class = CommitmentFilter
    modified_field = "updated_at"
    extra_parameters = ("facets",)

    def get_queryset(self):
        return Commitment.objects.for_export().defer("search_vector", "search_vector_es")

    def list_extra(self, queryset) -> dict:
        extra = {"count": queryset.count()}
        if self.facets_wanted():
            extra["facets"] = commitment_facets(self.filterset)
        return dict(sorted(extra.items()))


class ProgressUpdateViewSet(ReadOnlyApi):
    """Published progress updates of published commitments."""

    serializer_class = serializers.ProgressUpdateSerializer
    modified_field = "created_at"

    def get_queryset(self):
        return ProgressUpdate.objects.published()


class LinkViewSet(ReadOnlyApi):
    """Which published commitment answers which recommendation, how and why."""

    serializer_class = serializers.LinkSerializer

    def get_queryset(self):
        return CommitmentLink.objects.published().select_related("recommendation")
