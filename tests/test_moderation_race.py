"""A curator's decision applies to the version the curator read, or it is refused.

The races: an editor changes a submission (its text, a link's rationale, a progress
update) between the moment the curator opens it and the moment the curator approves; and
two curators decide the same submission at once."""

import re
import threading

import pytest
from django.db import connections
from django.test import Client
from django.urls import reverse

from jurisdictions import moderation
from jurisdictions.models import CommitmentLink
from tests import factories as f
from tests.helpers import commitment_form_data

pytestmark = pytest.mark.django_db


def hidden_inputs(html: str, action: str) -> dict:
    """The hidden fields of the form that posts to `action`, as the browser would send."""
    form = re.search(rf'<form[^>]*action="{re.escape(action)}"[^>]*>(.*?)</form>', html, re.S)
    assert form, f"no form posting to {action}"
    fields = re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form.group(1))
    return {name: value for name, value in fields if name != "csrfmiddlewaretoken"}


def open_review(client, commitment) -> dict:
    page = client.get(reverse("staff:review-commitment", args=[commitment.pk])).content.decode()
    return hidden_inputs(page, reverse("staff:review-commitment-decide", args=[commitment.pk]))


def approve(client, commitment, seen):
    return client.post(
        reverse("staff:review-commitment-decide", args=[commitment.pk]),
        {"decision": "approve", **seen},
        follow=True,
    )


def test_an_approval_is_refused_when_the_text_changed_after_the_curator_opened_it(
    client, pittsburgh, editor, curator
):
    commitment = f.commitment(
        jurisdiction=pittsburgh, summary="Reviewed text.", publication="submitted"
    )
    client.force_login(curator)
    seen = open_review(client, commitment)

    client.force_login(editor)
    edited = client.post(
        reverse("staff:commitment-edit", args=[commitment.pk]),
        commitment_form_data(commitment, summary="Text nobody reviewed."),
    )
    assert edited.status_code == 302

    client.force_login(curator)
    response = approve(client, commitment, seen)

    commitment.refresh_from_db()
    assert commitment.publication == "submitted"
    assert "changed after you opened it, so nothing was decided" in response.content.decode()
    assert "Text nobody reviewed." in response.content.decode()  # back on the review page
    client.logout()
    assert client.get(commitment.get_absolute_url()).status_code == 404


def test_an_approval_is_refused_when_a_link_rationale_changed_after_the_curator_opened_it(
    client, pittsburgh, curator
):
    commitment = f.commitment(jurisdiction=pittsburgh, publication="submitted")
    link = f.link(commitment, f.recommendation(), rationale="Reviewed rationale.")
    client.force_login(curator)
    seen = open_review(client, commitment)

    # Changed on the link row alone (as the admin's inline does): the commitment's
    # version does not move, so only the state the page carried can tell.
    link.rationale = "Rationale nobody reviewed."
    link.save()
    response = approve(client, commitment, seen)

    commitment.refresh_from_db()
    assert commitment.publication == "submitted"
    assert "changed after you opened it" in response.content.decode()


def test_an_approval_is_refused_when_the_editor_replaced_a_link_after_the_curator_opened_it(
    client, pittsburgh, editor, curator
):
    commitment = f.commitment(jurisdiction=pittsburgh, publication="submitted")
    recommendation = f.recommendation()
    link = f.link(commitment, recommendation, rationale="Reviewed rationale.")
    client.force_login(curator)
    seen = open_review(client, commitment)

    client.force_login(editor)
    client.post(reverse("staff:link-remove", args=[commitment.pk, link.pk]))
    client.post(
        reverse("staff:link-add", args=[commitment.pk]),
        {
            "recommendation": recommendation.pk,
            "relation": "implements",
            "rationale": "Rationale nobody reviewed.",
        },
    )
    assert CommitmentLink.objects.get().rationale == "Rationale nobody reviewed."

    client.force_login(curator)
    approve(client, commitment, seen)

    commitment.refresh_from_db()
    assert commitment.publication == "submitted"


def test_an_approval_of_the_unchanged_version_publishes_it(client, pittsburgh, curator):
    commitment = f.commitment(jurisdiction=pittsburgh, publication="submitted")
    f.link(commitment, f.recommendation(), rationale="Reviewed rationale.")
    client.force_login(curator)

    response = approve(client, commitment, open_review(client, commitment))

    commitment.refresh_from_db()
    assert commitment.publication == "published"
    assert "Approved and published." in response.content.decode()


def test_after_a_refusal_the_curator_can_approve_what_they_have_now_read(
    client, pittsburgh, curator
):
    commitment = f.commitment(jurisdiction=pittsburgh, publication="submitted")
    client.force_login(curator)
    seen = open_review(client, commitment)
    commitment.summary = "Changed."
    commitment.save()
    approve(client, commitment, seen)

    approve(client, commitment, open_review(client, commitment))

    commitment.refresh_from_db()
    assert (commitment.publication, commitment.summary) == ("published", "Changed.")


