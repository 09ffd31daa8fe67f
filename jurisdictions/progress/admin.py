"""Admin for indicators, measurements and milestones; imported by jurisdictions/admin.py."""

from django.contrib import admin
from django.db import models
from simple_history.admin import SimpleHistoryAdmin

from recommendations.fetch import validate_public_url

from ..follow.admin import AnnouncesChanges
from .models import Indicator, Measurement, Milestone

PUBLIC_URLS = {models.URLField: {"validators": [validate_public_url]}}


class MeasurementInline(admin.TabularInline):
    formfield_overrides = PUBLIC_URLS
    model = Measurement
    extra = 0
    fields = ["measured_on", "value", "source_url", "publication", "review_note"]


@admin.register(Indicator)
class IndicatorAdmin(AnnouncesChanges, SimpleHistoryAdmin):
    list_display = ["name", "commitment", "direction", "target_date", "publication"]
    list_filter = ["publication", "direction"]
    search_fields = ["name", "commitment__title"]
    autocomplete_fields = ["commitment"]
    raw_id_fields = ["author"]
    list_select_related = ["commitment"]
    inlines = [MeasurementInline]


@admin.register(Milestone)
class MilestoneAdmin(AnnouncesChanges, SimpleHistoryAdmin):
    list_display = ["title", "commitment", "due_on", "done_on"]
    search_fields = ["title", "commitment__title"]
    autocomplete_fields = ["commitment"]
    list_select_related = ["commitment"]
