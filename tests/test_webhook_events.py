"""Every write that changes what the public sees of a published commitment reaches the
webhooks as exactly one event, after the commit, whoever makes it and wherever: the
curators' edits, links and milestones, approvals, deletions, merges, the spreadsheet and
the admin. A staff edit that takes a commitment back to review, or any edit of a draft,
tells no one.

Each test makes one change: a test runs in one database transaction, and events are kept
once per transaction (follow/outbox.py)."""

import json
from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from jurisdictions.follow.models import OutboxEvent
from jurisdictions.models import Commitment
from jurisdictions.moderation import submission_state
from tests import factories as f
from tests.helpers import commitment_form_data
from tests.test_moderation_race import open_queue
from tests.test_webhooks import Receiver, hook

pytestmark = pytest.mark.django_db


@pytest.fixture
def receiver(loopback, pittsburgh):
    """A receiver registered for both commitment events on Pittsburgh."""
    with Receiver() as listening:
        hook(listening.hook_url, jurisdiction=pittsburgh, owner=f.user())
        yield listening


@pytest.fixture
def plan(pittsburgh):
    """A published commitment of Pittsburgh."""
    return f.commitment(
        jurisdiction=pittsburgh, title="Police oversight", published_at=timezone.now()
    )


def heard(receiver) -> list[tuple[str, int]]:
    messages = [json.loads(r["body"]) for r in receiver.received]
    return [(m["event"], m["data"]["commitment"]["id"]) for m in messages]


def last_title(receiver) -> str:
    return json.loads(receiver.received[-1]["body"])["data"]["commitment"]["title"]


# --- The staff screens ------------------------------------------------------------------


def test_a_curators_edit_of_a_published_commitment_is_one_update(
    client, curator, plan, receiver, sent
):
    url = reverse("staff:commitment-edit", args=[plan.pk])
    response = sent(client.post, url, commitment_form_data(plan, title="Civilian oversight"))

    assert response.status_code == 302
    assert heard(receiver) == [("commitment.updated", plan.pk)]
    assert last_title(receiver) == "Civilian oversight"


def test_an_editors_edit_takes_it_off_the_site_and_tells_no_one(
    client, editor, plan, receiver, sent
):
    url = reverse("staff:commitment-edit", args=[plan.pk])
    response = sent(client.post, url, commitment_form_data(plan, title="Civilian oversight"))

    assert response.status_code == 302
    plan.refresh_from_db()
    assert (plan.title, plan.publication) == ("Civilian oversight", "draft")
    assert receiver.received == [] and not OutboxEvent.objects.exists()


@pytest.mark.parametrize("person", ["editor", "curator"])
def test_an_edit_of_a_draft_tells_no_one(client, request, pittsburgh, receiver, sent, person):
    request.getfixturevalue(person)
    draft = f.commitment(jurisdiction=pittsburgh, publication="draft")
    url = reverse("staff:commitment-edit", args=[draft.pk])
    response = sent(client.post, url, commitment_form_data(draft, title="Still a draft"))

    assert response.status_code == 302
    assert Commitment.objects.get(pk=draft.pk).title == "Still a draft"
    assert receiver.received == [] and not OutboxEvent.objects.exists()


def test_a_curator_linking_a_recommendation_is_one_update(client, curator, plan, receiver, sent):
    url = reverse("staff:link-add", args=[plan.pk])
    body = {"recommendation": f.recommendation().pk, "relation": "implements"}
    response = sent(client.post, url, body)

    assert response.status_code == 302 and plan.links.count() == 1
    assert heard(receiver) == [("commitment.updated", plan.pk)]


def test_a_curator_removing_a_link_is_one_update(client, curator, plan, receiver, sent):
    link = f.link(plan, f.recommendation())
    response = sent(client.post, reverse("staff:link-remove", args=[plan.pk, link.pk]))

    assert response.status_code == 302 and not plan.links.exists()
    assert heard(receiver) == [("commitment.updated", plan.pk)]


def test_an_editors_link_sends_it_back_to_review_and_tells_no_one(
    client, editor, plan, receiver, sent
):
    url = reverse("staff:link-add", args=[plan.pk])
    sent(client.post, url, {"recommendation": f.recommendation().pk, "relation": "partial"})

    assert Commitment.objects.get(pk=plan.pk).publication == "draft"
    assert receiver.received == []


def test_a_curators_milestone_is_one_update(client, curator, plan, receiver, sent):
    url = reverse("staff:milestone-create", args=[plan.pk])
    response = sent(client.post, url, {"title": "First hearing", "due_on": "2027-03-01"})

    assert response.status_code == 302 and plan.milestones.count() == 1
    assert heard(receiver) == [("commitment.updated", plan.pk)]


