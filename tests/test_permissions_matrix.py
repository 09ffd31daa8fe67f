"""Every write URL of the staff screens against every role.

Allowed roles must succeed (a redirect that is not to sign-in, and the database changed);
every other role must get 403, 404 or a redirect to sign-in with the database unchanged.
"""

from dataclasses import dataclass
from datetime import date

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from jurisdictions.follow.models import Webhook
from jurisdictions.models import (
    Commitment,
    CommitmentLink,
    Indicator,
    Invitation,
    Jurisdiction,
    Measurement,
    Membership,
    Milestone,
    NetworkMembership,
    PeerDigestFollow,
    ProgressUpdate,
)
from jurisdictions.moderation import review_state, submission_state, update_state
from recommendations.models import CalendarEntry, Recommendation, Theme
from tests import factories as f

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "editor_here", "editor_elsewhere", "manager", "curator", "admin"]
EDITORS = {"editor_here", "manager", "curator", "admin"}
MANAGERS = {"manager", "curator", "admin"}
CURATORS = {"curator", "admin"}


@dataclass
class World:
    here: Jurisdiction
    elsewhere: Jurisdiction
    duplicate_place: Jurisdiction
    draft: Commitment
    twin: Commitment
    submitted: Commitment
    link: CommitmentLink
    unlinked: Recommendation
    pending_update: ProgressUpdate
    indicator: Indicator
    pending_measurement: Measurement
    removable: Membership
    theme: Theme
    users: dict
    model: Commitment  # published elsewhere, for "Adopt a similar commitment"
    calendar_entry: CalendarEntry
    public_indicator: Indicator  # has been public: only curators delete it
    milestone: Milestone
    webhook: object = None  # editor_here's, on their jurisdiction


@pytest.fixture
def world():
    here = f.jurisdiction(name="Pittsburgh", slug="pittsburgh")
    elsewhere = f.jurisdiction(name="Allegheny County", slug="allegheny", kind="county")
    duplicate_place = f.jurisdiction(name="Pittsburgh (duplicate)", slug="pittsburgh-dup")
    draft = f.commitment(jurisdiction=here, title="Fair housing", publication="draft")
    twin = f.commitment(jurisdiction=here, title="Fair housing again", publication="draft")
    submitted = f.commitment(jurisdiction=here, title="Police review", publication="submitted")
    rec = f.recommendation(text="Combat housing discrimination.")
    unlinked = f.recommendation(text="Ensure police accountability.")
    link = f.link(draft, rec)
    pending_update = f.update(submitted, publication="submitted", summary="Board formed.")
    indicator = f.indicator(draft, publication="submitted")
    pending_measurement = f.measurement(indicator, publication="submitted")
    users = {
        "anonymous": None,
        "editor_here": f.user(email="editor@pittsburgh.example"),
        "editor_elsewhere": f.user(email="editor@county.example"),
        "manager": f.user(email="manager@pittsburgh.example"),
        "curator": f.curator(email="curator@example.org"),
        "admin": f.admin_user(email="admin@example.org"),
    }
    f.membership(users["editor_here"], here)
    f.membership(users["editor_elsewhere"], elsewhere)
    f.membership(users["manager"], here, role="manager")
    removable = f.membership(f.user(email="leaving@pittsburgh.example"), here)
    world = World(
        here=here,
        elsewhere=elsewhere,
        duplicate_place=duplicate_place,
        draft=draft,
        twin=twin,
        submitted=submitted,
        link=link,
        unlinked=unlinked,
        pending_update=pending_update,
        indicator=indicator,
        pending_measurement=pending_measurement,
        removable=removable,
        theme=f.theme(name="Housing"),
        users=users,
        model=f.commitment(jurisdiction=elsewhere, title="County eviction defence"),
        calendar_entry=CalendarEntry.objects.create(
            review=rec.review, kind="stakeholder_deadline", starts_on=date(2025, 4, 14)
        ),
        public_indicator=f.indicator(draft, name="Families housed"),
        milestone=f.milestone(draft),
    )
    world.webhook = Webhook.objects.create(
        url="https://hooks.example.org/pittsburgh",
        secret="s",
        events=["commitment.updated"],
        jurisdiction=here,
        owner=users["editor_here"],
        owner_email=users["editor_here"].email,
        disabled_at=timezone.now(),
    )
    return world


