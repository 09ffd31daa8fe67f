from django.urls import path

from . import views

app_name = "embeds"

urlpatterns = [
    path("embed/jurisdictions/<slug:slug>/", views.jurisdiction, name="jurisdiction"),
    path("embed/r/<str:public_id>/", views.recommendation, name="recommendation"),
    path("embed/themes/<slug:slug>/", views.theme, name="theme"),
    path("oembed", views.oembed, name="oembed"),
]
