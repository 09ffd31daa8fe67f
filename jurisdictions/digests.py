"""Weekly digests: staff hear about their overdue and stale commitments, subscribers about
new and changed published commitments on what they follow, and staff who asked for it
about other places' new commitments on the recommendations they answer (peer_digest.py).

Each digest is first written as a DigestDelivery row, unique per recipient, kind and week,
so running the job twice writes nothing new; sending claims the row by a conditional
UPDATE, so no digest is ever sent twice.

Every mail is written in its recipient's language: the one a subscriber used to subscribe
(their latest subscription's), the one a staff member was invited in (their latest
membership's).
"""

from datetime import date, datetime, timedelta

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from recommendations.absolute_urls import base_url

from . import peer_digest
from .follow.searches import changed_since
from .mail import absolute, signed_user_url, subject, user_from_signed
from .models import Commitment, DigestDelivery, Membership, Subscription
from .progress.reminders import overdue_milestones, unmeasured_indicators

CONFIRM_SALT = "jurisdictions.subscription.confirm"
CONFIRM_MAX_AGE = timedelta(days=7)
STAFF_OPT_OUT_SALT = "jurisdictions.staff-digest.opt-out"
MANAGE_SALT = "jurisdictions.subscriptions.manage"


def week_start(moment: datetime) -> date:
    day = timezone.localdate(moment)
    return day - timedelta(days=day.weekday())


def unsubscribe_url(subscription: Subscription, base: str | None = None) -> str:
    return absolute(reverse("subscriptions:unsubscribe", args=[subscription.token]), base)


def confirm_url(subscription: Subscription, base: str | None = None) -> str:
    signed = signing.dumps(subscription.token, salt=CONFIRM_SALT)
    return absolute(reverse("subscriptions:confirm", args=[signed]), base)


def manage_url(email: str, base: str | None = None) -> str:
    """The page listing every subscription of an address; the signature is the credential."""
    signed = signing.dumps(email.strip().lower(), salt=MANAGE_SALT)
    return absolute(reverse("subscriptions:manage", args=[signed]), base)


def email_from_manage_link(signed: str) -> str | None:
    try:
        return signing.loads(signed, salt=MANAGE_SALT)
    except signing.BadSignature:
        return None


def staff_digest_settings_url(user_id: int) -> str:
    return signed_user_url(user_id, "subscriptions:staff-digest", STAFF_OPT_OUT_SALT)


def user_from_staff_digest_link(signed: str) -> int | None:
    return user_from_signed(signed, STAFF_OPT_OUT_SALT)


def token_from_confirmation(signed: str) -> str | None:
    try:
        return signing.loads(signed, salt=CONFIRM_SALT, max_age=CONFIRM_MAX_AGE)
    except signing.BadSignature:
        return None


def changed_commitments(subscription: Subscription, since: datetime):
    """Published commitments on the subscription's target that are new or changed since."""
    published = Commitment.objects.published()
    if subscription.theme_id:
        on_target = published.on_themes([subscription.theme_id])
    elif subscription.jurisdiction_id:
        on_target = published.filter(jurisdiction=subscription.jurisdiction_id)
    else:
        on_target = published.filter(links__recommendation=subscription.recommendation_id)
    changed = changed_since(on_target, since)
    return (
        Commitment.objects.filter(pk__in=changed.values("pk"))
        .select_related("jurisdiction")
        .order_by("jurisdiction__name", "title")
    )


def _staff_digests(period: date, counts: dict) -> None:
    members = (
        Membership.objects.filter(user__is_active=True, user__staff_digest_opt_out__isnull=True)
        .exclude(user__email="")
        .values_list("user__email", "user_id", "jurisdiction_id", "language")
        .order_by("user__email", "created_at", "pk")
    )
    jurisdictions_of: dict[str, set[int]] = {}
    user_of: dict[str, int] = {}
    language_of: dict[str, str] = {}
    for email, user_id, jurisdiction_id, language in members:
        jurisdictions_of.setdefault(email.lower(), set()).add(jurisdiction_id)
        user_of[email.lower()] = user_id
        language_of[email.lower()] = language  # the latest membership's
    for email, jurisdiction_ids in jurisdictions_of.items():
        if DigestDelivery.objects.filter(email=email, kind="staff", period=period).exists():
            continue
        with translation.override(language_of[email]):
            _staff_digest(email, jurisdiction_ids, user_of[email], period, counts)


def _staff_digest(email: str, jurisdiction_ids, user_id: int, period: date, counts: dict):
    flagged = list(
        Commitment.objects.filter(jurisdiction__in=jurisdiction_ids)
        .exclude(publication="rejected")
        .filter(Q(is_overdue=True) | Q(is_stale=True))
        .select_related("jurisdiction")
        .order_by("jurisdiction__name", "target_date", "title")
    )
    today = timezone.localdate()
    milestones = list(overdue_milestones(jurisdiction_ids, today))
    indicators = list(unmeasured_indicators(jurisdiction_ids, today))
    if not (flagged or milestones or indicators):
        return
    n = len(flagged) + len(milestones) + len(indicators)
    opt_out_url = staff_digest_settings_url(user_id)
    body = render_to_string(
        "email/digest_staff.txt",
        {
            "overdue": [c for c in flagged if c.is_overdue],
            "stale": [c for c in flagged if c.is_stale],
            "milestones": milestones,
            "indicators": indicators,
            "site_url": base_url(),
            "period": period,
            "opt_out_url": opt_out_url,
        },
    )
    __, created = DigestDelivery.objects.get_or_create(
        email=email,
        kind=DigestDelivery.Kind.STAFF,
        period=period,
        defaults={
            "subject": subject(
                ngettext("%(n)d item needs an update", "%(n)d items need an update", n) % {"n": n}
            ),
            "body": body,
            "unsubscribe_url": opt_out_url,
        },
    )
    counts["staff"] += created