def _commitment_data(w, **extra):
    data = {
        "title": "Right to counsel in eviction cases",
        "kind": "ordinance",
        "status": "adopted",
        "summary": "Tenants facing eviction get a lawyer.",
        "adopted_on": "2021-05-01",
        "version": w.draft.version,
    }
    data.update(extra)
    return data


def seen(commitment):
    """What the review page carries: the version and state the curator read."""
    return {"version": commitment.version, "state": review_state(commitment)}


def _csv(w):
    body = "title,kind,status,adopted_on\nEviction defence fund,budget,adopted,2022-01-01\n"
    return {"file": SimpleUploadedFile("c.csv", body.encode(), content_type="text/csv")}


STAFF = {"editor_here", "editor_elsewhere", "manager", "curator", "admin"}
# A webhook is its owner's alone; curators have no say over another's.
OWNER = {"editor_here"}

# (name, url, POST data, roles allowed)
WRITES = {
    # Any staff member may follow a saved search (a jurisdiction only among their own:
    # tests/test_webhooks.py).
    "webhook-register": (
        lambda w: reverse("staff:webhooks"),
        lambda w: {
            "url": "https://hooks.example.org/new",
            "events": ["commitment.updated"],
            "search": "/commitments/?status=adopted",
        },
        STAFF,
    ),
    "webhook-enable": (
        lambda w: reverse("staff:webhook-enable", args=[w.webhook.pk]),
        lambda w: {},
        OWNER,
    ),
    "webhook-delete": (
        lambda w: reverse("staff:webhook-delete", args=[w.webhook.pk]),
        lambda w: {},
        OWNER,
    ),
    "create": (
        lambda w: reverse("staff:commitment-create", args=[w.here.slug]),
        _commitment_data,
        EDITORS,
    ),
    "adopt": (
        lambda w: reverse("staff:commitment-adopt", args=[w.model.pk]),
        lambda w: _commitment_data(w, jurisdiction=w.here.slug),
        EDITORS,
    ),
    "edit": (
        lambda w: reverse("staff:commitment-edit", args=[w.draft.pk]),
        _commitment_data,
        EDITORS,
    ),
    "delete": (
        lambda w: reverse("staff:commitment-delete", args=[w.draft.pk]),
        lambda w: {},
        EDITORS,
    ),
    "link": (
        lambda w: reverse("staff:link-add", args=[w.draft.pk]),
        lambda w: {"recommendation": w.unlinked.pk, "relation": "partial", "rationale": "Fits."},
        EDITORS,
    ),
    "unlink": (
        lambda w: reverse("staff:link-remove", args=[w.draft.pk, w.link.pk]),
        lambda w: {},
        EDITORS,
    ),
    "progress_update": (
        lambda w: reverse("staff:update-create", args=[w.draft.pk]),
        lambda w: {"reported_on": "2022-02-01", "status": "in_progress", "summary": "Hired."},
        EDITORS,
    ),
    "submit": (
        lambda w: reverse("staff:commitment-submit", args=[w.draft.pk]),
        lambda w: {},
        EDITORS,
    ),
    "approve": (
        lambda w: reverse("staff:review-commitment-decide", args=[w.submitted.pk]),
        lambda w: {"decision": "approve", **seen(w.submitted)},
        CURATORS,
    ),
    "reject": (
        lambda w: reverse("staff:review-commitment-decide", args=[w.submitted.pk]),
        lambda w: {
            "decision": "reject",
            "reason": "Add the ordinance number.",
            **seen(w.submitted),
        },
        CURATORS,
    ),
    "approve_update": (
        lambda w: reverse("staff:review-update-decide", args=[w.pending_update.pk]),
        lambda w: {"decision": "approve", "state": update_state(w.pending_update)},
        CURATORS,
    ),
    "add_indicator": (
        lambda w: reverse("staff:indicator-create", args=[w.draft.pk]),
        lambda w: {
            "name": "Tenants with a lawyer",
            "direction": "up",
            "baseline_value": "0",
            "baseline_date": "2021-01-01",
            "target_value": "500",
            "target_date": "2024-01-01",
        },
        EDITORS,
    ),
    "add_measurement": (
        lambda w: reverse("staff:measurement-create", args=[w.indicator.pk]),
        lambda w: {
            "measured_on": "2022-01-01",
            "value": "120",
            "source_url": "https://example.org/report",
        },
        EDITORS,
    ),
    "add_milestone": (
        lambda w: reverse("staff:milestone-create", args=[w.draft.pk]),
        lambda w: {"title": "Hearing", "due_on": "2022-05-01"},
        EDITORS,
    ),
    "delete_indicator": (
        lambda w: reverse("staff:indicator-delete", args=[w.draft.pk, w.indicator.pk]),
        lambda w: {},
        EDITORS,
    ),
    "delete_public_indicator": (
        lambda w: reverse("staff:indicator-delete", args=[w.draft.pk, w.public_indicator.pk]),
        lambda w: {},
        CURATORS,
    ),
    "delete_milestone": (
        lambda w: reverse("staff:milestone-delete", args=[w.draft.pk, w.milestone.pk]),
        lambda w: {},
        EDITORS,
    ),
    # Members of a jurisdiction, each for their own account only; a curator without a
    # jurisdiction has no recommendations to follow.
    "peer_digest_on": (
        lambda w: reverse("staff:peer-digest"),
        lambda w: {"digest": "on"},
        {"editor_here", "editor_elsewhere", "manager"},
    ),
    "approve_indicator": (
        lambda w: reverse("staff:indicator-decide", args=[w.indicator.pk]),
        lambda w: {"decision": "approve", "state": submission_state(w.indicator)},
        CURATORS,
    ),
    "return_measurement": (
        lambda w: reverse("staff:measurement-decide", args=[w.pending_measurement.pk]),
        lambda w: {
            "decision": "reject",
            "reason": "Cite the table.",
            "state": submission_state(w.pending_measurement),
        },
        CURATORS,
    ),
    "merge_commitments": (
        lambda w: reverse("staff:merge", args=["commitments"]),
        lambda w: {"survivor": w.draft.pk, "duplicate": w.twin.pk},
        CURATORS,
    ),
    "merge_jurisdictions": (
        lambda w: reverse("staff:merge", args=["jurisdictions"]),
        lambda w: {"survivor": w.here.pk, "duplicate": w.duplicate_place.pk},
        CURATORS,
    ),
    "invite": (
        lambda w: reverse("staff:invite", args=[w.here.slug]),
        lambda w: {"email": "new.editor@pittsburgh.example", "role": "editor"},
        MANAGERS,
    ),
    "remove_member": (
        lambda w: reverse("staff:member-remove", args=[w.here.slug, w.removable.pk]),
        lambda w: {},
        MANAGERS,
    ),
    "bulk_import": (
        lambda w: reverse("staff:commitment-import", args=[w.here.slug]),
        _csv,
        EDITORS,
    ),
    "edit_recommendation": (
        lambda w: reverse("staff:recommendation-edit", args=[w.unlinked.pk]),
        lambda w: {
            "paragraph": "26.99",
            "text": "Ensure police accountability now.",
            "response": "noted",
        },
        CURATORS,
    ),
    "create_theme": (
        lambda w: reverse("staff:theme-create"),
        lambda w: {"vocabulary": "project", "name": "Policing"},
        CURATORS,
    ),
    "add_calendar_date": (
        lambda w: reverse("staff:calendar-create"),
        lambda w: {
            "review": w.calendar_entry.review_id,
            "kind": "national_report",
            "starts_on": "2025-08-04",
        },
        CURATORS,
    ),
    "move_calendar_date": (
        lambda w: reverse("staff:calendar-edit", args=[w.calendar_entry.pk]),
        lambda w: {
            "review": w.calendar_entry.review_id,
            "kind": "stakeholder_deadline",
            "starts_on": "2025-04-28",
        },
        CURATORS,
    ),
    "remove_calendar_date": (
        lambda w: reverse("staff:calendar-delete", args=[w.calendar_entry.pk]),
        lambda w: {},
        CURATORS,
    ),
}


