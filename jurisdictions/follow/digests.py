"""Digests of saved searches, daily or weekly: one mail per subscription and period,
listing what changed within the search since that subscription's last digest.

Safe against a worker killed at any point: a search's digest rows and the move of its
followers' windows (last_sent_at) are written in one transaction, and a row is unique per
subscription and period, so a rerun skips whoever has theirs and picks up whoever has
not; sending then claims each row by a conditional UPDATE (digests.send_delivery), so no
mail goes out twice. Each distinct search is evaluated once, in one query, for all its
followers."""

from datetime import date, datetime, time
from itertools import groupby

from django.db import transaction
from django.db.models import Exists, Min, OuterRef
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from recommendations.absolute_urls import base_url

from ..digests import manage_url, unsubscribe_url, week_start
from ..models import DigestDelivery, Subscription, SubscriptionFrequency
from .candidates import Candidates
from .searches import feed_url


def period_of(frequency: str, now: datetime) -> date:
    return timezone.localdate(now) if frequency == SubscriptionFrequency.DAILY else week_start(now)


def due(frequency: str, period: date):
    """Confirmed search subscriptions of this frequency not served in this period: no
    digest written for it, and no window moved since it began (a quiet one's is)."""
    written = DigestDelivery.objects.filter(search_subscription=OuterRef("pk"), period=period)
    began = timezone.make_aware(datetime.combine(period, time.min))
    return (
        Subscription.objects.active()
        .filter(search__isnull=False, frequency=frequency)
        .exclude(last_sent_at__gte=began)
        .exclude(Exists(written))
        .select_related("search")
        .order_by("search_id", "pk")
    )


def prepare_search_digests(now: datetime, frequency: str) -> dict:
    period = period_of(frequency, now)
    counts = {"searches": 0, "digests": 0, "quiet": 0}
    site = base_url()
    quiet: list[int] = []
    subscriptions_due = due(frequency, period)
    widest = subscriptions_due.aggregate(since=Min(Coalesce("last_sent_at", "confirmed_at")))[
        "since"
    ]
    if widest is None:
        return counts  # nobody is due
    among = Candidates.since(widest)
    lines: dict[tuple[int, bool], str] = {}
    for _key, group in groupby(subscriptions_due, key=lambda s: s.search_id):
        subscriptions = list(group)
        search = subscriptions[0].search
        counts["searches"] += 1
        since = {s.pk: s.last_sent_at or s.confirmed_at for s in subscriptions}
        # One query for every follower of the search, from the oldest window among them.
        rows = among.changes(search, min(since.values()))
        digests = []
        # Followers whose windows began together share one rendering of the changes.
        listed: dict[datetime, tuple[int, str]] = {}
        for subscription in subscriptions:
            start = since[subscription.pk]
            if start not in listed:
                listed[start] = _changes(rows, start, site, lines)
            count, text = listed[start]
            if count:
                digests.append(_digest(subscription, count, text, start, period, site))
        if not digests:
            counts["quiet"] += len(since)
            quiet.extend(since)
            if len(quiet) >= QUIET_BATCH:
                _move_windows(quiet, now)
            continue
        # A search's digests and the move of its followers' windows commit together: a
        # run killed before this leaves them all due, after it none.
        with transaction.atomic():
            written = DigestDelivery.objects.bulk_create(digests, ignore_conflicts=True)
            # Each next window starts now, whether or not anything changed in this one.
            Subscription.objects.filter(pk__in=since).update(last_sent_at=now)
        counts["digests"] += len(written)
        counts["quiet"] += len(subscriptions) - len(digests)
    _move_windows(quiet, now)
    return counts


# Followers of searches where nothing changed have their windows moved in batches: a run
# killed before a batch is written evaluates those searches again, and finds nothing again.
QUIET_BATCH = 1000


def _move_windows(quiet: list[int], now: datetime) -> None:
    Subscription.objects.filter(pk__in=quiet).update(last_sent_at=now)
    quiet.clear()


def _changes(rows, since, site, lines: dict) -> tuple[int, str]:
    """How many of the search's changes fall after `since`, and their lines in the mail.
    A commitment's line is rendered once per run (`lines`), however many searches list it."""
    items = [commitment for commitment in rows if commitment.changed_at > since]
    text = []
    for commitment in items:
        is_new = (commitment.published_at or commitment.created_at) > since
        if (commitment.pk, is_new) not in lines:
            lines[commitment.pk, is_new] = render_to_string(
                "email/_digest_search_change.txt",
                {"commitment": commitment, "is_new": is_new, "site_url": site},
            )
        text.append(lines[commitment.pk, is_new])
    return len(items), "".join(text)


def _digest(subscription, count, changes_text, since, period, site) -> DigestDelivery:
    search = subscription.search
    leave = unsubscribe_url(subscription)
    body = render_to_string(
        "email/digest_search.txt",
        {
            "search": search,
            "search_url": site + search.get_absolute_url(),
            "feed_url": site + feed_url(search.kind, search.query),
            "changes": changes_text,
            "since": since,
            "frequency": subscription.get_frequency_display().lower(),
            "unsubscribe_url": leave,
            "manage_url": manage_url(subscription.email),
        },
    )
    subject = _("UPR Tracker: %(what)s in “%(search)s”") % {
        "what": ngettext("%(n)d change", "%(n)d changes", count) % {"n": count},
        "search": str(search)[:120],
    }
    return DigestDelivery(
        search_subscription=subscription,
        period=period,
        email=subscription.email.lower(),
        kind=DigestDelivery.Kind.SEARCH,
        subject=subject[:200],
        body=body,
        unsubscribe_url=leave,
    )
