from django.urls import path, register_converter

from . import views


class DayConverter:
    regex = "[0-9]{4}-[0-9]{2}-[0-9]{2}"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(DayConverter, "day")

app_name = "opendata"

urlpatterns = [
    path("data/", views.index, name="index"),
    path("data.json", views.data_json, name="data-json"),
    path("data/licence/", views.licence, name="licence"),
    path("data/latest/<str:name>", views.data_file, name="latest-file"),
    path("data/<day:day>/<str:name>", views.data_file, name="day-file"),
]