def snapshot():
    """Everything a write URL could change, as comparable plain values."""
    tables = [
        (Commitment, ["updated_at", "search_vector"]),
        (CommitmentLink, []),
        (ProgressUpdate, []),
        (Indicator, []),
        (Measurement, []),
        (Milestone, []),
        (Membership, []),
        (Invitation, []),
        (Jurisdiction, []),
        (NetworkMembership, []),
        (PeerDigestFollow, []),
        (Recommendation, ["updated_at", "search_vector"]),
        (Theme, []),
        (CalendarEntry, []),
        (Webhook, []),
    ]
    state = {}
    for model, skip in tables:
        fields = [fl.attname for fl in model._meta.concrete_fields if fl.attname not in skip]
        state[model.__name__] = sorted(model.objects.values_list(*fields), key=str)
        state[f"{model.__name__} history"] = (
            model.history.count() if hasattr(model, "history") else None
        )
    state["themes of commitments"] = sorted(
        Commitment.themes.through.objects.values_list("commitment_id", "theme_id")
    )
    state["curators"] = Group.objects.filter(name="Curators").count()
    return state


CASES = [(write, role) for write in WRITES for role in ROLES]


@pytest.mark.parametrize(("write", "role"), CASES, ids=[f"{w}-{r}" for w, r in CASES])
def test_write_urls_enforce_roles(client, world, write, role):
    url_for, data_for, allowed = WRITES[write]
    user = world.users[role]
    if user is not None:
        client.force_login(user)
    before = snapshot()

    response = client.post(url_for(world), data_for(world))

    after = snapshot()
    login_url = reverse("account_login")
    if role in allowed:
        assert response.status_code == 302, response.content[:2000]
        assert not response["Location"].startswith(login_url)
        assert after != before, f"{write} by {role} changed nothing"
    else:
        if response.status_code == 302:
            assert response["Location"].startswith(login_url)
        else:
            assert response.status_code in {403, 404}
        assert after == before, f"{write} by {role} changed the database"


