from django.contrib import admin
from django.db import models
from django.db.models import Count
from simple_history.admin import SimpleHistoryAdmin

from .fetch import validate_public_url
from .models import (
    AffectedGroup,
    CalendarEntry,
    Country,
    Recommendation,
    Review,
    SdgGoal,
    SdgTarget,
    TaskRun,
    Theme,
    UpstreamSource,
)
from .recurrence import refresh_recommended_again


@admin.register(Country)
class CountryAdmin(admin.ModelAdmin):
    list_display = ["name", "iso3", "region", "kind"]
    list_filter = ["region", "kind"]
    search_fields = ["name", "iso3", "formal_name"]


class CalendarEntryInline(admin.TabularInline):
    model = CalendarEntry
    extra = 0


@admin.register(CalendarEntry)
class CalendarEntryAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "kind", "starts_on", "ends_on", "review"]
    list_filter = ["kind", "review__cycle"]
    list_select_related = ["review__state_under_review"]
    autocomplete_fields = ["review"]


@admin.register(Review)
class ReviewAdmin(SimpleHistoryAdmin):
    # The review's own dates (review_date, wg_session, response_date) are the UPR
    # calendar's sessions and responses; the inline holds the dates it does not.
    inlines = [CalendarEntryInline]
    list_display = [
        "__str__",
        "wg_session",
        "review_date",
        "response_date",
        "report_symbol",
        "status",
    ]
    list_filter = ["status", "cycle"]
    search_fields = ["state_under_review__name", "report_symbol", "response_symbol"]
    autocomplete_fields = ["state_under_review"]
    list_select_related = ["state_under_review"]


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    list_display = ["name", "vocabulary", "parent", "recommendation_count"]
    list_filter = ["vocabulary"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["parent", "related"]
    list_select_related = ["parent"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_recs=Count("recommendations"))

    @admin.display(ordering="n_recs", description="recommendations")
    def recommendation_count(self, obj):
        return obj.n_recs


@admin.register(AffectedGroup)
class AffectedGroupAdmin(admin.ModelAdmin):
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


class SdgTargetInline(admin.TabularInline):
    model = SdgTarget
    extra = 0


@admin.register(SdgGoal)
class SdgGoalAdmin(admin.ModelAdmin):
    list_display = ["number", "title"]
    inlines = [SdgTargetInline]


@admin.register(SdgTarget)
class SdgTargetAdmin(admin.ModelAdmin):
    list_display = ["code", "title", "goal"]
    list_filter = ["goal"]
    search_fields = ["code", "title"]
    list_select_related = ["goal"]


@admin.register(Recommendation)
class RecommendationAdmin(SimpleHistoryAdmin):
    list_display = ["citation", "short_text", "response", "action_category", "local_status"]
    list_filter = [
        "response",
        "review__cycle",
        "action_category",
        "local_status",
        "recommending_countries__region",
        "themes__vocabulary",
    ]
    search_fields = ["text", "paragraph", "review__report_symbol", "upr_info_key"]
    autocomplete_fields = [
        "review",
        "recommending_countries",
        "themes",
        "affected_groups",
        "sdg_targets",
    ]
    readonly_fields = ["local_status", "jurisdictions_acting", "created_at", "updated_at"]
    list_select_related = ["review__state_under_review"]

    def get_queryset(self, request):
        # A citation without a paragraph names the recommending states (citations.py).
        return super().get_queryset(request).prefetch_related("recommending_countries")

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # "Recommended again" is computed on write: for the state the recommendation is
        # now under, and for the one it left if its review changed.
        reviews = {form.instance.review_id, form.initial.get("review")} - {None}
        refresh_recommended_again(Recommendation.objects.filter(review__in=reviews))

        if change:
            # A curator's correction in the admin outlives the next import of the same file.
            form.instance.mark_curated(form.changed_data)

    @admin.display(description="text")
    def short_text(self, obj):
        return obj.text if len(obj.text) <= 90 else obj.text[:87] + "…"


@admin.register(TaskRun)
class TaskRunAdmin(admin.ModelAdmin):
    """Read-only: operators check here that the nightly jobs ran and what they changed."""

    list_display = ["task", "started_at", "finished_at", "outcome", "counts"]
    list_filter = ["outcome", "task"]
    date_hierarchy = "started_at"
    readonly_fields = ["task", "started_at", "finished_at", "outcome", "counts", "error"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(UpstreamSource)
class UpstreamSourceAdmin(admin.ModelAdmin):
    # The sync job downloads this address from inside the deployment.
    formfield_overrides = {models.URLField: {"validators": [validate_public_url]}}
    list_display = ["name", "format", "enabled", "last_checked_at", "last_error"]
    list_filter = ["enabled", "format"]
    readonly_fields = ["etag", "last_hash", "last_checked_at", "last_error"]
