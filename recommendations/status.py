"""Derived statuses kept fresh by background jobs, in set-based SQL.

A recommendation's local-action status comes from the links of PUBLISHED commitments:
contested if any link contradicts or rolls it back, else implemented if an implemented
commitment implements or partly addresses it, else addressed if any link exists, else
none. Each refresh is one UPDATE over all (or the given) recommendations that touches
only rows whose value changes; no Python loop over rows.
"""

import logging
import threading
import traceback
from contextlib import contextmanager
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

logger = logging.getLogger(__name__)

# Ids waiting for a targeted refresh, and the flag saying a refresh task is already queued.
PENDING_KEY = "upr:status-refresh:pending"
QUEUED_KEY = "upr:status-refresh:queued"
# How long a burst of edits is collected before one refresh runs.
REFRESH_DELAY_SECONDS = 30
# Longer than any task's hard time limit.
LOST_AFTER = timedelta(hours=6)

CONTESTING = ("contradicts", "rolls_back")
IMPLEMENTING = ("implements", "partial")


class Skipped(Exception):
    """Raised inside track_run when another run holds the lock; recorded as skipped."""


@contextmanager
def track_run(task_name: str):
    """Record one job run in TaskRun; the body fills run.counts."""
    from recommendations.models import TaskRun

    now = timezone.now()
    # A run still "running" long after every time limit died with its worker; say so.
    TaskRun.objects.filter(
        task=task_name, outcome=TaskRun.Outcome.RUNNING, started_at__lt=now - LOST_AFTER
    ).update(outcome=TaskRun.Outcome.FAILED, error="The worker was lost during this run.")
    run = TaskRun.objects.create(task=task_name, started_at=now)
    try:
        yield run
    except Skipped as exc:
        run.outcome = TaskRun.Outcome.SKIPPED
        run.error = str(exc)
    except BaseException:
        run.outcome = TaskRun.Outcome.FAILED
        run.error = traceback.format_exc(limit=20)[-5000:]
        run.finished_at = timezone.now()
        try:
            run.save(update_fields=["outcome", "error", "finished_at", "counts"])
        except Exception:
            # The database may be what failed; the original error matters more (for retry).
            logger.exception("Could not record the failed run of %s", task_name)
        raise
    else:
        run.outcome = TaskRun.Outcome.SUCCEEDED
    run.finished_at = timezone.now()
    run.save(update_fields=["outcome", "error", "finished_at", "counts"])