def test_the_matrix_covers_every_write_url_of_the_staff_screens():
    from jurisdictions.staff import urls as staff_urls

    read_only = {
        "home",
        "jurisdiction",
        "commitment",
        "import-template",
        "review-queue",
        "review-commitment",
        "themes",
        "calendar",
        "accept-invitation",
        "spreadsheet-download",
        "webhook",
    }
    # Write URLs covered above under another name (one route serves create and edit).
    covered = {
        "commitment-create",
        "commitment-adopt",
        "commitment-edit",
        "commitment-delete",
        "link-add",
        "link-remove",
        "update-create",
        "commitment-submit",
        "review-commitment-decide",
        "review-update-decide",
        "merge",
        "invite",
        "member-remove",
        "commitment-import",
        "recommendation-edit",
        "theme-create",
        "theme-edit",
        "calendar-create",
        "calendar-edit",
        "calendar-delete",
        "indicator-create",
        "measurement-create",
        "milestone-create",
        "milestone-edit",
        "indicator-edit",
        "measurement-edit",
        "indicator-decide",
        "measurement-decide",
        "indicator-delete",
        "milestone-delete",
        "peer-digest",
        # Its dry run writes nothing: tests/test_progress_spreadsheet.py checks every role.
        "spreadsheet",
        "webhooks",
        "webhook-enable",
        "webhook-delete",
    }
    names = {p.name for p in staff_urls.urlpatterns}
    assert names - read_only - covered == set()
    assert len(WRITES) * len(ROLES) == len(CASES)


def test_staff_of_a_county_cannot_edit_a_city_inside_it(client):
    county = f.jurisdiction(name="Allegheny County", slug="allegheny-c", kind="county")
    city = f.jurisdiction(name="Pittsburgh", slug="pgh", parent=county)
    county_manager = f.user()
    f.membership(county_manager, county, role="manager")
    city_commitment = f.commitment(
        jurisdiction=city, publication="draft", adopted_on=date(2020, 1, 1)
    )
    client.force_login(county_manager)

    assert client.get(reverse("staff:commitment", args=[city_commitment.pk])).status_code == 404
    assert client.get(reverse("staff:jurisdiction", args=[city.slug])).status_code == 404
