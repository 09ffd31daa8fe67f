"""Signed webhooks: who hears about an event, how a delivery is signed and sent.

The change that causes an event keeps it in the outbox, in the change's own transaction
(outbox.emit), and queues its fan-out after the commit; the worker finds the webhooks it
concerns, writes one WebhookDelivery each, once (fan_out), and sends them. A delivery is
retried with exponential backoff for WEBHOOK_RETRY_WINDOW_SECONDS (24 hours); every
attempt is logged. After WEBHOOK_DISABLE_AFTER_FAILURES failed attempts in a row the
webhook is disabled and its owner told by email.

The address goes through the link checker's checks (recommendations/fetch.py): refused
when saved if it names an internal host, and again at every delivery and on every
redirect, after DNS, so a name that later resolves inside the network reaches nothing.

Signature: HMAC-SHA256 with the webhook's secret over "<timestamp>.<body>", sent as
`X-UPR-Signature: sha256=<hex>` with `X-UPR-Timestamp` (Unix seconds); the README shows
how to check it."""

import hashlib
import hmac
import json
import secrets
import time
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from recommendations import fetch
from recommendations.absolute_urls import base_url

from .models import OutboxEvent, Webhook, WebhookAttempt, WebhookDelivery, WebhookEvent

USER_AGENT = "UPR-Tracker-Webhooks/1"
SIGNATURE_HEADER = "X-UPR-Signature"
TIMESTAMP_HEADER = "X-UPR-Timestamp"
EVENT_HEADER = "X-UPR-Event"
DELIVERY_HEADER = "X-UPR-Delivery"
TIMEOUT_SECONDS = 10
# Waits between attempts double from the base up to this.
MAX_WAIT_SECONDS = 6 * 3600


def new_secret() -> str:
    return secrets.token_hex(32)


def validate_webhook_url(url: str) -> None:
    """HTTPS and a public host (the link checker's rule). Plain http is taken only for a
    loopback receiver when FETCH_ALLOW_LOOPBACK is on, as in the tests."""
    fetch.validate_public_url(url)
    parts = urlsplit(url)
    if parts.scheme == "https":
        return
    address = fetch.literal_address((parts.hostname or "").lower())
    if not (address is not None and fetch._loopback_allowed(address)):
        raise ValidationError(_("A webhook address must start with https://."), code="https")


def sign(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def body_of(delivery: WebhookDelivery) -> bytes:
    envelope = {
        "id": str(delivery.event_id),
        "event": delivery.event,
        "created_at": delivery.created_at.isoformat(),
        "data": delivery.payload,
    }
    return json.dumps(envelope, sort_keys=True, separators=(",", ":")).encode()


def backoff_seconds(attempts: int) -> int:
    """The wait after the `attempts`-th failed attempt: base, 2×base, 4×base … capped."""
    return min(settings.WEBHOOK_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0), MAX_WAIT_SECONDS)


def seconds_until_due(delivery_id: int) -> float:
    """How long until a pending delivery's next attempt is due (0: now). The worker waits
    in hops shorter than the broker's visibility timeout (tasks.deliver_webhook), since a
    message held longer would be handed out again."""
    attempts = (
        WebhookDelivery.objects.filter(pk=delivery_id, status=WebhookDelivery.Status.PENDING)
        .values_list("attempts", flat=True)
        .first()
    )
    last = (
        WebhookAttempt.objects.filter(delivery_id=delivery_id)
        .order_by("-attempted_at")
        .values_list("attempted_at", flat=True)
        .first()
    )
    if not attempts or last is None:
        return 0
    due = last + timedelta(seconds=backoff_seconds(attempts))
    return max((due - timezone.now()).total_seconds(), 0)


def attempt(delivery_id: int) -> str:
    """One try at a delivery. Returns "delivered", "retry", "failed", or "not pending"
    (done, or another worker is trying it right now: its row is locked for the try)."""
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("webhook")
            .filter(pk=delivery_id, status=WebhookDelivery.Status.PENDING)
            .first()
        )
        if delivery is None:
            return "not pending"
        return _attempt(delivery)


