"""Weekly digests for staff and subscribers, and sending each at most once."""

import smtplib
from datetime import date, timedelta

import pytest
from django.core import mail
from django.utils import timezone

from jurisdictions import digests
from jurisdictions.models import Commitment, DigestDelivery, Membership, Subscription
from jurisdictions.tasks import send_digests
from tests import factories as f

pytestmark = pytest.mark.django_db


def subscribe(email="reader@example.org", confirmed_days_ago=3, **target):
    return Subscription.objects.create(
        email=email,
        token=f"token-{email}-{sorted(target)}",
        confirmed_at=timezone.now() - timedelta(days=confirmed_days_ago),
        **target,
    )


def published(**kw):
    return f.commitment(published_at=timezone.now(), **kw)


def test_a_subscriber_gets_one_digest_with_new_published_commitments_of_their_jurisdiction():
    town, elsewhere = f.jurisdiction(), f.jurisdiction()
    subscribe(jurisdiction=town)
    published(jurisdiction=town, title="Fair housing ordinance")
    f.commitment(jurisdiction=town, title="Draft budget line", publication="draft")
    published(jurisdiction=elsewhere, title="Someone else's plan")

    send_digests()
    send_digests()

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["reader@example.org"]
    assert "[new] Fair housing ordinance" in message.body
    assert "Draft budget line" not in message.body
    assert "Someone else" not in message.body
    assert "/subscriptions/unsubscribe/" in message.body
    assert DigestDelivery.objects.get().status == "sent"


def test_the_next_digest_lists_only_what_changed_since_the_last_one():
    town = f.jurisdiction()
    sub = subscribe(jurisdiction=town)
    old = published(jurisdiction=town, title="Old plan")
    digests.prepare_digests(timezone.now())
    sub.refresh_from_db()
    assert sub.last_sent_at is not None

    next_week = timezone.now() + timedelta(days=7)
    Commitment.objects.filter(pk=old.pk).update(updated_at=sub.last_sent_at - timedelta(hours=1))
    published(jurisdiction=town, title="New plan")
    counts = digests.prepare_digests(next_week)

    assert counts["subscriber"] == 1
    latest = DigestDelivery.objects.get(period=digests.week_start(next_week))
    assert "New plan" in latest.body
    assert "Old plan" not in latest.body


def test_a_changed_commitment_is_marked_changed_not_new():
    town = f.jurisdiction()
    sub = subscribe(jurisdiction=town)
    plan = published(jurisdiction=town, title="Shelter plan")
    Commitment.objects.filter(pk=plan.pk).update(published_at=sub.confirmed_at - timedelta(days=30))

    digests.prepare_digests(timezone.now())

    assert "[changed] Shelter plan" in DigestDelivery.objects.get().body


def test_a_theme_subscriber_hears_of_commitments_linked_to_the_themes_recommendations():
    housing = f.theme(name="Housing")
    rec = f.recommendation(themes=[housing])
    subscribe(theme=housing)
    plan = published(title="Rent relief")
    f.link(plan, rec)

    digests.prepare_digests(timezone.now())

    assert "Rent relief" in DigestDelivery.objects.get().body


def test_a_recommendation_subscriber_hears_of_commitments_linked_to_it():
    rec = f.recommendation()
    subscribe(recommendation=rec)
    f.link(published(title="Police oversight board"), rec)

    digests.prepare_digests(timezone.now())

    assert "Police oversight board" in DigestDelivery.objects.get().body


def test_unconfirmed_and_unsubscribed_addresses_get_nothing():
    town = f.jurisdiction()
    Subscription.objects.create(email="new@example.org", token="a", jurisdiction=town)
    gone = subscribe(email="gone@example.org", jurisdiction=town)
    Subscription.objects.filter(pk=gone.pk).update(unsubscribed_at=timezone.now())
    published(jurisdiction=town)

    send_digests()

    assert mail.outbox == []


def test_nothing_new_means_no_email():
    subscribe(jurisdiction=f.jurisdiction())

    send_digests()

    assert mail.outbox == []
    assert not DigestDelivery.objects.exists()


def test_staff_hear_about_overdue_and_stale_commitments_of_their_jurisdictions():
    town, other = f.jurisdiction(), f.jurisdiction()
    editor = f.user(email="editor@town.gov")
    Membership.objects.create(user=editor, jurisdiction=town)
    f.commitment(jurisdiction=town, title="Late plan", adopted_on=date(2020, 1, 1), is_overdue=True)
    f.commitment(jurisdiction=town, title="Quiet plan", is_stale=True)
    f.commitment(jurisdiction=town, title="Fine plan")
    f.commitment(jurisdiction=other, title="Not theirs", is_overdue=True)

    send_digests()

    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert mail.outbox[0].to == ["editor@town.gov"]
    assert "Late plan" in body and "Quiet plan" in body
    assert "Fine plan" not in body and "Not theirs" not in body


def test_a_failed_send_goes_back_to_pending_and_the_retry_sends_it_once(monkeypatch):
    town = f.jurisdiction()
    subscribe(jurisdiction=town)
    published(jurisdiction=town)
    digests.prepare_digests(timezone.now())
    delivery = DigestDelivery.objects.get()
    real_send = mail.EmailMessage.send
    outcomes = iter([smtplib.SMTPServerDisconnected("gone"), None])

    def flaky_send(message, *args, **kwargs):
        failure = next(outcomes)
        if failure:
            raise failure
        return real_send(message, *args, **kwargs)

    monkeypatch.setattr(mail.EmailMessage, "send", flaky_send)
    with pytest.raises(smtplib.SMTPServerDisconnected):
        digests.send_delivery(delivery.pk)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("pending", 1)
    assert "gone" in delivery.last_error

    assert digests.send_delivery(delivery.pk) == "sent"
    assert digests.send_delivery(delivery.pk) == "not pending"
    assert len(mail.outbox) == 1


def test_a_delivery_claimed_by_another_worker_is_not_sent_again():
    town = f.jurisdiction()
    subscribe(jurisdiction=town)
    published(jurisdiction=town)
    digests.prepare_digests(timezone.now())
    DigestDelivery.objects.update(status="sending")

    assert digests.send_delivery(DigestDelivery.objects.get().pk) == "not pending"
    assert mail.outbox == []
