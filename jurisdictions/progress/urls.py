"""Staff URLs of indicators, measurements and milestones; staff/urls.py lists them among
its own, so they live in its "staff" namespace."""

from django.urls import path

from . import views

urlpatterns = [
    path("commitments/<int:pk>/indicators/new/", views.indicator_edit, name="indicator-create"),
    path(
        "commitments/<int:pk>/indicators/<int:indicator_pk>/",
        views.indicator_edit,
        name="indicator-edit",
    ),
    path(
        "indicators/<int:pk>/measurements/new/",
        views.measurement_edit,
        name="measurement-create",
    ),
    path(
        "indicators/<int:pk>/measurements/<int:measurement_pk>/",
        views.measurement_edit,
        name="measurement-edit",
    ),
    path(
        "commitments/<int:pk>/indicators/<int:indicator_pk>/delete/",
        views.indicator_delete,
        name="indicator-delete",
    ),
    path(
        "commitments/<int:pk>/milestones/<int:milestone_pk>/delete/",
        views.milestone_delete,
        name="milestone-delete",
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