def _attempt(delivery: WebhookDelivery) -> str:
    webhook = delivery.webhook
    if webhook.disabled_at:
        _finish(delivery, WebhookDelivery.Status.FAILED)
        return "failed"
    body = body_of(delivery)
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        SIGNATURE_HEADER: sign(webhook.secret, timestamp, body),
        TIMESTAMP_HEADER: str(timestamp),
        EVENT_HEADER: delivery.event,
        DELIVERY_HEADER: str(delivery.event_id),
    }
    status_code, error = None, ""
    started = time.monotonic()
    try:
        validate_webhook_url(webhook.url)
        client = fetch.session(USER_AGENT)
        with fetch.open_url(
            client, webhook.url, method="POST", headers=headers, data=body, timeout=TIMEOUT_SECONDS
        ) as response:
            status_code = response.status_code
    except ValidationError as exc:
        error = " ".join(exc.messages)
    except Exception as exc:  # noqa: BLE001 - any failure of the far side is logged, retried
        error = str(exc) or exc.__class__.__name__
    WebhookAttempt.objects.create(
        delivery=delivery,
        status_code=status_code,
        error=error[:500],
        duration_ms=int((time.monotonic() - started) * 1000),
    )
    WebhookDelivery.objects.filter(pk=delivery.pk).update(attempts=F("attempts") + 1)
    if status_code is not None and 200 <= status_code < 300:
        _finish(delivery, WebhookDelivery.Status.DELIVERED)
        Webhook.objects.filter(pk=webhook.pk).update(consecutive_failures=0)
        return "delivered"
    Webhook.objects.filter(pk=webhook.pk).update(consecutive_failures=F("consecutive_failures") + 1)
    webhook.refresh_from_db(fields=["consecutive_failures", "disabled_at"])
    if webhook.consecutive_failures >= settings.WEBHOOK_DISABLE_AFTER_FAILURES:
        reason = _("%(n)d attempts in a row failed.") % {"n": webhook.consecutive_failures}
        disable(webhook, reason)
        _finish(delivery, WebhookDelivery.Status.FAILED)
        return "failed"
    window = timedelta(seconds=settings.WEBHOOK_RETRY_WINDOW_SECONDS)
    delivery.refresh_from_db(fields=["attempts"])
    next_try = timezone.now() + timedelta(seconds=backoff_seconds(delivery.attempts))
    if next_try > delivery.created_at + window:
        _finish(delivery, WebhookDelivery.Status.FAILED)
        return "failed"
    return "retry"


def _finish(delivery, status):
    WebhookDelivery.objects.filter(pk=delivery.pk, status=WebhookDelivery.Status.PENDING).update(
        status=status, finished_at=timezone.now()
    )


def disable(webhook: Webhook, reason: str) -> None:
    """Disable once (a conditional update) and mail the owner once."""
    disabled = Webhook.objects.filter(pk=webhook.pk, disabled_at__isnull=True).update(
        disabled_at=timezone.now(), disabled_reason=reason[:300]
    )
    if not disabled:
        return
    body = render_to_string(
        "email/webhook_disabled.txt",
        {"webhook": webhook, "reason": reason, "manage_url": _page_of(webhook)},
    )
    EmailMessage(
        subject=_("UPR Tracker: your webhook was disabled"),
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[webhook.owner_email],
    ).send()


def _page_of(webhook: Webhook) -> str:
    """Where its owner sees the attempts: the staff page, or the API for a key's hook."""
    if webhook.owner_id:
        return base_url() + reverse("staff:webhook", args=[webhook.pk])
    return base_url() + reverse("api:webhook", args=[webhook.pk])


# --- Which webhooks an event concerns ----------------------------------------------------