def test_a_curator_deleting_a_public_indicator_is_one_update(client, curator, plan, receiver, sent):
    indicator = f.indicator(plan)
    f.measurement(indicator)
    url = reverse("staff:indicator-delete", args=[plan.pk, indicator.pk])
    response = sent(client.post, url)

    assert response.status_code == 302 and not plan.indicators.exists()
    assert heard(receiver) == [("commitment.updated", plan.pk)]


def test_an_editors_new_indicator_is_a_draft_and_tells_no_one(client, editor, plan, receiver, sent):
    url = reverse("staff:indicator-create", args=[plan.pk])
    body = {
        "name": "Complaints closed",
        "unit": "complaints",
        "direction": "up",
        "baseline_value": "10",
        "baseline_date": "2024-01-01",
        "target_value": "90",
        "target_date": "2026-01-01",
    }
    response = sent(client.post, url, body)

    assert response.status_code == 302
    assert plan.indicators.get().publication == "draft"
    assert receiver.received == []


# --- Approvals ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["indicator-decide", "measurement-decide"])
def test_approving_an_indicator_or_a_measurement_is_one_update(
    client, curator, plan, receiver, sent, name
):
    indicator = f.indicator(plan, publication="submitted" if "indicator" in name else "published")
    measurement = f.measurement(indicator, publication="submitted")
    obj = indicator if "indicator" in name else measurement
    body = {"decision": "approve", "state": submission_state(obj)}
    response = sent(client.post, reverse(f"staff:{name}", args=[obj.pk]), body)

    assert response.status_code == 302
    obj.refresh_from_db()
    assert obj.publication == "published"
    assert heard(receiver) == [("commitment.updated", plan.pk)]


def test_approving_an_update_that_changes_the_status_is_one_update(
    client, curator, plan, receiver, sent
):
    update = f.update(plan, status="implemented", publication="submitted")
    seen = open_queue(client, update)
    url = reverse("staff:review-update-decide", args=[update.pk])
    response = sent(client.post, url, {"decision": "approve", **seen})

    assert response.status_code == 302
    assert Commitment.objects.get(pk=plan.pk).status == "implemented"
    # Two writes to the commitment (the update, then its status), one event.
    assert heard(receiver) == [("commitment.updated", plan.pk)]
    assert json.loads(receiver.received[0]["body"])["data"]["commitment"]["status"] == (
        "implemented"
    )


def test_returning_an_update_tells_no_one(client, curator, plan, receiver, sent):
    update = f.update(plan, status="implemented", publication="submitted")
    seen = open_queue(client, update)
    url = reverse("staff:review-update-decide", args=[update.pk])
    sent(client.post, url, {"decision": "reject", "reason": "Which ordinance?", **seen})

    assert receiver.received == []


# --- The curators' tools ------------------------------------------------------------------


def test_merging_two_commitments_is_one_update_of_the_one_kept(
    client, curator, plan, pittsburgh, receiver, sent
):
    twin = f.commitment(jurisdiction=pittsburgh, title="Police oversight board")
    f.link(twin, f.recommendation())
    url = reverse("staff:merge", args=["commitments"])
    response = sent(client.post, url, {"survivor": plan.pk, "duplicate": twin.pk})

    assert response.status_code == 302 and not Commitment.objects.filter(pk=twin.pk).exists()
    assert heard(receiver) == [("commitment.updated", plan.pk)]


def test_merging_jurisdictions_updates_each_public_commitment_moved(
    client, curator, pittsburgh, receiver, sent
):
    twin = f.jurisdiction(name="Steel City", slug="steel-city")
    moved = f.commitment(jurisdiction=twin, title="Moved over")
    f.commitment(jurisdiction=twin, title="A draft", publication="draft")
    url = reverse("staff:merge", args=["jurisdictions"])
    response = sent(client.post, url, {"survivor": pittsburgh.pk, "duplicate": twin.pk})

    assert response.status_code == 302
    assert heard(receiver) == [("commitment.updated", moved.pk)]
    data = json.loads(receiver.received[0]["body"])["data"]["commitment"]
    assert data["jurisdiction"] == "pittsburgh"


# --- The spreadsheet round trip -----------------------------------------------------------


def upload_csv(client, sent, change, sheet="csv"):
    """Downloads Pittsburgh's commitments as CSV (or the `sheet`, e.g. "links.csv"), edits
    them with `change`, uploads the file and applies it (the apply runs what it queued
    after the commit)."""
    url = reverse("staff:spreadsheet", args=["pittsburgh"])
    download = client.get(reverse("staff:spreadsheet-download", args=["pittsburgh", sheet]))
    edited = change(download.content.decode()).encode()
    from django.core.files.uploadedfile import SimpleUploadedFile

    checked = client.post(url, {"file": SimpleUploadedFile("pittsburgh.csv", edited)})
    assert checked.context["plan"].counts["change"] == 1
    return sent(client.post, url, {"token": checked.context["token"]})


