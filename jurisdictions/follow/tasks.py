"""Webhook jobs: an event's fan-out to the webhooks it concerns, the sweep that fans out
events whose task never ran, and each delivery. Registered with the worker by
jurisdictions/tasks.py."""

from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from recommendations.jobs import RETRY, TRANSIENT_ERRORS, track_run

from .models import OutboxEvent


@shared_task(
    name="jurisdictions.tasks.fan_out_event",
    soft_time_limit=300,
    time_limit=360,
    **RETRY,
)
def fan_out_event(event_ids):
    """Write one delivery per webhook each kept event concerns and queue each; an event
    already fanned out (by the sweep, or this task delivered twice) is left alone."""
    from .webhooks import fan_out

    for event_id in event_ids:
        for pk in fan_out(int(event_id)):
            deliver_webhook.delay_on_commit(pk)


@shared_task(
    name="jurisdictions.tasks.send_waiting_events",
    soft_time_limit=300,
    time_limit=360,
    **RETRY,
)
def send_waiting_events():
    """Every minute: fan out the events whose queued task never ran (sweep)."""
    with track_run("jurisdictions.tasks.send_waiting_events") as run:
        run.counts = sweep()
    return run.counts


# Each wait is held by the worker as an unacknowledged message: kept under the broker's
# visibility timeout (840 s), a longer wait is made of several hops.
MAX_HOP_SECONDS = 600


@shared_task(
    bind=True,
    name="jurisdictions.tasks.deliver_webhook",
    soft_time_limit=60,
    time_limit=90,
    # Retries are bounded by the delivery's own window (webhooks.attempt), not by count.
    max_retries=None,
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=5,
    retry_backoff_max=MAX_HOP_SECONDS,
)
def deliver_webhook(self, delivery_id):
    """One attempt when it is due; on failure, the next after an exponentially growing wait."""
    from .webhooks import attempt, seconds_until_due

    wait = seconds_until_due(int(delivery_id))
    if wait <= 0:
        outcome = attempt(int(delivery_id))
        if outcome != "retry":
            return outcome
        wait = seconds_until_due(int(delivery_id))
    raise self.retry(countdown=max(1, min(wait, MAX_HOP_SECONDS)))


# The task queued after the commit normally fans an event out within seconds; the sweep
# leaves it that long before taking the event over.
SWEEP_AFTER = timedelta(minutes=1)
SWEEP_BATCH = 500


def waiting(now=None):
    """Events not fanned out a while after they were kept: their task never ran (the
    broker was away at the commit, or lost it)."""
    cutoff = (now or timezone.now()) - SWEEP_AFTER
    return OutboxEvent.objects.filter(fanned_out_at__isnull=True, created_at__lt=cutoff)


def sweep() -> dict:
    """Fans out the waiting events, oldest first, and queues their deliveries."""
    from .webhooks import fan_out

    counts = {"events": 0, "deliveries": 0}
    for pk in waiting().order_by("created_at", "id").values_list("pk", flat=True)[:SWEEP_BATCH]:
        deliveries = fan_out(pk)
        for delivery_id in deliveries:
            deliver_webhook.delay_on_commit(delivery_id)
        counts["events"] += 1
        counts["deliveries"] += len(deliveries)
    return counts
