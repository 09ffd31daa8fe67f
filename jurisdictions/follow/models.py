"""Saved searches (what "Follow this search" and webhooks follow), webhooks with their
deliveries and attempts, and the outbox of events waiting to reach them. Email
subscriptions to a search are ordinary Subscriptions (jurisdictions/models.py) whose
target is a SavedSearch."""

import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.http import QueryDict
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class ListKind(models.TextChoices):
    RECOMMENDATIONS = "recommendations", _("Recommendations")
    COMMITMENTS = "commitments", _("Commitments")
    JURISDICTIONS = "jurisdictions", _("Jurisdictions")


class SavedSearch(models.Model):
    """A list page and its filters, stored as the normalised query string
    (searches.normalise), so the same search typed twice is one row and the digest job
    evaluates it once however many people follow it."""

    Kind = ListKind

    kind = models.CharField(max_length=16, choices=ListKind.choices)
    query = models.CharField(max_length=2000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = _("saved searches")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "query"], name="jurisdictions_savedsearch_once"
            ),
            models.CheckConstraint(
                name="jurisdictions_savedsearch_kind_valid", condition=Q(kind__in=ListKind.values)
            ),
        ]

    def __str__(self):
        """ "Recommendations: theme policing, response noted", for mails and lists."""
        label = ListKind(self.kind).label
        parts = [
            f"“{value}”" if key == "q" else f"{key.replace('_', ' ')} {value}"
            for key, values in QueryDict(self.query).lists()
            for value in values
        ]
        if not parts:
            return _("%(list)s: all") % {"list": label}
        return f"{label}: {', '.join(parts)}"

    def get_absolute_url(self):
        return list_url(self.kind, self.query)


LIST_URLS = {
    ListKind.RECOMMENDATIONS: "recommendations:recommendation-list",
    ListKind.COMMITMENTS: "jurisdictions:commitment-list",
    ListKind.JURISDICTIONS: "jurisdictions:jurisdiction-list",
}


def list_url(kind: str, query: str) -> str:
    path = reverse(LIST_URLS[kind])
    return f"{path}?{query}" if query else path


class WebhookEvent(models.TextChoices):
    COMMITMENT_PUBLISHED = "commitment.published", _("A commitment is published")
    COMMITMENT_UPDATED = "commitment.updated", _("A published commitment changes")
    LOCAL_ACTION_CHANGED = (
        "recommendation.local_action_changed",
        _("A recommendation's local action changes"),
    )
    IMPORT_FINISHED = "import.finished", _("A recommendation import finishes")


class Webhook(models.Model):
    """An HTTPS address told about events on one jurisdiction or one saved search.

    Registered by a signed-in staff member (owner) or through the API with a key
    (api_key); failure notices go to owner_email either way."""

    url = models.URLField(max_length=500)
    # Shown to the owner, who needs it to check signatures; HMAC needs it in clear.
    secret = models.CharField(max_length=64, editable=False)
    events = ArrayField(models.CharField(max_length=40, choices=WebhookEvent.choices))
    jurisdiction = models.ForeignKey(
        "jurisdictions.Jurisdiction",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="webhooks",
    )
    search = models.ForeignKey(
        SavedSearch, on_delete=models.CASCADE, null=True, blank=True, related_name="webhooks"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="webhooks",
    )
    api_key = models.ForeignKey(
        "rest_framework_api_key.APIKey",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="webhooks",
    )
    owner_email = models.EmailField()
    created_at = models.DateTimeField(auto_now_add=True)
    # Failed attempts since the last success; reaching WEBHOOK_DISABLE_AFTER_FAILURES
    # disables the hook and mails the owner.
    consecutive_failures = models.PositiveIntegerField(default=0)
    disabled_at = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                name="jurisdictions_webhook_one_target",
                condition=Q(jurisdiction__isnull=False, search__isnull=True)
                | Q(jurisdiction__isnull=True, search__isnull=False),
                violation_error_message="A webhook follows one jurisdiction or one search.",
            ),
            models.CheckConstraint(
                name="jurisdictions_webhook_has_owner",
                condition=Q(owner__isnull=False) | Q(api_key__isnull=False),
            ),
        ]
        indexes = [
            # The fan-out: enabled hooks of a jurisdiction.
            models.Index(
                fields=["jurisdiction"],
                condition=Q(disabled_at__isnull=True),
                name="jurisdictions_webhook_enabled",
            ),
        ]

    def __str__(self):
        return f"{self.url} ({self.target})"

    @property
    def target(self):
        return self.jurisdiction or self.search


class OutboxEvent(models.Model):
    """An event as it happened, written in the same transaction as the change that caused
    it, so it is kept even when the broker is away at the commit (follow/outbox.py). Its
    fan-out (one delivery per webhook it concerns) is queued after the commit; a sweep
    every minute fans out those still waiting. Stamped when fanned out, which happens once.
    """

    event = models.CharField(max_length=40, choices=WebhookEvent.choices)
    # The commitment, recommendation or import run the event is about.
    object_id = models.BigIntegerField()
    # PostgreSQL's id of the transaction that wrote it: several writes of one request
    # touching the same commitment make one event, not one per write.
    transaction_id = models.BigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    fanned_out_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["transaction_id", "event", "object_id"],
                name="jurisdictions_outboxevent_once_per_transaction",
            ),
            models.CheckConstraint(
                name="jurisdictions_outboxevent_event_valid",
                condition=Q(event__in=WebhookEvent.values),
            ),
        ]
        indexes = [
            # The sweep: events not yet fanned out, oldest first.
            models.Index(
                fields=["created_at"],
                condition=Q(fanned_out_at__isnull=True),
                name="jurisdictions_outboxevent_wait",
            ),
        ]

    def __str__(self):
        return f"{self.event} {self.object_id}"


class WebhookDeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Trying")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Given up")


class WebhookDelivery(models.Model):
    """One event for one webhook: the body is fixed when the event happens, so every
    retry sends the same bytes (with a fresh timestamp and signature)."""

    Status = WebhookDeliveryStatus

    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    # The event it carries; empty only for deliveries made before events were kept.
    source = models.ForeignKey(
        OutboxEvent, on_delete=models.CASCADE, null=True, blank=True, related_name="deliveries"
    )
    event_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    event = models.CharField(max_length=40, choices=WebhookEvent.choices)
    payload = models.JSONField()
    status = models.CharField(
        max_length=10, choices=WebhookDeliveryStatus.choices, default=WebhookDeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = _("webhook deliveries")
        constraints = [
            models.CheckConstraint(
                name="jurisdictions_webhookdelivery_status_valid",
                condition=Q(status__in=WebhookDeliveryStatus.values),
            ),
            # An event reaches each webhook once, however often its fan-out runs.
            models.UniqueConstraint(
                fields=["source", "webhook"], name="jurisdictions_webhookdelivery_once_per_event"
            ),
        ]

    def __str__(self):
        return f"{self.event} to {self.webhook.url}"


class WebhookAttempt(models.Model):
    """One try at a delivery, shown to the webhook's owner."""

    delivery = models.ForeignKey(
        WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log"
    )
    attempted_at = models.DateTimeField(auto_now_add=True)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-attempted_at", "-id"]

    def __str__(self):
        return f"{self.delivery} at {self.attempted_at}: {self.status_code or self.error}"

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300