def test_a_curators_spreadsheet_change_to_a_public_commitment_is_one_update(
    client, curator, plan, receiver, sent
):
    response = upload_csv(client, sent, lambda text: text.replace("Police", "Civilian"))

    assert response.status_code == 302
    assert Commitment.objects.get(pk=plan.pk).publication == "published"
    assert heard(receiver) == [("commitment.updated", plan.pk)]
    assert last_title(receiver) == "Civilian oversight"


def test_a_curators_spreadsheet_change_to_a_link_is_one_update(
    client, curator, plan, receiver, sent
):
    f.link(plan, f.recommendation(), rationale="Close enough.")
    response = upload_csv(
        client, sent, lambda text: text.replace("Close enough.", "It names it."), "links.csv"
    )

    assert response.status_code == 302
    assert plan.links.get().rationale == "It names it."
    assert heard(receiver) == [("commitment.updated", plan.pk)]


def test_a_managers_spreadsheet_change_goes_to_review_and_tells_no_one(
    client, manager, plan, receiver, sent
):
    response = upload_csv(client, sent, lambda text: text.replace("Police", "Civilian"))

    assert response.status_code == 302
    assert Commitment.objects.get(pk=plan.pk).publication == "draft"
    assert receiver.received == []


# --- The admin ------------------------------------------------------------------------------


def admin_form(client, url, **changes) -> dict:
    """The admin change form at `url` as the browser would post it, its inlines included,
    with `changes` made."""
    context = client.get(url).context
    forms = [context["adminform"].form]
    for inline in context["inline_admin_formsets"]:
        forms += [inline.formset.management_form, *inline.formset.forms]
    data = {}
    for form in forms:
        for bound in form:
            value = bound.value()
            if value is None or value is False:
                continue
            if isinstance(value, list | tuple):
                data[bound.html_name] = [str(v) for v in value]
            else:
                data[bound.html_name] = value.isoformat() if isinstance(value, date) else value
    data.update(changes)
    return data


@pytest.fixture
def admin(client):
    client.force_login(f.admin_user())
    return client


def test_an_admin_edit_of_a_published_commitment_is_one_update(admin, plan, receiver, sent):
    f.link(plan, f.recommendation())
    url = reverse("admin:jurisdictions_commitment_change", args=[plan.pk])
    response = sent(admin.post, url, admin_form(admin, url, title="Civilian oversight"))

    assert response.status_code == 302
    assert heard(receiver) == [("commitment.updated", plan.pk)]
    assert last_title(receiver) == "Civilian oversight"


def test_publishing_a_draft_in_the_admin_is_a_publication(admin, pittsburgh, receiver, sent):
    draft = f.commitment(jurisdiction=pittsburgh, publication="draft")
    url = reverse("admin:jurisdictions_commitment_change", args=[draft.pk])
    response = sent(admin.post, url, admin_form(admin, url, publication="published"))

    assert response.status_code == 302
    assert heard(receiver) == [("commitment.published", draft.pk)]


def test_an_admin_edit_of_a_draft_tells_no_one(admin, pittsburgh, receiver, sent):
    draft = f.commitment(jurisdiction=pittsburgh, publication="submitted")
    url = reverse("admin:jurisdictions_commitment_change", args=[draft.pk])
    response = sent(admin.post, url, admin_form(admin, url, title="Not yet public"))

    assert response.status_code == 302
    assert Commitment.objects.get(pk=draft.pk).title == "Not yet public"
    assert receiver.received == []


def test_an_admin_edit_of_a_public_milestone_is_one_update(admin, plan, receiver, sent):
    milestone = f.milestone(plan)
    url = reverse("admin:jurisdictions_milestone_change", args=[milestone.pk])
    response = sent(admin.post, url, admin_form(admin, url, title="Second hearing"))

    assert response.status_code == 302
    assert heard(receiver) == [("commitment.updated", plan.pk)]


@pytest.mark.parametrize(
    ("change", "told"),
    [({"publication": "published"}, True), ({"summary": "Still drafting."}, False)],
    ids=["published there", "draft edited"],
)
def test_a_draft_progress_update_in_the_admin_is_told_only_once_published(
    admin, plan, receiver, sent, change, told
):
    update = f.update(plan, publication="draft")
    url = reverse("admin:jurisdictions_progressupdate_change", args=[update.pk])
    response = sent(admin.post, url, admin_form(admin, url, **change))

    assert response.status_code == 302
    assert heard(receiver) == ([("commitment.updated", plan.pk)] if told else [])


def test_a_link_changed_in_the_recommendation_admin_is_one_update(admin, plan, receiver, sent):
    recommendation = f.recommendation()
    f.link(plan, recommendation, rationale="Close enough.")
    url = reverse("admin:recommendations_recommendation_change", args=[recommendation.pk])
    data = admin_form(admin, url, **{"commitment_links-0-rationale": "It names this ordinance."})
    response = sent(admin.post, url, data)

    assert response.status_code == 302
    assert plan.links.get().rationale == "It names this ordinance."
    assert heard(receiver) == [("commitment.updated", plan.pk)]
