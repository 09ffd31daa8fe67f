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


@shared_task(
    bind=True,
    name="jurisdictions.tasks.deliver_webhook",
    soft_time_limit=60,
    time_limit=90,
    # Retries are counted by the delivery's own window, not by Celery.
    max_retries=None,
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=5,
)
def deliver_webhook(self, delivery_id):
    """One attempt; on failure, the next one after an exponentially growing wait."""
    from .models import WebhookDelivery
    from .webhooks import attempt, backoff_seconds

    outcome = attempt(int(delivery_id))
    if outcome == "retry":
        attempts = WebhookDelivery.objects.filter(pk=delivery_id).values_list("attempts", flat=True)
        raise self.retry(countdown=backoff_seconds(attempts.first() or 1))
    return outcome


def emit(event: str, object_ids) -> None:
    """Queue an event after the current transaction commits; never waits for anyone."""
    ids = sorted({int(pk) for pk in object_ids if pk is not None}) or [None]
    fan_out_event.delay_on_commit(str(event), ids)


def import_finished(import_run_id: int) -> None:
    emit("import.finished", [import_run_id])
