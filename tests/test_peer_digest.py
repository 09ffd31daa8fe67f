"""The weekly peer digest: staff who asked for it hear, grouped by recommendation, of the
commitments other places published since the last digest on the recommendations their own
jurisdictions answer; no mail in a week without any, never two copies."""

import re
from collections import defaultdict
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from jurisdictions import digests
from jurisdictions.models import (
    Commitment,
    CommitmentLink,
    DigestDelivery,
    Membership,
    PeerDigestFollow,
)
from jurisdictions.tasks import send_digests
from tests import factories as f

pytestmark = pytest.mark.django_db

SUBJECT = "elsewhere on recommendations you answer"


def published(place, *recommendations, title):
    commitment = f.commitment(
        jurisdiction=place, title=title, publication="published", published_at=timezone.now()
    )
    for recommendation in recommendations:
        f.link(commitment, recommendation)
    return commitment


def peer_mails():
    return [m for m in mail.outbox if SUBJECT in m.subject]


@pytest.fixture
def world(pittsburgh, manager, client):
    toledo = f.jurisdiction(name="Toledo", slug="toledo")
    eugene = f.jurisdiction(name="Eugene", slug="eugene")
    shelter, cedaw, water = (f.recommendation(paragraph=p) for p in ("26.230", "26.47", "26.9"))
    published(pittsburgh, shelter, title="Shelter guarantee")
    f.commitment(jurisdiction=pittsburgh, title="Draft CEDAW review", publication="draft")
    f.link(Commitment.objects.get(title="Draft CEDAW review"), cedaw)  # drafts answer too
    already = published(toledo, shelter, title="Toledo shelter plan, already public")
    # The manager opts in on the staff home.
    page = client.get(reverse("staff:home")).content.decode()
    assert "Send me the weekly peer digest" in page
    assert client.post(reverse("staff:peer-digest"), {"digest": "on"}).status_code == 302
    # Then, after the opt-in:
    published(toledo, shelter, title="Toledo right to shelter")
    published(eugene, shelter, cedaw, title="Eugene human rights ordinance")
    published(eugene, water, title="Eugene water affordability")  # not a recommendation
    published(pittsburgh, cedaw, title="Pittsburgh's own CEDAW ordinance")  # their own
    f.commitment(jurisdiction=toledo, title="Toledo draft", publication="draft")
    f.link(Commitment.objects.get(title="Toledo draft"), shelter)
    # Re-approved after the opt-in: published_at moves, but it was public before.
    Commitment.objects.filter(pk=already.pk).update(published_at=timezone.now())
    return {"manager": manager, "shelter": shelter, "cedaw": cedaw, "toledo": toledo}


def expected_groups(user, since, until):
    """The digest computed another way: every published commitment of another place,
    first published in the window, under each recommendation it shares with the user's
    jurisdictions' commitments."""
    mine = set(Membership.objects.filter(user=user).values_list("jurisdiction_id", flat=True))
    answered = set()
    for link in CommitmentLink.objects.select_related("commitment"):
        if link.commitment.jurisdiction_id in mine:
            answered.add(link.recommendation.citation)
    groups = defaultdict(list)
    for commitment in Commitment.objects.filter(publication="published"):
        if commitment.jurisdiction_id in mine:
            continue
        first = min(
            v.history_date for v in commitment.history.all() if v.publication == "published"
        )
        if not (since < first and commitment.published_at <= until):
            continue
        for link in commitment.links.all():
            if link.recommendation.citation in answered:
                groups[link.recommendation.citation].append(commitment.title)
    return {citation: sorted(titles) for citation, titles in groups.items()}


def groups_in(body):
    groups, current = {}, None
    for line in body.splitlines():
        if line.startswith("A/HRC/"):
            current = groups.setdefault(line.strip(), [])
        elif line.startswith("- ") and current is not None:
            current.append(re.sub(r" \([^)]*\)(, adopted .*)?$", "", line[2:]))
    return {citation: sorted(titles) for citation, titles in groups.items()}


