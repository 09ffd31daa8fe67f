"""Bookkeeping that every app's background jobs share: the retry policy for transient
errors, the TaskRun record of each run, and the lock that keeps two runs of one job apart."""

import logging
import time
import traceback
from contextlib import contextmanager
from datetime import timedelta

import redis
import requests
from django.db import InterfaceError, OperationalError, connection, transaction
from django.utils import timezone

logger = logging.getLogger(__name__)

# Only these are worth retrying: the database, the network or the broker was briefly away.
TRANSIENT_ERRORS = (
    OperationalError,
    InterfaceError,
    requests.ConnectionError,
    requests.Timeout,
    redis.ConnectionError,
)
RETRY = {
    "autoretry_for": TRANSIENT_ERRORS,
    "retry_backoff": 5,
    "retry_backoff_max": 600,
    "retry_jitter": True,
    "max_retries": 5,
}
# Longer than any task's hard time limit.
LOST_AFTER = timedelta(hours=6)


class Skipped(Exception):
    """Raised inside track_run when another run holds the lock; recorded as skipped."""


class Busy(Exception):
    """Raised by exclusive_transaction when another run holds the lock. track_run records
    the run as deferred (or failed on the last try) and re-raises it so the task can retry:
    unlike Skipped, the work is still owed."""


LOST_WORKER = "The worker was lost during this run; the task was delivered again."


def _celery_task_id() -> str:
    from celery import current_task

    request = getattr(current_task, "request", None)
    return (getattr(request, "id", None) or "")[:155]


@contextmanager
def track_run(task_name: str, *, last_try: bool = True):
    """Record one job run in TaskRun; the body fills run.counts.

    last_try: False while the task will be retried if it finds its lock busy, so that a
    Busy run is recorded as deferred rather than failed.
    """
    from .models import TaskRun

    now = timezone.now()
    task_id = _celery_task_id()
    if task_id:
        # The broker hands a message out again only when the worker that had it died
        # (acks are late, and every time limit is shorter than the visibility timeout), so
        # an earlier run of this very message still marked running was lost with it.
        TaskRun.objects.filter(task_id=task_id, outcome=TaskRun.Outcome.RUNNING).update(
            outcome=TaskRun.Outcome.FAILED, finished_at=now, error=LOST_WORKER
        )
    # A run still "running" long after every time limit died with its worker; say so.
    TaskRun.objects.filter(
        task=task_name, outcome=TaskRun.Outcome.RUNNING, started_at__lt=now - LOST_AFTER
    ).update(outcome=TaskRun.Outcome.FAILED, error="The worker was lost during this run.")
    run = TaskRun.objects.create(task=task_name, started_at=now, task_id=task_id)
    try:
        yield run
    except Skipped as exc:
        run.outcome = TaskRun.Outcome.SKIPPED
        run.error = str(exc)
    except BaseException as exc:
        if isinstance(exc, Busy) and not last_try:
            run.outcome = TaskRun.Outcome.DEFERRED
            run.error = f"{exc} It will be tried again."
        elif isinstance(exc, Busy):
            run.outcome = TaskRun.Outcome.FAILED
            run.error = f"{exc} No more tries are left."
        else:
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
def advisory_lock(name: str, wait_seconds: float = 0):
    """Yields True to the one caller holding the named lock, False to everyone else (after
    up to `wait_seconds` of trying).

    A session advisory lock, which the server frees if the holder's connection dies, so a
    killed worker never leaves it held.
    """
    deadline = time.monotonic() + wait_seconds
    with connection.cursor() as cursor:
        while True:
            cursor.execute("SELECT pg_try_advisory_lock(hashtext(%s))", [name])
            acquired = cursor.fetchone()[0]
            if acquired or time.monotonic() >= deadline:
                break
            time.sleep(0.05)
    try:
        yield acquired
    finally:
        if acquired:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(hashtext(%s))", [name])


@contextmanager
def exclusive_transaction(name: str):
    """Runs the body in one transaction that holds the named lock; raises Busy if another
    transaction holds it.

    A transaction-level advisory lock. It goes with the transaction, so it never outlives
    the work: if the worker is killed, the server rolls the work back and frees the lock
    together. The session is also told to check for a vanished client every second, so a
    backend whose worker was killed mid-query stops instead of finishing the query first.
    """
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL client_connection_check_interval = 1000")
            cursor.execute("SELECT pg_try_advisory_xact_lock(hashtext(%s))", [name])
            if not cursor.fetchone()[0]:
                raise Busy(f"Another run held the lock {name!r}.")
        yield


# A row still queued this long after it was saved was probably never sent: the broker was
# away at the commit (upr_tracker.celery.Task.send_or_log logged it).
QUEUED_GRACE = timedelta(minutes=5)


def requeue_stale(rows, task, *, name: str) -> int:
    """Sends `task` again for each of `rows` (queued, with a created_at) saved more than
    QUEUED_GRACE ago. A duplicate is harmless, since every task claims its row by a
    conditional update, but each row is sent at most once per QUEUED_GRACE so that a long
    backlog does not fill the queue with them. Returns how many were sent."""
    from django.core.cache import cache

    cutoff = timezone.now() - QUEUED_GRACE
    sent = 0
    for pk in rows.filter(created_at__lt=cutoff).values_list("pk", flat=True):
        key = f"requeued:{name}:{pk}"
        if not cache.add(key, True, int(QUEUED_GRACE.total_seconds())):
            continue
        if task.send_or_log(args=[pk]) is None:
            cache.delete(key)  # try again at the next sweep
        else:
            sent += 1
    return sent


def recover_lost(running, *, requeue, give_up, max_attempts: int) -> dict:
    """Starts again each row of `running` whose worker died: a row whose advisory lock
    (row.lock_name, held by the process working on it) is free. It goes back to queued
    and `requeue(pk)` sends it; after `max_attempts` starts `give_up(row)` fails it
    instead, since a worker killed that often on one job (usually for memory) will be
    killed again. Rows are ImportRun and ReportBuild: status, attempts, lock_name."""
    counts = {"restarted": 0, "failed": 0}
    for row in running:
        with advisory_lock(row.lock_name) as free:
            if not free:
                continue
            if row.attempts >= max_attempts:
                give_up(row)
                counts["failed"] += 1
                continue
            running.filter(pk=row.pk).update(status="queued")
        requeue(row.pk)
        counts["restarted"] += 1
    return counts
