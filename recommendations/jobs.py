"""Bookkeeping that every app's background jobs share: the retry policy for transient
errors, the TaskRun record of each run, and the lock that keeps two runs of one job apart."""

import logging
import traceback
from contextlib import contextmanager
from datetime import timedelta

import redis
import requests
from django.db import InterfaceError, OperationalError, connection
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


@contextmanager
def track_run(task_name: str):
    """Record one job run in TaskRun; the body fills run.counts."""
    from .models import TaskRun

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
