"""Every staff and curator page, with the data that fills it, for the tests that walk them
all (help text, phone width, accessibility). Each page is listed with the person who
opens it; a page added to /manage/ belongs here."""

from dataclasses import dataclass, field
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from jurisdictions import peer_digest
from jurisdictions.follow.models import Webhook, WebhookDelivery
from jurisdictions.models import Invitation
from recommendations.absolute_urls import base_url
from recommendations.models import CalendarEntry, ImportRun
from tests import factories as f

PASSWORD = "fair-housing-in-2024!"
MANAGER = "manager@pittsburgh.example"
CURATOR = "curator@example.org"
INVITATION_TOKEN = "staff-pages-token"


@dataclass
class StaffScene:
    pages: dict[str, list[str]] = field(default_factory=dict)  # email ("" = anonymous) -> paths
    refused: list[str] = field(default_factory=list)  # curator pages the manager opens: 403
    editable: str = ""  # a manager's form that saves as it stands, then shows a flash message


def build_staff_scene() -> StaffScene:
    pittsburgh = f.jurisdiction(name="Pittsburgh", slug="pittsburgh")
    f.jurisdiction(name="City of Pittsburgh", slug="city-of-pittsburgh")
    manager = f.user(email=MANAGER, password=PASSWORD)
    f.membership(manager, pittsburgh, role="manager")
    f.membership(f.user(email="a.rather.long.address.for.an.editor@pittsburgh.example"), pittsburgh)
    f.curator(email=CURATOR, password=PASSWORD)
    theme = f.theme(vocabulary="uhri", name="Right to adequate housing")
    housing = f.recommendation(
        text="Prohibit discrimination in rental housing based on a tenant's source of income.",
        themes=[theme],
    )
    f.recommendation(text="Guarantee legal counsel to tenants facing eviction from housing.")
    submitted = f.commitment(
        jurisdiction=pittsburgh,
        title="Rental housing protections for tenants with housing vouchers",
        summary="Source of income discrimination in rental housing is banned.",
        publication="submitted",
        source_url="https://pittsburghpa.gov/council/legislation/2021/a-very-long-address-that-"
        "does-not-break-on-its-own/ordinance-text-and-attachments",
    )
    f.link(submitted, housing, rationale="The ordinance bans it.")
    f.update(submitted, publication="submitted")
    indicator = f.indicator(
        submitted, name="Voucher holders turned away, as reported to the commission"
    )
    f.measurement(indicator, publication="submitted")
    milestone = f.milestone(submitted, title="First enforcement report to the council")
    unsent = f.indicator(submitted, name="Complaints settled within 90 days", publication="draft")
    f.measurement(unsent, publication="draft")
    draft = f.commitment(
        jurisdiction=pittsburgh, title="Fair housing ordinance", publication="draft"
    )
    deadline = CalendarEntry.objects.create(
        review=housing.review,
        kind="stakeholder_deadline",
        starts_on=timezone.localdate() + timedelta(days=90),
        note="Illustrative date for the staff pages.",
    )
    f.commitment(jurisdiction=pittsburgh, title="Fair housing ordinance (duplicate)")
    Invitation.objects.create(
        email="newcomer@pittsburgh.example",
        jurisdiction=pittsburgh,
        role="editor",
        token=INVITATION_TOKEN,
        expires_at=timezone.now() + timedelta(days=7),
    )
    run = ImportRun.objects.create(
        file_name="upr-info-united-states-of-america-all-cycles-2024-11-30-export.xlsx",
        file_path="/tmp/none.xlsx",
        status="failed",
        rows_total=6094,
        errors=2,
        report={
            "errors": [
                {"line": 12, "column": "Recommending State", "message": "Unknown state."},
                {"line": 40, "column": "Response", "message": "Unknown response “maybe”."},
            ]
        },
    )
    ImportRun.objects.create(
        file_name="uhri.xlsx", file_path="/tmp/u.xlsx", status="succeeded", created=1200
    )
    hook = Webhook.objects.create(
        url="https://hooks.coalition-for-housing-justice.example/upr-tracker/events",
        secret="a" * 64,
        events=["commitment.published", "commitment.updated"],
        jurisdiction=pittsburgh,
        owner=manager,
        owner_email=MANAGER,
    )
    delivery = WebhookDelivery.objects.create(webhook=hook, event="commitment.updated", payload={})
    delivery.attempt_log.create(status_code=503, duration_ms=120)
    delivery.attempt_log.create(error="Connection refused", duration_ms=4)
    slug = pittsburgh.slug
    return StaffScene(
        pages={
            "": [
                reverse("account_login"),
                reverse("staff:accept-invitation", args=[INVITATION_TOKEN]),
                peer_digest.settings_url(manager.pk).removeprefix(base_url()),
            ],
            MANAGER: [
                reverse("staff:home"),
                reverse("staff:jurisdiction", args=[slug]),
                reverse("staff:commitment-create", args=[slug]),
                reverse("staff:commitment", args=[submitted.pk]) + "?q=housing",
                reverse("staff:commitment", args=[draft.pk]),
                reverse("staff:commitment-edit", args=[submitted.pk]),
                reverse("staff:commitment-delete", args=[draft.pk]),
                reverse("staff:update-create", args=[submitted.pk]),
                reverse("staff:commitment-import", args=[slug]),
                reverse("staff:spreadsheet", args=[slug]),
                reverse("staff:indicator-create", args=[submitted.pk]),
                reverse("staff:measurement-create", args=[indicator.pk]),
                reverse("staff:milestone-create", args=[submitted.pk]),
                reverse("staff:indicator-delete", args=[submitted.pk, unsent.pk]),
                reverse("staff:milestone-delete", args=[submitted.pk, milestone.pk]),
                reverse("staff:webhooks"),
                reverse("staff:webhook", args=[hook.pk]),
                reverse("subscriptions:mine"),
            ],
            CURATOR: [
                reverse("staff:home"),
                reverse("staff:review-queue"),
                reverse("staff:review-commitment", args=[submitted.pk]),
                reverse("staff:merge", args=["commitments"]) + "?q=fair+housing",
                reverse("staff:merge", args=["jurisdictions"]) + "?q=pittsburgh",
                reverse("staff:recommendation-edit", args=[housing.pk]),
                reverse("staff:themes"),
                reverse("staff:theme-create"),
                reverse("staff:theme-edit", args=[theme.pk]),
                reverse("staff:calendar"),
                reverse("staff:calendar-create"),
                reverse("staff:calendar-edit", args=[deadline.pk]),
                reverse("imports:list"),
                reverse("imports:detail", args=[run.pk]),
            ],
        },
        refused=[reverse("staff:review-queue"), reverse("imports:list")],
        editable=reverse("staff:commitment-edit", args=[submitted.pk]),
    )
