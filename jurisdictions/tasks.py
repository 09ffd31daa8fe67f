"""Background jobs of the jurisdictions app (local-action statuses, overdue and stale
commitments, evidence links, digests); each takes ids and is safe to run twice.

The nightly and daily runs also repair what is kept in step by triggers or on write, each
by comparing it with a clean computation: the recommendations' facet arrays and
local-action columns (refresh_recommendation_statuses), the commitments' theme_ids and the
kept theme counts (refresh_commitment_statuses)."""

import logging
import smtplib
from datetime import date, timedelta

from celery import shared_task
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from recommendations.denormalised import repair_arrays
from recommendations.jobs import RETRY, TRANSIENT_ERRORS, Busy, exclusive_transaction, track_run
from upr_tracker.dbschema import drift

from . import pending
from .denormalised import repair_theme_counts, repair_theme_ids
from .follow.outbox import emit
from .follow.tasks import deliver_webhook, fan_out_event, send_waiting_events  # noqa: F401
from .local_status import refresh_local_status
from .reports.tasks import build_report  # noqa: F401 - registers it with the worker

logger = logging.getLogger(__name__)

FINISHED = ("implemented", "repealed")
# Weekly checks; a rerun within this window does not check a link a second time.
LINK_RECHECK_HOURS = 24 * 6


def months_before(day: date, months: int) -> date:
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    for d in (day.day, 30, 29, 28):
        try:
            return date(year, month + 1, d)
        except ValueError:
            continue
    raise ValueError(day)


def overdue_condition(today: date) -> Q:
    return Q(target_date__lt=today) & ~Q(status__in=FINISHED)


def stale_condition(today: date) -> Q:
    """No published progress update in 12 months, for a commitment older than that."""
    from .models import ProgressUpdate

    cutoff = months_before(today, 12)
    recent_update = ProgressUpdate.objects.filter(
        commitment=OuterRef("pk"), publication="published", reported_on__gte=cutoff
    )
    return Q(
        ~Q(status__in=FINISHED),
        ~Exists(recent_update),
        since__lt=cutoff,
    )


# A full refresh that finds the lock busy tries again after 2, 4, 8 ... s, then every
# 120 s: 15 tries span about 20 minutes, longer than another full run can hold the lock
# (its hard limit), and every wait stays well under the broker's visibility timeout.
BUSY_RETRIES = 15


def busy_countdown(retries: int) -> int:
    return min(2 ** (retries + 1), 120)


@shared_task(
    bind=True,
    name="jurisdictions.tasks.refresh_recommendation_statuses",
    soft_time_limit=600,
    time_limit=660,
    **RETRY,
)
def refresh_recommendation_statuses(self, recommendation_ids=None):
    """Derive local_status, jurisdictions_acting and acting_jurisdiction_ids.

    With no ids: the nightly full refresh, which compares every recommendation with the
    links and so repairs whatever drifted; it also repairs the facet arrays
    (recommendations.denormalised.repair_arrays) and counts how the database's functions
    and triggers differ from their declarations (dbschema.drift). Its lock lives in its
    own transaction, so a worker killed mid-run leaves neither a lock nor half the work; a
    run that finds the lock busy is recorded as deferred and retried, never counted as
    done. With ids: just those recommendations.
    """
    name = "jurisdictions.tasks.refresh_recommendation_statuses"
    last_try = self.request.called_directly or self.request.retries >= BUSY_RETRIES
    try:
        with track_run(name, last_try=last_try) as run:
            if recommendation_ids is None:
                with exclusive_transaction("status-refresh-full"):
                    run.counts = {
                        "recommendation_arrays_repaired": repair_arrays(),
                        "recommendations_changed": refresh_local_status(),
                        "schema_drift": _schema_drift(),
                    }
            else:
                ids = sorted({int(pk) for pk in recommendation_ids})
                with transaction.atomic():
                    before = _local_action(ids)
                    run.counts = {
                        "requested": len(ids),
                        "recommendations_changed": refresh_local_status(ids),
                    }
                    after = _local_action(ids)
                    changed = [pk for pk, state in after.items() if before.get(pk) != state]
                    if changed:
                        # Webhooks hear of it after the commit (follow/webhooks.py).
                        emit("recommendation.local_action_changed", changed)
    except Busy as exc:
        if last_try:
            raise
        raise self.retry(
            exc=exc, countdown=busy_countdown(self.request.retries), max_retries=BUSY_RETRIES
        ) from exc
    return run.counts


