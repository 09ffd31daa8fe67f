"""Staff URLs of indicators, measurements and milestones; staff/urls.py lists them among
its own, so they live in its "staff" namespace."""

from django.urls import path

from . import views

urlpatterns = [
    path("commitments/<int:pk>/indicators/new/", views.indicator_create, name="indicator-create"),
    path(
        "indicators/<int:pk>/measurements/new/",
        views.measurement_create,
        name="measurement-create",
    ),
    path("commitments/<int:pk>/milestones/new/", views.milestone_edit, name="milestone-create"),
    path(
        "commitments/<int:pk>/milestones/<int:milestone_pk>/",
        views.milestone_edit,
        name="milestone-edit",
    ),
    path("review/indicators/<int:pk>/decide/", views.indicator_decide, name="indicator-decide"),
    path(
        "review/measurements/<int:pk>/decide/",
        views.measurement_decide,
        name="measurement-decide",
    ),
]
