from django.urls import path

from . import calendars, compare, views
from .feeds import JurisdictionCommitmentFeed, SearchFeed, ThemeCommitmentFeed

app_name = "jurisdictions"

urlpatterns = [
    path("jurisdictions/", views.jurisdiction_list, name="jurisdiction-list"),
    # Before jurisdictions/<slug>/: every list's search has its feed at <list>/feed/.
    path(
        "jurisdictions/feed/",
        SearchFeed(kind="jurisdictions"),
        name="jurisdiction-search-feed",
    ),
    path(
        "recommendations/feed/",
        SearchFeed(kind="recommendations"),
        name="recommendation-search-feed",
    ),
    path("commitments/feed/", SearchFeed(kind="commitments"), name="commitment-search-feed"),
    path("compare/", compare.compare, name="compare"),
    path("jurisdictions/export.<str:fmt>", views.jurisdiction_export, name="jurisdiction-export"),
    path("jurisdictions/<slug:slug>/", views.jurisdiction_detail, name="jurisdiction-detail"),
    path(
        "jurisdictions/<slug:slug>/feed/",
        JurisdictionCommitmentFeed(),
        name="jurisdiction-feed",
    ),
    path(
        "jurisdictions/<slug:slug>/calendar.ics",
        calendars.jurisdiction_feed,
        name="jurisdiction-calendar",
    ),
    path("commitments/", views.commitment_list, name="commitment-list"),
    path("commitments/export.<str:fmt>", views.commitment_export, name="commitment-export"),
    path("commitments/<int:pk>/", views.commitment_detail, name="commitment-detail"),
    path("commitments/<int:pk>/cite.<str:fmt>", views.commitment_cite, name="commitment-cite"),
    path("themes/<slug:slug>/feed/", ThemeCommitmentFeed(), name="theme-feed"),
    path("feeds/commitments/", views.commitment_feed, name="commitment-feed"),
]
