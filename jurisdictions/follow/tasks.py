"""Webhook jobs: an event's fan-out to the webhooks it concerns, and each delivery.
Registered with the worker by jurisdictions/tasks.py."""

from celery import shared_task

from recommendations.jobs import RETRY, TRANSIENT_ERRORS


@shared_task(
    name="jurisdictions.tasks.fan_out_event",
    soft_time_limit=300,
    time_limit=360,
    **RETRY,
)
def fan_out_event(event, object_ids):
    """Write one delivery per webhook the event concerns and queue each."""
    from .webhooks import fan_out

    for pk in fan_out(str(event), list(object_ids)):
        deliver_webhook.delay_on_commit(pk)


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


def emit(event: str, object_ids) -> None:
    """Queue an event after the current transaction commits; never waits for anyone."""
    ids = sorted({int(pk) for pk in object_ids if pk is not None}) or [None]
    fan_out_event.delay_on_commit(str(event), ids)


def import_finished(import_run_id: int) -> None:
    emit("import.finished", [import_run_id])