def _local_action(ids: list[int]) -> dict:
    """Each recommendation's local status and acting jurisdictions: what a webhook of
    recommendation.local_action_changed reports a change of."""
    from recommendations.models import Recommendation

    rows = Recommendation.objects.filter(pk__in=ids).values_list(
        "pk", "local_status", "acting_jurisdiction_ids"
    )
    return {pk: (status, sorted(acting or [])) for pk, status, acting in rows}


def _schema_drift() -> int:
    """How many functions and triggers differ from their declarations (a migrate installs
    them; nothing else should change them). Logged: a missing trigger lets kept data
    drift, which the repairs then put right every night until it is reinstalled."""
    problems = drift()
    for problem in problems:
        logger.error("Database schema drift: %s", problem)
    return len(problems)


@shared_task(
    name="jurisdictions.tasks.refresh_pending_statuses",
    soft_time_limit=300,
    time_limit=360,
    **RETRY,
)
def refresh_pending_statuses():
    """Runs the coalesced targeted refresh queued by status_refresh.schedule_refresh."""
    ids = pending.take_pending_ids()
    if not ids:
        return {"requested": 0}
    counts = refresh_recommendation_statuses(recommendation_ids=ids)
    # Forgotten only after the refresh committed: a killed worker leaves them for the rerun.
    pending.forget_pending_ids(ids)
    return counts


@shared_task(
    name="jurisdictions.tasks.refresh_commitment_statuses",
    soft_time_limit=600,
    time_limit=660,
    **RETRY,
)
def refresh_commitment_statuses():
    """Set is_overdue and is_stale with four set-based UPDATEs that touch only changes,
    then repair any commitment's theme_ids that drifted from its tags and links, and any
    kept theme count that drifted from the arrays (in that order)."""
    from .models import Commitment

    today = timezone.localdate()
    with track_run("jurisdictions.tasks.refresh_commitment_statuses") as run:
        overdue = overdue_condition(today)
        stale = stale_condition(today)
        # Undated commitments count from publication, then from when they were entered.
        aged = Commitment.objects.alias(
            since=Coalesce("adopted_on", TruncDate("published_at"), TruncDate("created_at"))
        )
        run.counts = {
            "overdue_marked": Commitment.objects.filter(overdue, is_overdue=False).update(
                is_overdue=True
            ),
            "overdue_cleared": Commitment.objects.filter(is_overdue=True)
            .exclude(overdue)
            .update(is_overdue=False),
            "stale_marked": aged.filter(stale, is_stale=False).update(is_stale=True),
            "stale_cleared": aged.filter(is_stale=True).exclude(stale).update(is_stale=False),
            "theme_arrays_repaired": repair_theme_ids(),
            "theme_counts_repaired": repair_theme_counts(),
        }
    return run.counts


@shared_task(
    name="jurisdictions.tasks.check_evidence_links",
    soft_time_limit=600,
    time_limit=660,
    **RETRY,
)
def check_evidence_links(recheck_after_hours=LINK_RECHECK_HOURS):
    """Gather every cited URL, then queue one paced check task per host."""
    from . import linkcheck

    with track_run("jurisdictions.tasks.check_evidence_links") as run:
        new = linkcheck.collect_urls()
        hosts = linkcheck.links_by_host(timedelta(hours=recheck_after_hours))
        for ids in hosts.values():
            # One task per host keeps each host's pace in one place; hosts run in parallel.
            check_host_links.delay(ids, recheck_after_hours)
        run.counts = {
            "new_links": new,
            "hosts": len(hosts),
            "links_queued": sum(len(ids) for ids in hosts.values()),
        }
    return run.counts


