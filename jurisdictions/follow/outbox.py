"""The outbox of webhook events: an event is written in the transaction of the change that
caused it, and only its fan-out is queued after the commit. A broker that is away then
costs the request nothing (the queueing is logged, never raised: upr_tracker/celery.py)
and loses nothing: the sweep (tasks.send_waiting_events), every minute, fans out the
events still waiting. Fan-out happens once per event (webhooks.fan_out), so the sweep and a
late task never both deliver."""

from django.db import connection

from .models import OutboxEvent, WebhookEvent

# One immediate second try at the broker, no waits: the event is kept, so a broker that is
# away costs the request a few milliseconds rather than Celery's default retries (about
# 0.7 s), and the sweep sends it later.
QUEUE_RETRY_POLICY = {"max_retries": 1, "interval_start": 0}


def announce(commitments, *, first_publication: bool = False) -> None:
    """Tell the webhooks that what the public sees of these commitments (a queryset)
    changed: every write that changes a commitment or a public part of it calls this after
    the change, inside its transaction (staff screens, approvals, uploads, merges, the
    admin). It is the one place that decides who hears: only commitments published now, so
    a draft, a submission, a returned commitment or an edit that takes one off the site
    announces nothing. ``first_publication``: the change made them public for the first
    time (commitment.published rather than commitment.updated). The event goes out after
    the commit, once per commitment however many writes of the transaction announce it."""
    event = (
        WebhookEvent.COMMITMENT_PUBLISHED if first_publication else WebhookEvent.COMMITMENT_UPDATED
    )
    emit(event, commitments.published().values_list("pk", flat=True))


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


def import_finished(import_run_id: int) -> None:
    """Called by the importer when a run ends (jurisdictions/apps.py)."""
    emit(WebhookEvent.IMPORT_FINISHED, [import_run_id])
