"""Review queue, approval, rejection, merges and the public History tab."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from jurisdictions.models import (
    Commitment,
    CommitmentLink,
    Invitation,
    Jurisdiction,
    Membership,
    Network,
    NetworkMembership,
    ProgressUpdate,
)
from jurisdictions.moderation import (
    merge_commitments,
    merge_jurisdictions,
    review_state,
    update_state,
)
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_the_queue_lists_submissions_oldest_first(client, curator, pittsburgh):
    first = f.commitment(jurisdiction=pittsburgh, title="First in", publication="submitted")
    second = f.commitment(jurisdiction=pittsburgh, title="Second in", publication="submitted")
    f.commitment(jurisdiction=pittsburgh, title="Still a draft", publication="draft")

    response = client.get(reverse("staff:review-queue"))

    assert list(response.context["commitments"]) == [first, second]


def test_approving_publishes_and_sets_published_at(client, curator, pittsburgh):
    commitment = f.commitment(jurisdiction=pittsburgh, publication="submitted")

    client.post(
        reverse("staff:review-commitment-decide", args=[commitment.pk]),
        {"decision": "approve", "version": commitment.version, "state": review_state(commitment)},
    )

    commitment.refresh_from_db()
    assert commitment.publication == "published"
    assert commitment.published_at is not None
    assert client.get(commitment.get_absolute_url()).status_code == 200


def test_rejecting_needs_a_reason_that_the_submitter_then_sees(client, curator, pittsburgh):
    commitment = f.commitment(jurisdiction=pittsburgh, publication="submitted")
    url = reverse("staff:review-commitment-decide", args=[commitment.pk])
    seen = {"version": commitment.version, "state": review_state(commitment)}

    client.post(url, {"decision": "reject", "reason": "", **seen})
    commitment.refresh_from_db()
    assert commitment.publication == "submitted"

    client.post(url, {"decision": "reject", "reason": "Cite the ordinance number.", **seen})
    commitment.refresh_from_db()
    assert (commitment.publication, commitment.review_note) == (
        "rejected",
        "Cite the ordinance number.",
    )
    editor = f.user()
    f.membership(editor, pittsburgh)
    client.force_login(editor)
    page = client.get(reverse("staff:commitment", args=[commitment.pk])).content.decode()
    assert "Cite the ordinance number." in page


def test_the_review_page_shows_a_diff_against_the_published_version(client, curator, pittsburgh):
    commitment = f.commitment(jurisdiction=pittsburgh, title="Old title", publication="published")
    commitment.title = "New title"
    commitment.publication = "submitted"
    commitment.save()

    response = client.get(reverse("staff:review-commitment", args=[commitment.pk]))

    assert response.context["diff"] == [
        {"label": "Title", "old": "Old title", "new": "New title"},
    ]


def test_approving_an_update_publishes_it_and_applies_its_status(client, curator, pittsburgh):
    commitment = f.commitment(jurisdiction=pittsburgh, status="adopted")
    update = f.update(commitment, status="implemented", publication="submitted")

    client.post(
        reverse("staff:review-update-decide", args=[update.pk]),
        {"decision": "approve", "state": update_state(update)},
    )

    update.refresh_from_db()
    commitment.refresh_from_db()
    assert update.publication == "published"
    assert commitment.status == "implemented"


def test_merging_commitments_moves_links_updates_and_history_and_loses_nothing(pittsburgh):
    shared = f.recommendation(text="Shared recommendation.")
    only_dup = f.recommendation(text="Only on the duplicate.")
    survivor = f.commitment(jurisdiction=pittsburgh, title="Keep me", summary="")
    duplicate = f.commitment(jurisdiction=pittsburgh, title="Dup", summary="Dup summary")
    f.link(survivor, shared, relation="implements", rationale="Survivor reason.")
    f.link(duplicate, shared, relation="partial", rationale="Duplicate reason.")
    f.link(duplicate, only_dup)
    f.update(duplicate, summary="Progress on the duplicate.")
    duplicate_versions = duplicate.history.count()
    survivor_versions = survivor.history.count()

    merge_commitments(survivor, duplicate)

    assert not Commitment.objects.filter(pk=duplicate.pk).exists()
    links = {link.recommendation: link for link in survivor.links.all()}
    assert set(links) == {shared, only_dup}
    assert links[shared].relation == "implements"
    assert "Survivor reason." in links[shared].rationale
    assert "Duplicate reason." in links[shared].rationale
    assert list(survivor.updates.values_list("summary", flat=True)) == [
        "Progress on the duplicate."
    ]
    survivor.refresh_from_db()
    assert survivor.summary == "Dup summary"
    # Every past version of both, plus the merge itself.
    assert survivor.history.count() == duplicate_versions + survivor_versions + 1


def test_merging_jurisdictions_moves_commitments_members_networks_and_invitations():
    survivor = f.jurisdiction(name="Pittsburgh", slug="pgh", fips="")
    duplicate = f.jurisdiction(name="City of Pittsburgh", slug="city-pgh", fips="4261000")
    commitment = f.commitment(jurisdiction=duplicate)
    both = f.user()
    only_dup = f.user()
    f.membership(both, survivor, role="editor")
    f.membership(both, duplicate, role="manager")
    f.membership(only_dup, duplicate)
    network = Network.objects.create(name="Human Rights Cities", slug="hrc")
    NetworkMembership.objects.create(network=network, jurisdiction=survivor)
    NetworkMembership.objects.create(
        network=network, jurisdiction=duplicate, joined_on=date(2011, 1, 1)
    )
    Invitation.objects.create(
        email="x@example.org",
        jurisdiction=duplicate,
        token="t",
        expires_at=timezone.now() + timedelta(days=7),
    )

    merge_jurisdictions(survivor, duplicate)

    assert not Jurisdiction.objects.filter(pk=duplicate.pk).exists()
    survivor.refresh_from_db()
    assert survivor.fips == "4261000"
    assert Commitment.objects.get(pk=commitment.pk).jurisdiction == survivor
    roles = dict(Membership.objects.filter(jurisdiction=survivor).values_list("user", "role"))
    assert roles == {both.pk: "manager", only_dup.pk: "editor"}
    kept = NetworkMembership.objects.get()
    assert (kept.jurisdiction, kept.joined_on) == (survivor, date(2011, 1, 1))
    assert Invitation.objects.get().jurisdiction == survivor
    assert Commitment.history.filter(jurisdiction_id=duplicate.pk).count() == 0


def test_the_merge_screen_merges_two_commitments(client, curator, pittsburgh):
    survivor = f.commitment(jurisdiction=pittsburgh)
    duplicate = f.commitment(jurisdiction=pittsburgh)

    client.post(
        reverse("staff:merge", args=["commitments"]),
        {"survivor": survivor.pk, "duplicate": duplicate.pk},
    )

    assert list(Commitment.objects.all()) == [survivor]


def test_the_public_history_shows_roles_not_emails(client, pittsburgh):
    editor = f.user(email="private.person@pittsburgh.example")
    f.membership(editor, pittsburgh)
    curator = f.curator(email="curator.person@example.org")
    rec = f.recommendation(text="Combat housing discrimination.")
    commitment = f.commitment(jurisdiction=pittsburgh, title="Fair housing", publication="draft")
    client.force_login(editor)
    client.post(
        reverse("staff:link-add", args=[commitment.pk]),
        {"recommendation": rec.pk, "relation": "implements"},
    )
    client.post(reverse("staff:commitment-submit", args=[commitment.pk]))
    client.force_login(curator)
    commitment.refresh_from_db()
    client.post(
        reverse("staff:review-commitment-decide", args=[commitment.pk]),
        {"decision": "approve", "version": commitment.version, "state": review_state(commitment)},
    )
    commitment.refresh_from_db()
    client.force_login(editor)
    # Public history starts at the first publication: this later link is what shows.
    client.post(
        reverse("staff:link-add", args=[commitment.pk]),
        {"recommendation": f.recommendation().pk, "relation": "partial"},
    )
    commitment.refresh_from_db()
    client.post(
        reverse("staff:commitment-edit", args=[commitment.pk]),
        {
            "title": "Fair housing ordinance",
            "kind": "ordinance",
            "status": "adopted",
            "adopted_on": "2020-01-01",
            "version": commitment.version,
        },
    )
    client.post(reverse("staff:commitment-submit", args=[commitment.pk]))
    client.force_login(curator)
    commitment.refresh_from_db()
    client.post(
        reverse("staff:review-commitment-decide", args=[commitment.pk]),
        {"decision": "approve", "version": commitment.version, "state": review_state(commitment)},
    )
    client.logout()

    page = client.get(reverse("history:commitment", args=[commitment.pk])).content.decode()
    rec_page = client.get(reverse("history:recommendation", args=[rec.pk])).content.decode()

    # The curator only approved: both versions are credited to the editor who wrote them.
    assert "Curator" not in page
    assert "Editor, Pittsburgh" in page
    assert "Fair housing ordinance" in page
    assert "Linked to" in page
    assert "Fair housing ordinance" in rec_page
    for text in (page, rec_page):
        assert "private.person" not in text
        assert "curator.person" not in text


def test_history_is_recorded_for_links_and_updates(pittsburgh):
    commitment = f.commitment(jurisdiction=pittsburgh)
    link = f.link(commitment, f.recommendation())
    update = f.update(commitment)
    link_id = link.pk
    link.delete()

    assert list(
        CommitmentLink.history.filter(id=link_id).values_list("history_type", flat=True)
    ) == ["-", "+"]
    assert ProgressUpdate.history.filter(id=update.pk).count() == 1


def test_one_decision_publishes_a_commitment_and_the_update_submitted_with_it(
    client, curator, pittsburgh
):
    commitment = f.commitment(jurisdiction=pittsburgh, status="adopted", publication="submitted")
    f.theme(vocabulary="upr_info", name="Right to water").commitments.add(commitment)
    update = f.update(
        commitment, status="in_progress", summary="Meters installed.", publication="submitted"
    )

    page = client.get(reverse("staff:review-commitment", args=[commitment.pk]))
    text = page.content.decode()
    assert "Right to water" in text and "Meters installed." in text
    queue = client.get(reverse("staff:review-queue")).context
    assert list(queue["commitments"]) == [commitment]
    assert list(queue["updates"]) == []  # decided on the commitment's page

    seen = {"version": commitment.version, "state": review_state(commitment)}
    client.post(
        reverse("staff:review-commitment-decide", args=[commitment.pk]),
        {"decision": "approve", **seen},
    )
    commitment.refresh_from_db()
    update.refresh_from_db()
    assert (commitment.publication, update.publication) == ("published", "published")
    assert commitment.status == "in_progress"


def test_an_update_changed_after_the_page_opened_blocks_the_decision(client, curator, pittsburgh):
    commitment = f.commitment(jurisdiction=pittsburgh, publication="submitted")
    update = f.update(commitment, summary="Draft wording.", publication="submitted")
    seen = {"version": commitment.version, "state": review_state(commitment)}
    update.summary = "Different wording the curator has not read."
    update.save()

    client.post(
        reverse("staff:review-commitment-decide", args=[commitment.pk]),
        {"decision": "approve", **seen},
    )
    commitment.refresh_from_db()
    update.refresh_from_db()
    assert (commitment.publication, update.publication) == ("submitted", "submitted")


def test_returning_a_commitment_returns_its_submitted_update_with_the_reason(
    client, curator, pittsburgh
):
    commitment = f.commitment(jurisdiction=pittsburgh, publication="submitted")
    update = f.update(commitment, publication="submitted")
    seen = {"version": commitment.version, "state": review_state(commitment)}
    client.post(
        reverse("staff:review-commitment-decide", args=[commitment.pk]),
        {"decision": "reject", "reason": "Add the ordinance number.", **seen},
    )
    update.refresh_from_db()
    assert update.publication == "rejected"
    assert update.review_note == "Add the ordinance number."
