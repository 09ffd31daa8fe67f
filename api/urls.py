from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularJSONAPIView
from rest_framework.routers import SimpleRouter

from . import docs, views, webhooks
from .errors import not_found

app_name = "api"

router = SimpleRouter()
router.register("recommendations", views.RecommendationViewSet, basename="recommendation")
router.register("reviews", views.ReviewViewSet, basename="review")
router.register("countries", views.CountryViewSet, basename="country")
router.register("themes", views.ThemeViewSet, basename="theme")
router.register("affected-groups", views.AffectedGroupViewSet, basename="affected-group")
router.register("sdg-targets", views.SdgTargetViewSet, basename="sdg-target")
router.register("jurisdictions", views.JurisdictionViewSet, basename="jurisdiction")
router.register("commitments", views.CommitmentViewSet, basename="commitment")
router.register("progress-updates", views.ProgressUpdateViewSet, basename="progress-update")
router.register("links", views.LinkViewSet, basename="link")

urlpatterns = [
    path("v1/", docs.documentation, name="docs"),
    path("v1/openapi.json", SpectacularJSONAPIView.as_view(), name="openapi"),
    # Webhooks are registered with a key (webhooks.py); not part of the read API's document.
    path("v1/webhooks/", webhooks.webhook_list, name="webhooks"),
    path("v1/webhooks/<int:pk>/", webhooks.webhook_detail, name="webhook"),
    path("v1/", include(router.urls)),
    # Anything else under /api/ answers in JSON too.
    re_path(r"^.*$", not_found),
]