def commitment_payload(commitment) -> dict:
    return {
        "commitment": {
            "id": commitment.pk,
            "title": commitment.title,
            "status": commitment.status,
            "kind": commitment.kind,
            "jurisdiction": commitment.jurisdiction.slug,
            "url": base_url() + commitment.get_absolute_url(),
            "published_at": commitment.published_at.isoformat()
            if commitment.published_at
            else None,
            "updated_at": commitment.updated_at.isoformat(),
        }
    }


def recommendation_payload(recommendation) -> dict:
    return {
        "recommendation": {
            "id": recommendation.public_id,
            "local_status": recommendation.local_status,
            "jurisdictions_acting": recommendation.jurisdictions_acting,
            "url": base_url() + recommendation.get_absolute_url(),
        }
    }


def concerned(event: str, *, commitment=None, recommendation=None):
    """The enabled webhooks for `event` on the thing it happened to: a jurisdiction's
    hooks, and saved-search hooks whose search holds it (one EXISTS query each)."""
    from .searches import matching, reached_commitments

    hooks = Webhook.objects.filter(disabled_at__isnull=True, events__contains=[event])
    if commitment is not None:
        places = [commitment.jurisdiction_id, commitment.jurisdiction.parent_id]
    elif recommendation is not None:
        places = list(recommendation.acting_jurisdiction_ids or [])
    else:
        places = None  # an import concerns every hook that asked for it
    found = []
    for hook in hooks.select_related("search"):
        if hook.jurisdiction_id:
            if places is None or hook.jurisdiction_id in places:
                found.append(hook)
            continue
        search = hook.search
        if places is None:
            found.append(hook)
        elif commitment is not None:
            if reached_commitments(search).filter(pk=commitment.pk).exists():
                found.append(hook)
        elif search.kind == "recommendations":
            if matching(search).filter(pk=recommendation.pk).exists():
                found.append(hook)
        elif search.kind == "jurisdictions":
            if matching(search).filter(pk__in=places).exists():
                found.append(hook)
    return found


def payload_for(event: str, object_id: int | None) -> tuple[dict, dict] | None:
    """(payload, what concerned() needs) for an event, or None if its object is gone."""
    from recommendations.models import ImportRun, Recommendation

    from ..models import Commitment

    if event in (WebhookEvent.COMMITMENT_PUBLISHED, WebhookEvent.COMMITMENT_UPDATED):
        commitment = (
            Commitment.objects.published().select_related("jurisdiction").filter(pk=object_id)
        ).first()
        return commitment and (commitment_payload(commitment), {"commitment": commitment})
    if event == WebhookEvent.LOCAL_ACTION_CHANGED:
        recommendation = Recommendation.objects.filter(pk=object_id).first()
        return recommendation and (
            recommendation_payload(recommendation),
            {"recommendation": recommendation},
        )
    run = ImportRun.objects.filter(pk=object_id).first()
    if run is None:
        return None
    counts = ["rows_total", "created", "updated", "unchanged", "skipped", "errors"]
    summary = {"id": run.pk, "status": run.status, "file_name": run.file_name}
    summary.update({name: getattr(run, name) for name in counts})
    summary["finished_at"] = run.finished_at.isoformat() if run.finished_at else None
    return {"import": summary}, {}


def fan_out(event_id: int) -> list[int]:
    """Write the deliveries of a kept event, once: the event is locked while they are
    written and stamped in the same transaction, so of the task queued after the commit
    and the sweep (outbox.py) only the first writes them, and the other finds the event
    done or locked and returns nothing. Returns the new deliveries' ids, to be sent."""
    with transaction.atomic():
        kept = (
            OutboxEvent.objects.select_for_update(skip_locked=True)
            .filter(pk=event_id, fanned_out_at__isnull=True)
            .first()
        )
        if kept is None:
            return []
        created = []
        found = payload_for(kept.event, kept.object_id)
        if found:
            payload, about = found
            for hook in concerned(kept.event, **about):
                delivery = WebhookDelivery.objects.create(
                    webhook=hook, source=kept, event=kept.event, payload=payload
                )
                created.append(delivery.pk)
        kept.fanned_out_at = timezone.now()
        kept.save(update_fields=["fanned_out_at"])
    return created
