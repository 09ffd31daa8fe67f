from django.urls import path

from . import import_views

app_name = "imports"

urlpatterns = [
    path("", import_views.import_list, name="list"),
    path("<int:pk>/", import_views.import_detail, name="detail"),
    path("<int:pk>/status.json", import_views.import_status, name="status"),
    path("<int:pk>/alias/", import_views.add_alias, name="alias"),
    path("<int:pk>/again/", import_views.rerun, name="rerun"),
]