def test_the_digest_lists_new_commitments_elsewhere_grouped_by_recommendation(world):
    since = PeerDigestFollow.objects.get(user=world["manager"]).since
    now = timezone.now()

    digests.prepare_digests(now)
    send_digests()

    (message,) = peer_mails()
    assert message.to == ["manager@pittsburgh.example"]
    assert message.subject == f"UPR Tracker: 2 new commitments {SUBJECT}"
    assert groups_in(message.body) == expected_groups(world["manager"], since, now)
    assert groups_in(message.body) == {
        world["shelter"].citation: ["Eugene human rights ordinance", "Toledo right to shelter"],
        world["cedaw"].citation: ["Eugene human rights ordinance"],
    }
    assert "/r/" in message.body  # each recommendation links to its page
    link = re.search(r"http\S+/subscriptions/peer-digest/\S+/", message.body).group(0)
    assert message.extra_headers["List-Unsubscribe"] == f"<{link}>"


def test_the_job_run_twice_or_after_a_kill_sends_one_mail(world):
    # A run killed after writing the week's rows, before queueing them...
    digests.prepare_digests(timezone.now())
    assert DigestDelivery.objects.get(kind="peer").status == "pending"
    # ...then the job again, twice.
    send_digests()
    send_digests()

    assert len(peer_mails()) == 1
    assert DigestDelivery.objects.get(kind="peer").status == "sent"


def test_a_send_claimed_by_a_worker_that_died_is_not_sent_again_by_another(world):
    digests.prepare_digests(timezone.now())
    delivery = DigestDelivery.objects.get(kind="peer")
    DigestDelivery.objects.filter(pk=delivery.pk).update(status="sending")  # claimed, then killed

    assert digests.send_delivery(delivery.pk) == "not pending"
    assert peer_mails() == []


def test_the_next_digest_starts_where_the_last_one_ended_and_a_quiet_week_sends_nothing(world):
    send_digests()
    assert len(peer_mails()) == 1
    follow = PeerDigestFollow.objects.get(user=world["manager"])
    mail.outbox.clear()
    next_week = timezone.now() + timedelta(days=7)

    digests.prepare_digests(next_week)  # nothing new
    assert not DigestDelivery.objects.filter(kind="peer", period=digests.week_start(next_week))
    assert PeerDigestFollow.objects.get(pk=follow.pk).since == follow.since

    published(world["toledo"], world["cedaw"], title="Toledo CEDAW ordinance")
    digests.prepare_digests(next_week)
    send_digests()

    (message,) = peer_mails()
    assert groups_in(message.body) == {world["cedaw"].citation: ["Toledo CEDAW ordinance"]}


def test_staff_who_did_not_opt_in_get_no_peer_digest(world, pittsburgh):
    colleague = f.user(email="editor@pittsburgh.example")
    f.membership(colleague, pittsburgh)

    send_digests()

    assert [m.to for m in peer_mails()] == [["manager@pittsburgh.example"]]


def test_the_link_in_the_mail_turns_it_off_and_on_without_signing_in(world):
    send_digests()
    link = re.search(r"http\S+/subscriptions/peer-digest/\S+/", peer_mails()[0].body).group(0)
    path = link[link.index("/subscriptions/") :]
    browser = Client(enforce_csrf_checks=True)  # mail clients post without a CSRF token

    assert "Stop the weekly peer digest" in browser.get(path).content.decode()
    assert "gets no weekly peer digest" in browser.post(path, {"digest": "off"}).content.decode()
    assert not PeerDigestFollow.objects.exists()
    browser.post(path, {"digest": "on"})
    assert PeerDigestFollow.objects.filter(user=world["manager"]).exists()
    tampered = path.replace("peer-digest/", "peer-digest/x")
    assert browser.get(tampered).status_code == 404


def test_the_staff_home_switch_turns_it_off(client, world):
    page = client.get(reverse("staff:home")).content.decode()
    assert "Stop the weekly peer digest" in page

    client.post(reverse("staff:peer-digest"), {"digest": "off"})

    assert not PeerDigestFollow.objects.exists()
    send_digests()
    assert peer_mails() == []


def test_the_switch_is_for_members_of_a_jurisdiction_signed_in(client, db):
    url = reverse("staff:peer-digest")
    assert client.post(url, {"digest": "on"}).status_code == 302  # to sign in
    client.force_login(f.curator())
    assert client.post(url, {"digest": "on"}).status_code == 403
    client.force_login(f.user())
    assert client.post(url, {"digest": "on"}).status_code == 403
    assert client.get(url).status_code in {403, 405}
    assert not PeerDigestFollow.objects.exists()
