"""The outbox of webhook events: an event is written in the transaction of the change that
caused it, and only its fan-out is queued after the commit. A broker that is away then
costs the request nothing (the queueing is logged, never raised: upr_tracker/celery.py)
and loses nothing: the sweep, every minute, fans out the events still waiting. Fan-out
happens once per event (webhooks.fan_out), so the sweep and a late task never both
deliver."""

from datetime import timedelta

from django.db import connection
from django.utils import timezone

from .models import OutboxEvent

# The task queued after the commit normally fans an event out within seconds; the sweep
# leaves it that long before taking the event over.
SWEEP_AFTER = timedelta(minutes=1)
SWEEP_BATCH = 500
# One immediate second try at the broker, no waits: the event is kept, so a broker that is
# away costs the request a few milliseconds rather than Celery's default retries (about
# 0.7 s), and the sweep sends it later.
QUEUE_RETRY_POLICY = {"max_retries": 1, "interval_start": 0}


def emit(event: str, object_ids) -> list[int]:
    """Keep the event for each object in the current transaction and queue its fan-out
    after the commit; returns the new events' ids. An event already kept by this
    transaction for the same object is not kept again, so a request that saves a
    commitment in several steps sends one event."""
    from .tasks import fan_out_event

    ids = sorted({int(pk) for pk in object_ids if pk is not None})
    if not ids:
        return []
    with connection.cursor() as cursor:
        cursor.execute("SELECT txid_current()")
        (transaction_id,) = cursor.fetchone()
    kept = set(
        OutboxEvent.objects.filter(
            transaction_id=transaction_id, event=event, object_id__in=ids
        ).values_list("object_id", flat=True)
    )
    new = OutboxEvent.objects.bulk_create(
        OutboxEvent(event=event, object_id=pk, transaction_id=transaction_id)
        for pk in ids
        if pk not in kept
    )
    new_ids = [row.pk for row in new]
    if new_ids:
        fan_out_event.apply_async_on_commit(args=[new_ids], retry_policy=QUEUE_RETRY_POLICY)
    return new_ids


def waiting(now=None):
    """Events not fanned out a while after they were kept: their task never ran (the
    broker was away at the commit, or lost it)."""
    cutoff = (now or timezone.now()) - SWEEP_AFTER
    return OutboxEvent.objects.filter(fanned_out_at__isnull=True, created_at__lt=cutoff)


def sweep() -> dict:
    """Fans out the waiting events, oldest first, and queues their deliveries."""
    from .tasks import deliver_webhook
    from .webhooks import fan_out

    counts = {"events": 0, "deliveries": 0}
    for pk in waiting().order_by("created_at", "id").values_list("pk", flat=True)[:SWEEP_BATCH]:
        deliveries = fan_out(pk)
        for delivery_id in deliveries:
            deliver_webhook.delay_on_commit(delivery_id)
        counts["events"] += 1
        counts["deliveries"] += len(deliveries)
    return counts
