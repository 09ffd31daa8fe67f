from django.urls import path

from . import calendars, mirror, views

app_name = "recommendations"

urlpatterns = [
    path("", views.home, name="home"),
    path("recommendations/", views.recommendation_list, name="recommendation-list"),
    path(
        "recommendations/export.<str:fmt>",
        views.recommendation_export,
        name="recommendation-export",
    ),
    # The numeric address redirects to the permanent one, /r/<public id>/.
    path("recommendations/<int:pk>/", views.recommendation_by_pk, name="recommendation-detail"),
    path("r/<str:public_id>/", views.recommendation_detail, name="recommendation-permanent"),
    path(
        "r/<str:public_id>/cite.<str:fmt>",
        views.recommendation_cite,
        name="recommendation-cite",
    ),
    path("themes/", views.theme_list, name="theme-list"),
    path("mirror/", mirror.mirror, name="mirror"),
    path("themes/<slug:slug>/", views.theme_detail, name="theme-detail"),
    path("countries/", views.country_index, name="country-list"),
    path("reviews/", views.review_index, name="review-list"),
    path("calendar/", calendars.calendar_page, name="calendar"),
    path("calendar/upr.ics", calendars.upr_feed, name="calendar-feed"),
    path("countries/<str:iso3>/", views.country_detail, name="country-detail"),
    path("reviews/<int:pk>/", views.review_detail, name="review-detail"),
]
