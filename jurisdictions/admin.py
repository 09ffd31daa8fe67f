from django.contrib import admin
from django.db import models
from simple_history.admin import SimpleHistoryAdmin

from recommendations.admin import RecommendationAdmin
from recommendations.fetch import validate_public_url
from recommendations.models import Recommendation

from .follow.admin import AnnouncesChanges, AnnouncesCommitmentChanges, AnnouncesLinkChanges
from .models import (
    Commitment,
    CommitmentLink,
    DigestDelivery,
    EvidenceLink,
    Jurisdiction,
    Network,
    NetworkMembership,
    ProgressUpdate,
    Report,
    ReportBuild,
    Subscription,
)

# The link checker fetches these addresses; the admin refuses internal ones as the staff
# forms do.
PUBLIC_URLS = {models.URLField: {"validators": [validate_public_url]}}


@admin.register(Jurisdiction)
class JurisdictionAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "state_code", "fips", "parent"]
    list_filter = ["kind", "state_code"]
    search_fields = ["name", "slug", "fips"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["parent"]
    list_select_related = ["parent"]


class NetworkMembershipInline(admin.TabularInline):
    model = NetworkMembership
    extra = 0
    autocomplete_fields = ["jurisdiction"]


@admin.register(Network)
class NetworkAdmin(admin.ModelAdmin):
    list_display = ["name", "kind"]
    list_filter = ["kind"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [NetworkMembershipInline]


class CommitmentLinkInline(admin.TabularInline):
    model = CommitmentLink
    extra = 0
    autocomplete_fields = ["recommendation"]
    fields = ["recommendation", "relation", "rationale"]


class ProgressUpdateInline(admin.StackedInline):
    formfield_overrides = PUBLIC_URLS
    model = ProgressUpdate
    extra = 0
    fields = ["reported_on", "status", "summary", "evidence_url", "publication", "review_note"]


@admin.register(Commitment)
class CommitmentAdmin(AnnouncesCommitmentChanges, SimpleHistoryAdmin):
    formfield_overrides = PUBLIC_URLS
    list_display = [
        "title",
        "jurisdiction",
        "kind",
        "status",
        "publication",
        "adopted_on",
        "is_overdue",
        "is_stale",
    ]
    list_filter = [
        "publication",
        "status",
        "kind",
        "is_overdue",
        "is_stale",
        "jurisdiction__kind",
        "jurisdiction__state_code",
    ]
    search_fields = ["title", "summary", "instrument_ref", "jurisdiction__name"]
    autocomplete_fields = ["jurisdiction", "themes", "created_by"]
    readonly_fields = ["version", "is_overdue", "is_stale", "created_at", "updated_at"]
    list_select_related = ["jurisdiction"]
    date_hierarchy = "adopted_on"
    inlines = [CommitmentLinkInline, ProgressUpdateInline]


@admin.register(CommitmentLink)
class CommitmentLinkAdmin(AnnouncesChanges, SimpleHistoryAdmin):
    list_display = ["commitment", "relation", "recommendation"]
    list_filter = ["relation"]
    search_fields = ["commitment__title", "recommendation__text", "recommendation__paragraph"]
    autocomplete_fields = ["commitment", "recommendation"]
    list_select_related = ["commitment", "recommendation__review__state_under_review"]


@admin.register(ProgressUpdate)
class ProgressUpdateAdmin(AnnouncesChanges, SimpleHistoryAdmin):
    formfield_overrides = PUBLIC_URLS
    list_display = ["commitment", "reported_on", "status", "publication"]
    list_filter = ["publication", "status"]
    search_fields = ["commitment__title", "summary"]
    autocomplete_fields = ["commitment"]
    list_select_related = ["commitment"]
    date_hierarchy = "reported_on"


@admin.register(EvidenceLink)
class EvidenceLinkAdmin(admin.ModelAdmin):
    list_display = ["url", "last_checked_at", "last_status_code", "consecutive_failures", "is_dead"]
    list_filter = ["is_dead"]
    search_fields = ["url"]


# Staff accounts (issue 4): memberships and invitations.
from .models import Invitation, Membership  # noqa: E402


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "jurisdiction", "role", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__email", "jurisdiction__name"]
    autocomplete_fields = ["jurisdiction"]
    raw_id_fields = ["user"]
    list_select_related = ["user", "jurisdiction"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "jurisdiction", "role", "expires_at", "accepted_at"]
    list_filter = ["role"]
    search_fields = ["email", "jurisdiction__name"]
    # Only the hash is stored; it is of no use to anyone reading it.
    exclude = ["token_hash"]
    raw_id_fields = ["invited_by"]
    autocomplete_fields = ["jurisdiction"]
    list_select_related = ["jurisdiction"]


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = ["email", "target", "confirmed_at", "unsubscribed_at", "last_sent_at"]
    list_filter = [("confirmed_at", admin.EmptyFieldListFilter), "unsubscribed_at"]
    search_fields = ["email"]
    readonly_fields = ["token", "created_at", "confirmed_at", "last_sent_at"]
    raw_id_fields = ["theme", "jurisdiction", "recommendation"]
    list_select_related = ["theme", "jurisdiction", "recommendation__review"]


@admin.register(DigestDelivery)
class DigestDeliveryAdmin(admin.ModelAdmin):
    """Read-only record of every digest: the sender owns the status field."""

    list_display = ["email", "kind", "period", "status", "attempts", "sent_at"]
    list_filter = ["status", "kind", "period"]
    search_fields = ["email"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


# The recommendation admin, with the commitments that answer it: the link table is ours.
class CommitmentLinkInline(admin.TabularInline):
    model = CommitmentLink
    extra = 0
    autocomplete_fields = ["commitment"]
    fields = ["commitment", "relation", "rationale"]


admin.site.unregister(Recommendation)


@admin.register(Recommendation)
class RecommendationWithLinksAdmin(AnnouncesLinkChanges, RecommendationAdmin):
    inlines = [CommitmentLinkInline]


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "owner", "updated_at"]
    list_filter = ["kind"]
    list_select_related = ["owner"]
    search_fields = ["title", "organisations"]
    raw_id_fields = ["owner"]


@admin.register(ReportBuild)
class ReportBuildAdmin(admin.ModelAdmin):
    """Background builds of large reports, for an operator following one that failed."""

    list_display = ["token", "format", "status", "done", "total", "created_at", "finished_at"]
    list_filter = ["status", "format"]
    readonly_fields = ["token", "spec", "format", "status", "done", "total", "file", "error"]

    def has_add_permission(self, request):
        return False


# Indicators, measurements and milestones (progress over time) have their own module.
from .progress import admin as progress_admin  # noqa: E402, F401