# A link costs at most about 31 s (linkcheck.URL_DEADLINE_SECONDS for all its requests,
# and a second's pause), so 15 links (about 465 s) fit in the soft limit. A host with more
# links hands the rest to a new task when its batch is done: one host is still checked
# by one task at a time, at its pace, and each task fits inside the visibility timeout.
LINKS_PER_TASK = 15


@shared_task(
    name="jurisdictions.tasks.check_host_links",
    soft_time_limit=720,
    time_limit=780,
    **RETRY,
)
def check_host_links(link_ids, recheck_after_hours=LINK_RECHECK_HOURS):
    from . import linkcheck

    ids = [int(pk) for pk in link_ids]
    batch, rest = ids[:LINKS_PER_TASK], ids[LINKS_PER_TASK:]
    with track_run("jurisdictions.tasks.check_host_links") as run:
        run.counts = linkcheck.check_links(batch, timedelta(hours=recheck_after_hours))
        if rest:
            # Queued after this batch's commit; a rerun of this batch skips checked links.
            check_host_links.delay_on_commit(rest, recheck_after_hours)
            run.counts["left_for_next_task"] = len(rest)
    return run.counts


@shared_task(
    name="jurisdictions.tasks.send_digests",
    soft_time_limit=600,
    time_limit=660,
    **RETRY,
)
def send_digests():
    """Write this week's digests (one row per recipient and week) and queue their sending."""
    from . import digests

    with track_run("jurisdictions.tasks.send_digests") as run:
        run.counts = digests.prepare_digests(timezone.now())
        run.counts["queued"] = queue_pending_digests()
        # A worker lost between claiming and marking sent leaves a row in "sending"; it is
        # never re-sent automatically (it may have gone out), so show operators the count.
        run.counts["stuck_sending"] = digests.stuck_delivery_count(timezone.now())
    return run.counts


@shared_task(
    name="jurisdictions.tasks.send_search_digests",
    soft_time_limit=600,
    time_limit=660,
    **RETRY,
)
def send_search_digests(frequency="daily"):
    """Write the saved searches' digests of this period (daily, or weekly) and queue them.
    A rerun, or the broker's redelivery after a killed worker, writes only the missing
    ones; each is sent at most once (send_digest_email claims it)."""
    from .follow.digests import prepare_search_digests

    with track_run("jurisdictions.tasks.send_search_digests") as run:
        run.counts = prepare_search_digests(timezone.now(), str(frequency))
        run.counts["queued"] = queue_pending_digests()
    return run.counts


def queue_pending_digests() -> int:
    """Queue the sending of every digest written and not sent yet; returns how many."""
    from . import digests

    pending = digests.pending_delivery_ids()
    for pk in pending:
        send_digest_email.delay(pk)
    return len(pending)


@shared_task(
    bind=True,
    name="jurisdictions.tasks.send_digest_email",
    soft_time_limit=120,
    time_limit=180,
    max_retries=8,
)
def send_digest_email(self, delivery_id):
    """Send one digest at most once: claim the row, send, mark it sent."""
    from . import digests

    try:
        return digests.send_delivery(int(delivery_id))
    except (*TRANSIENT_ERRORS, smtplib.SMTPException, OSError) as exc:
        # send_delivery has put the row back to pending; try again later.
        raise self.retry(exc=exc, countdown=min(60 * 2**self.request.retries, 600)) from exc


@shared_task(
    name="jurisdictions.tasks.send_subscription_confirmation",
    soft_time_limit=60,
    time_limit=90,
    autoretry_for=(*TRANSIENT_ERRORS, smtplib.SMTPException, OSError),
    retry_backoff=30,
    retry_backoff_max=600,
    max_retries=6,
)
def send_subscription_confirmation(subscription_id, base=None):
    """`base`: the site address the subscriber used (the task has no request)."""
    from . import digests

    return digests.send_confirmation(int(subscription_id), base)
