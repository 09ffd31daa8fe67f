from django.urls import path

from . import history_views as views

app_name = "history"

urlpatterns = [
    path("commitments/<int:pk>/history/", views.commitment_history, name="commitment"),
    path("recommendations/<int:pk>/history/", views.recommendation_history, name="recommendation"),
]
