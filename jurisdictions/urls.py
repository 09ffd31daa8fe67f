from django.urls import path

from . import views

app_name = "jurisdictions"

urlpatterns = [
    path("jurisdictions/<slug:slug>/", views.jurisdiction_detail, name="jurisdiction-detail"),
    path("commitments/<int:pk>/", views.commitment_detail, name="commitment-detail"),
]