def _subscriber_digests(now: datetime, period: date, counts: dict) -> None:
    # A saved search has its own digest, daily or weekly (follow/digests.py).
    active = Subscription.objects.active().filter(search__isnull=True)
    active = active.select_related("theme", "jurisdiction", "recommendation")
    by_email: dict[str, list[Subscription]] = {}
    for subscription in active.order_by("email", "pk"):
        by_email.setdefault(subscription.email.lower(), []).append(subscription)
    for email, subscriptions in by_email.items():
        if DigestDelivery.objects.filter(email=email, kind="subscriber", period=period).exists():
            continue
        sections = []
        for subscription in subscriptions:
            since = subscription.last_sent_at or subscription.confirmed_at
            items = list(changed_commitments(subscription, since))
            if items:
                for commitment in items:
                    commitment.is_new = (commitment.published_at or commitment.created_at) > since
                sections.append({"subscription": subscription, "items": items})
        if not sections:
            continue
        with translation.override(subscriptions[-1].language):
            # Made here, so that its links open the pages in the digest's language.
            for section in sections:
                section["unsubscribe_url"] = unsubscribe_url(section["subscription"])
            _subscriber_digest(email, subscriptions, sections, now, period, counts)


def _subscriber_digest(email, subscriptions, sections, now, period, counts):
    body = render_to_string(
        "email/digest_subscriber.txt",
        {
            "sections": sections,
            "site_url": base_url(),
            "period": period,
            "manage_url": manage_url(email),
        },
    )
    total = sum(len(s["items"]) for s in sections)
    with transaction.atomic():
        __, created = DigestDelivery.objects.get_or_create(
            email=email,
            kind=DigestDelivery.Kind.SUBSCRIBER,
            period=period,
            defaults={
                "subject": subject(
                    ngettext(
                        "%(n)d new or changed commitment",
                        "%(n)d new or changed commitments",
                        total,
                    )
                    % {"n": total}
                ),
                "body": body,
            },
        )
        if created:
            # The next digest starts where this one ends.
            Subscription.objects.filter(pk__in=[s.pk for s in subscriptions]).update(
                last_sent_at=now
            )
    counts["subscriber"] += created


def prepare_digests(now: datetime) -> dict:
    period = week_start(now)
    counts = {"staff": 0, "subscriber": 0}
    _staff_digests(period, counts)
    _subscriber_digests(now, period, counts)
    counts["peer"] = peer_digest.prepare(now, period)
    return counts


def pending_delivery_ids() -> list[int]:
    return list(
        DigestDelivery.objects.filter(status=DigestDelivery.Status.PENDING)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def stuck_delivery_count(now: datetime) -> int:
    return DigestDelivery.objects.filter(
        status=DigestDelivery.Status.SENDING, claimed_at__lt=now - timedelta(hours=1)
    ).count()


def send_delivery(delivery_id: int) -> str:
    """Claim, send, mark sent. Returns what happened; raises if sending failed."""
    claimed = DigestDelivery.objects.filter(
        pk=delivery_id, status=DigestDelivery.Status.PENDING
    ).update(
        status=DigestDelivery.Status.SENDING, claimed_at=timezone.now(), attempts=F("attempts") + 1
    )
    if not claimed:
        # Sent already, or another worker holds it right now.
        return "not pending"
    delivery = DigestDelivery.objects.get(pk=delivery_id)
    try:
        headers = {}
        if delivery.unsubscribe_url:
            headers["List-Unsubscribe"] = f"<{delivery.unsubscribe_url}>"
            # RFC 8058: the link takes a POST with no further step (the views accept it).
            headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        EmailMessage(
            subject=delivery.subject,
            body=delivery.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[delivery.email],
            headers=headers,
        ).send()
    except Exception as exc:
        DigestDelivery.objects.filter(pk=delivery_id).update(
            status=DigestDelivery.Status.PENDING, last_error=str(exc)[:2000]
        )
        raise
    DigestDelivery.objects.filter(pk=delivery_id).update(
        status=DigestDelivery.Status.SENT, sent_at=timezone.now(), last_error=""
    )
    return "sent"


def send_confirmation(subscription_id: int, base: str | None = None) -> bool:
    subscription = (
        Subscription.objects.select_related("theme", "jurisdiction", "recommendation")
        .filter(pk=subscription_id, confirmed_at__isnull=True, unsubscribed_at__isnull=True)
        .first()
    )
    if subscription is None:
        return False
    with translation.override(subscription.language):
        _send_confirmation(subscription, base)
    return True


def _send_confirmation(subscription: Subscription, base: str | None) -> None:
    body = render_to_string(
        "email/confirm_subscription.txt",
        {
            "subscription": subscription,
            "confirm_url": confirm_url(subscription, base),
            "unsubscribe_url": unsubscribe_url(subscription, base),
            "manage_url": manage_url(subscription.email, base),
            "days": CONFIRM_MAX_AGE.days,
        },
    )
    EmailMessage(
        subject=_("Confirm your UPR Tracker subscription"),
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[subscription.email],
        headers={"List-Unsubscribe": f"<{unsubscribe_url(subscription, base)}>"},
    ).send()
