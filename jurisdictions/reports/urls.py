from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.my_reports, name="list"),
    path("basket/", views.basket_view, name="basket"),
    path("new/", views.new, name="new"),
    path("<int:pk>/", views.saved_by_number, name="by-number"),
    path("<uuid:token>/", views.saved, name="detail"),
    path("<uuid:token>/delete/", views.delete, name="delete"),
    path("<uuid:token>/report.<str:fmt>", views.saved_download, name="saved-download"),
    path("builds/<uuid:token>/", views.build_status, name="build"),
    path("builds/<uuid:token>/file", views.build_file, name="build-file"),
    path("<str:kind>.<str:fmt>", views.stable_download, name="download"),
]