@contextmanager
def advisory_lock(name: str, timeout: int):
    """Yields True to the one caller holding the named lock, False to everyone else.

    PostgreSQL: a session advisory lock, which the server frees if the holder's connection
    dies, so a killed worker never leaves it held. Elsewhere: an atomic cache.add with an
    expiry (Redis in production, local memory in the eager development set-up).
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(hashtext(%s))", [name])
            acquired = cursor.fetchone()[0]
        try:
            yield acquired
        finally:
            if acquired:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(hashtext(%s))", [name])
        return
    from django.core.cache import cache

    key = f"upr:lock:{name}"
    acquired = cache.add(key, timezone.now().isoformat(), timeout)
    try:
        yield acquired
    finally:
        if acquired:
            cache.delete(key)


def _status_sql(ids_filter: str) -> str:
    # The inner aggregate reads only published links; the LEFT JOIN gives every other
    # recommendation "none" / 0, and the last condition skips rows that would not change.
    return f"""
        WITH agg AS (
            SELECT l.recommendation_id AS id,
                   CASE
                     WHEN bool_or(l.relation IN ('contradicts', 'rolls_back')) THEN 'contested'
                     WHEN bool_or(l.relation IN ('implements', 'partial')
                                  AND c.status = 'implemented') THEN 'implemented'
                     ELSE 'addressed'
                   END AS local_status,
                   COUNT(DISTINCT c.jurisdiction_id) AS acting
            FROM jurisdictions_commitmentlink l
            JOIN jurisdictions_commitment c ON c.id = l.commitment_id
            WHERE c.publication = 'published' {ids_filter.replace("r.id", "l.recommendation_id")}
            GROUP BY l.recommendation_id
        ),
        fresh AS (
            SELECT r.id,
                   COALESCE(agg.local_status, 'none') AS local_status,
                   COALESCE(agg.acting, 0) AS acting
            FROM recommendations_recommendation r
            LEFT JOIN agg ON agg.id = r.id
            WHERE TRUE {ids_filter}
        )
        UPDATE recommendations_recommendation AS target
        SET local_status = fresh.local_status, jurisdictions_acting = fresh.acting
        FROM fresh
        WHERE target.id = fresh.id
          AND (target.local_status <> fresh.local_status
               OR target.jurisdictions_acting <> fresh.acting)
    """


def refresh_local_status_sql(recommendation_ids=None) -> int:
    """PostgreSQL: one UPDATE ... FROM (aggregate). Returns the number of rows changed."""
    params = []
    ids_filter = ""
    if recommendation_ids is not None:
        ids_filter = "AND r.id = ANY(%s)"
        params = [list(recommendation_ids)] * 2
    with connection.cursor() as cursor:
        cursor.execute(_status_sql(ids_filter), params)
        return cursor.rowcount


def fresh_status_expressions():
    """The derived status and jurisdiction count of the outer recommendation, as portable
    ORM expressions (EXISTS and a correlated COUNT over published links)."""
    from django.db.models import Case, When

    from jurisdictions.models import CommitmentLink

    links = CommitmentLink.objects.filter(
        recommendation=OuterRef("pk"), commitment__publication="published"
    )
    acting = (
        links.order_by()
        .values("recommendation")
        .annotate(n=Count("commitment__jurisdiction", distinct=True))
        .values("n")
    )
    status = Case(
        When(Exists(links.filter(relation__in=CONTESTING)), then=Value("contested")),
        When(
            Exists(links.filter(relation__in=IMPLEMENTING, commitment__status="implemented")),
            then=Value("implemented"),
        ),
        When(Exists(links), then=Value("addressed")),
        default=Value("none"),
    )
    return status, Coalesce(Subquery(acting, output_field=IntegerField()), Value(0))


def refresh_local_status_orm(recommendation_ids=None) -> int:
    """Any database: one UPDATE with correlated subqueries, limited to rows that change."""
    from django.db.models import F

    from recommendations.models import Recommendation

    status, acting = fresh_status_expressions()
    qs = Recommendation.objects.all()
    if recommendation_ids is not None:
        qs = qs.filter(pk__in=list(recommendation_ids))
    return (
        qs.alias(fresh_status=status, fresh_acting=acting)
        .filter(~Q(local_status=F("fresh_status")) | ~Q(jurisdictions_acting=F("fresh_acting")))
        .update(local_status=status, jurisdictions_acting=acting)
    )


def refresh_local_status(recommendation_ids=None) -> int:
    if connection.vendor == "postgresql":
        return refresh_local_status_sql(recommendation_ids)
    return refresh_local_status_orm(recommendation_ids)


def refresh_theme_rollups(recommendation_ids=None) -> int:
    """Per theme: its recommendations, and how many are addressed, implemented, contested."""
    from jurisdictions.models import ThemeRollup
    from recommendations.models import Theme

    themes = Theme.objects.order_by()
    if recommendation_ids is not None:
        themes = themes.filter(recommendations__in=list(recommendation_ids)).distinct()
        themes = Theme.objects.filter(pk__in=themes.values("pk")).order_by()
    rows = themes.annotate(
        n=Count("recommendations"),
        n_addressed=Count("recommendations", filter=~Q(recommendations__local_status="none")),
        n_implemented=Count(
            "recommendations", filter=Q(recommendations__local_status="implemented")
        ),
        n_contested=Count("recommendations", filter=Q(recommendations__local_status="contested")),
    ).values_list("pk", "n", "n_addressed", "n_implemented", "n_contested")
    now = timezone.now()
    rollups = [
        ThemeRollup(
            theme_id=pk,
            recommendations=n,
            addressed=addressed,
            implemented=implemented,
            contested=contested,
            refreshed_at=now,
        )
        for pk, n, addressed, implemented, contested in rows
    ]
    ThemeRollup.objects.bulk_create(
        rollups,
        batch_size=1000,
        update_conflicts=True,
        unique_fields=["theme"],
        update_fields=["recommendations", "addressed", "implemented", "contested", "refreshed_at"],
    )
    return len(rollups)


def refresh_jurisdiction_rollups(jurisdiction_ids=None) -> int:
    """Per jurisdiction: its published commitments by status, and how many are overdue/stale."""
    from jurisdictions.models import Commitment, Jurisdiction, JurisdictionRollup

    jurisdictions = Jurisdiction.objects.order_by()
    commitments = Commitment.objects.published().order_by()
    if jurisdiction_ids is not None:
        jurisdictions = jurisdictions.filter(pk__in=jurisdiction_ids)
        commitments = commitments.filter(jurisdiction__in=jurisdiction_ids)
    by_status: dict[int, dict[str, int]] = {}
    grouped = commitments.values_list("jurisdiction_id", "status").annotate(n=Count("id"))
    for jurisdiction_id, status, n in grouped:
        by_status.setdefault(jurisdiction_id, {})[status] = n
    published = Q(commitments__publication="published")
    rows = jurisdictions.annotate(
        n=Count("commitments", filter=published),
        n_overdue=Count("commitments", filter=published & Q(commitments__is_overdue=True)),
        n_stale=Count("commitments", filter=published & Q(commitments__is_stale=True)),
    ).values_list("pk", "n", "n_overdue", "n_stale")
    now = timezone.now()
    rollups = [
        JurisdictionRollup(
            jurisdiction_id=pk,
            commitments=n,
            by_status=by_status.get(pk, {}),
            overdue=overdue,
            stale=stale,
            refreshed_at=now,
        )
        for pk, n, overdue, stale in rows
    ]
    JurisdictionRollup.objects.bulk_create(
        rollups,
        batch_size=1000,
        update_conflicts=True,
        unique_fields=["jurisdiction"],
        update_fields=["commitments", "by_status", "overdue", "stale", "refreshed_at"],
    )
    return len(rollups)


def refresh_all(recommendation_ids=None) -> dict:
    """Statuses first, then the roll-ups that read them; returns counts for TaskRun."""
    changed = refresh_local_status(recommendation_ids)
    themes = refresh_theme_rollups(recommendation_ids)
    jurisdiction_ids = None
    if recommendation_ids is not None:
        from jurisdictions.models import Commitment

        jurisdiction_ids = set(
            Commitment.objects.filter(links__recommendation__in=list(recommendation_ids))
            .order_by()
            .values_list("jurisdiction_id", flat=True)
        )
    jurisdictions = refresh_jurisdiction_rollups(jurisdiction_ids)
    return {
        "recommendations_changed": changed,
        "theme_rollups": themes,
        "jurisdiction_rollups": jurisdictions,
    }


# Coalescing targeted refreshes -----------------------------------------------------------


def _redis():
    import redis

    return redis.Redis.from_url(settings.REDIS_URL)


_suspension = threading.local()


@contextmanager
def refresh_suspended():
    """For bulk loaders (seed_demo): skip the per-row refreshes; the caller runs one full
    refresh afterwards."""
    _suspension.active = True
    try:
        yield
    finally:
        _suspension.active = False


def _suspended() -> bool:
    return getattr(_suspension, "active", False)


def schedule_refresh(recommendation_ids) -> None:
    """Ask for a refresh of these recommendations once the current transaction commits.

    Call it wherever commitments or their links change. Bursts coalesce: the ids gather in
    a Redis set and one task runs REFRESH_DELAY_SECONDS after the first of them; without
    Redis (eager mode) the refresh runs straight after the commit.
    """
    ids = sorted({int(pk) for pk in recommendation_ids if pk is not None})
    if ids and not _suspended():
        transaction.on_commit(lambda: _enqueue(ids))


def _enqueue(ids: list[int]) -> None:
    from recommendations.tasks import refresh_pending_statuses, refresh_recommendation_statuses

    if settings.CELERY_TASK_ALWAYS_EAGER:
        refresh_recommendation_statuses.delay(recommendation_ids=ids)
        return
    import redis

    try:
        client = _redis()
        client.sadd(PENDING_KEY, *ids)
        # Only the first change of a burst queues a task; later ones just add their ids.
        if client.set(QUEUED_KEY, "1", nx=True, ex=REFRESH_DELAY_SECONDS + 600):
            refresh_pending_statuses.apply_async(countdown=REFRESH_DELAY_SECONDS)
    except redis.RedisError:
        # The edit is saved; the nightly full refresh will pick these rows up.
        logger.exception("Could not queue a status refresh for %d recommendations", len(ids))


def take_pending_ids() -> list[int]:
    """The ids waiting for a refresh. The queued flag is cleared first, so a change that
    arrives while this refresh runs queues the next one instead of being missed."""
    client = _redis()
    client.delete(QUEUED_KEY)
    return sorted(int(pk) for pk in client.smembers(PENDING_KEY))


def forget_pending_ids(ids: list[int]) -> None:
    if ids:
        _redis().srem(PENDING_KEY, *ids)


# Explicit calls are preferred; these two receivers catch edits made in the admin or by any
# view that forgets to call schedule_refresh. They only schedule, never compute.


def commitment_link_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        schedule_refresh([instance.recommendation_id])


def commitment_changed(sender, instance, created=False, raw=False, **kwargs):
    # A new commitment has no links yet; its links' own saves schedule the refresh.
    if not (raw or created or _suspended()):
        commitment_id = instance.pk
        # The link lookup waits for the commit too, so a save costs no extra query.
        transaction.on_commit(lambda: _enqueue_for_commitment(commitment_id))


def _enqueue_for_commitment(commitment_id: int) -> None:
    from jurisdictions.models import CommitmentLink

    ids = sorted(
        set(
            CommitmentLink.objects.filter(commitment_id=commitment_id).values_list(
                "recommendation_id", flat=True
            )
        )
    )
    if ids:
        _enqueue(ids)