def test_a_decision_without_the_version_seen_is_refused(client, pittsburgh, curator):
    commitment = f.commitment(jurisdiction=pittsburgh, publication="submitted")
    client.force_login(curator)

    for seen in ({}, {"version": "not a number", "state": "x"}):
        response = approve(client, commitment, seen)
        assert "changed after you opened it" in response.content.decode()

    commitment.refresh_from_db()
    assert commitment.publication == "submitted"


def test_returning_a_changed_submission_is_refused_too(client, pittsburgh, curator):
    commitment = f.commitment(jurisdiction=pittsburgh, publication="submitted")
    client.force_login(curator)
    seen = open_review(client, commitment)
    commitment.title = "Retitled"
    commitment.save()

    client.post(
        reverse("staff:review-commitment-decide", args=[commitment.pk]),
        {"decision": "reject", "reason": "Cite the ordinance.", **seen},
    )

    commitment.refresh_from_db()
    assert commitment.publication == "submitted"


def test_an_update_approval_is_refused_when_the_update_changed_after_the_queue_was_opened(
    client, pittsburgh, curator
):
    commitment = f.commitment(jurisdiction=pittsburgh)
    update = f.update(commitment, summary="Reviewed update.", publication="submitted")
    client.force_login(curator)
    queue = client.get(reverse("staff:review-queue")).content.decode()
    action = reverse("staff:review-update-decide", args=[update.pk])
    seen = hidden_inputs(queue, action)
    update.summary = "Update nobody reviewed."
    update.save()

    response = client.post(action, {"decision": "approve", **seen}, follow=True)

    update.refresh_from_db()
    assert update.publication == "submitted"
    assert "This progress update changed after you opened it" in response.content.decode()

    fresh = hidden_inputs(client.get(reverse("staff:review-queue")).content.decode(), action)
    client.post(action, {"decision": "approve", **fresh})
    update.refresh_from_db()
    assert update.publication == "published"


def open_queue(client, update) -> dict:
    queue = client.get(reverse("staff:review-queue")).content.decode()
    return hidden_inputs(queue, reverse("staff:review-update-decide", args=[update.pk]))


def decide_update(client, update, decision, seen):
    return client.post(
        reverse("staff:review-update-decide", args=[update.pk]),
        {"decision": decision, "reason": "Not yet." if decision == "reject" else "", **seen},
        follow=True,
    )


def test_a_rejection_after_another_curators_approval_is_refused(client, pittsburgh, curator):
    commitment = f.commitment(jurisdiction=pittsburgh, status="in_progress")
    update = f.update(commitment, status="implemented", publication="submitted")
    seen = open_queue(client, update)  # both curators have the queue open
    moderation.approve_update(update, curator, seen=seen)

    # The view found the update submitted before the approval committed; the decision
    # itself must look again under the lock.
    with pytest.raises(moderation.ReviewOutdated):
        moderation.reject_update(update, curator, "Not yet.", seen=seen)

    update.refresh_from_db()
    commitment.refresh_from_db()
    assert (update.publication, commitment.status) == ("published", "implemented")


def test_a_decided_commitment_is_not_decided_again_even_by_a_page_showing_its_version(
    pittsburgh, curator
):
    commitment = f.commitment(jurisdiction=pittsburgh, publication="submitted")
    moderation.reject_commitment(
        commitment, curator, "Cite the ordinance.", seen=moderation_seen(commitment)
    )
    commitment.refresh_from_db()

    with pytest.raises(moderation.ReviewOutdated):
        moderation.approve_commitment(commitment, curator, seen=moderation_seen(commitment))

    commitment.refresh_from_db()
    assert commitment.publication == "rejected"


def moderation_seen(commitment) -> dict:
    return {"version": commitment.version, "state": moderation.review_state(commitment)}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("second", ["approve", "reject"])
def test_two_curators_deciding_one_update_at_once_only_the_first_applies(
    monkeypatch, pittsburgh, second
):
    commitment = f.commitment(jurisdiction=pittsburgh, status="in_progress")
    update = f.update(commitment, status="implemented", publication="submitted")
    clients = [Client(), Client()]
    for browser in clients:
        browser.force_login(f.curator())
    seen = open_queue(clients[0], update)
    # Both requests have found the update submitted before either decides (the race made
    # certain), then the first curator's approval goes ahead of the second decision.
    both_found = threading.Barrier(2, timeout=20)
    first_done = threading.Event()

    def in_turn(decide):
        def wrapped(*args, **kwargs):
            both_found.wait()
            if threading.current_thread().name == "second":
                first_done.wait(20)
            try:
                return decide(*args, **kwargs)
            finally:
                first_done.set()

        return wrapped

    monkeypatch.setattr(moderation, "approve_update", in_turn(moderation.approve_update))
    monkeypatch.setattr(moderation, "reject_update", in_turn(moderation.reject_update))
    pages = {}

    def decide(name, decision):
        try:
            pages[name] = decide_update(clients[name == "second"], update, decision, seen)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=decide, name="first", args=("first", "approve")),
        threading.Thread(target=decide, name="second", args=("second", second)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    update.refresh_from_db()
    commitment.refresh_from_db()
    assert (update.publication, commitment.status) == ("published", "implemented")
    assert update.history.filter(publication="published").count() == 1
    assert "Approved and published." in pages["first"].content.decode()
    assert "changed after you opened it" in pages["second"].content.decode()
