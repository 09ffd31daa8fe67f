"""Webhook events are kept in the outbox with the change that causes them: with Redis away
the change is saved at once and its event kept, and the sweep delivers it once Redis is
back, exactly once however often the fan-out runs (follow/outbox.py)."""

import threading
import time
from datetime import timedelta

import pytest
from django.db import IntegrityError, connections, transaction
from django.urls import reverse
from django.utils import timezone

from jurisdictions.follow import outbox, webhooks
from jurisdictions.follow.models import OutboxEvent, WebhookDelivery
from jurisdictions.follow.outbox import announce
from jurisdictions.follow.tasks import fan_out_event, send_waiting_events
from jurisdictions.models import Commitment
from tests import factories as f
from tests.helpers import commitment_form_data, logged
from tests.test_webhooks import Receiver, hook

pytestmark = pytest.mark.django_db


def redis_back(settings):
    """Redis answers again: tasks run in this process, as the conftest's default."""
    from upr_tracker.celery import app

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    app.conf.task_always_eager = True


def age(event, minutes=2):
    OutboxEvent.objects.filter(pk=event.pk).update(
        created_at=timezone.now() - timedelta(minutes=minutes)
    )


def test_with_redis_away_an_edit_is_saved_its_event_kept_and_the_sweep_delivers_it_once(
    client,
    redis_down,
    settings,
    loopback,
    curator,
    pittsburgh,
    sent,
    django_capture_on_commit_callbacks,
):
    plan = f.commitment(jurisdiction=pittsburgh, title="Police oversight")
    url = reverse("staff:commitment-edit", args=[plan.pk])
    with Receiver() as receiver:
        hook(receiver.hook_url, jurisdiction=pittsburgh)
        with django_capture_on_commit_callbacks() as queued:
            response = client.post(url, commitment_form_data(plan, title="Civilian oversight"))
        started = time.monotonic()
        for callback in queued:
            callback()
        took = time.monotonic() - started

        assert response.status_code == 302
        # Celery's default retries would hold the request about 0.7 s per task.
        assert took < 0.5, f"the work after the commit waited {took:.2f} s for Redis"
        assert Commitment.objects.get(pk=plan.pk).title == "Civilian oversight"
        event = OutboxEvent.objects.get()
        assert (event.event, event.object_id, event.fanned_out_at) == (
            "commitment.updated",
            plan.pk,
            None,
        )
        assert logged(redis_down, "Could not queue jurisdictions.tasks.fan_out_event")
        assert receiver.received == []

        redis_back(settings)
        # Too recent for the sweep: its own task may still be on the way.
        assert sent(send_waiting_events) == {"events": 0, "deliveries": 0}
        age(event)
        assert sent(send_waiting_events) == {"events": 1, "deliveries": 1}
        assert sent(send_waiting_events) == {"events": 0, "deliveries": 0}
        # The task queued with the edit arrives late after all: nothing more is written.
        sent(fan_out_event, [event.pk])

    assert len(receiver.received) == 1
    assert receiver.received[0]["headers"]["x-upr-event"] == "commitment.updated"
    delivery = WebhookDelivery.objects.get()
    assert (delivery.source, delivery.status) == (event, "delivered")
    event.refresh_from_db()
    assert event.fanned_out_at is not None


def test_a_fan_out_run_twice_writes_one_delivery_per_webhook(loopback, pittsburgh):
    plan = f.commitment(jurisdiction=pittsburgh, published_at=timezone.now())
    hooks = [
        hook("https://hooks.example.org/a", jurisdiction=pittsburgh),
        hook("https://hooks.example.org/b", jurisdiction=pittsburgh, owner=f.user()),
    ]
    (event_id,) = outbox.emit("commitment.updated", [plan.pk])

    first = webhooks.fan_out(event_id)
    second = webhooks.fan_out(event_id)

    assert len(first) == 2 and second == []
    assert sorted(WebhookDelivery.objects.values_list("webhook", flat=True)) == sorted(
        h.pk for h in hooks
    )
    # And should a fan-out ever run again, the database refuses a second delivery.
    with pytest.raises(IntegrityError), transaction.atomic():
        WebhookDelivery.objects.create(
            webhook=hooks[0], source_id=event_id, event="commitment.updated", payload={}
        )


@pytest.mark.django_db(transaction=True)
def test_a_fan_out_finding_the_event_taken_leaves_it_to_the_one_who_has_it(pittsburgh):
    """The sweep and the late task at the same moment: the second finds the event locked
    and moves on at once, rather than waiting to write the deliveries again."""
    plan = f.commitment(jurisdiction=pittsburgh, published_at=timezone.now())
    hook("https://hooks.example.org/a", jurisdiction=pittsburgh)
    # Kept, its task not run (outbox.emit outside a transaction would run it at once here).
    event_id = OutboxEvent.objects.create(
        event="commitment.updated", object_id=plan.pk, transaction_id=1
    ).pk
    locked, release = threading.Event(), threading.Event()

    def hold_it():
        try:
            with transaction.atomic():
                OutboxEvent.objects.select_for_update().get(pk=event_id)
                locked.set()
                release.wait(10)
        finally:
            connections.close_all()

    holder = threading.Thread(target=hold_it)
    holder.start()
    try:
        assert locked.wait(10)
        assert webhooks.fan_out(event_id) == []
    finally:
        release.set()
        holder.join()

    # Whoever held it let go without fanning out: the event is still there for the sweep.
    assert len(webhooks.fan_out(event_id)) == 1


def test_one_transaction_keeps_one_event_per_commitment(
    pittsburgh, django_capture_on_commit_callbacks
):
    plan = f.commitment(jurisdiction=pittsburgh, published_at=timezone.now())
    with django_capture_on_commit_callbacks() as queued, transaction.atomic():
        announce(Commitment.objects.filter(pk=plan.pk))
        announce(Commitment.objects.filter(pk=plan.pk))

    assert OutboxEvent.objects.filter(object_id=plan.pk).count() == 1
    assert len(queued) == 1


def test_a_rolled_back_change_keeps_no_event(pittsburgh, django_capture_on_commit_callbacks):
    plan = f.commitment(jurisdiction=pittsburgh, published_at=timezone.now())
    with django_capture_on_commit_callbacks() as queued:
        with pytest.raises(RuntimeError), transaction.atomic():
            announce(Commitment.objects.filter(pk=plan.pk))
            raise RuntimeError("the change failed")

    assert not OutboxEvent.objects.exists() and queued == []


def test_the_sweep_runs_every_minute(settings):
    schedule = {
        entry["task"]: entry["schedule"] for entry in settings.CELERY_BEAT_SCHEDULE.values()
    }
    assert schedule["jurisdictions.tasks.send_waiting_events"] == 60.0
