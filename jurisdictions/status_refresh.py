"""Asking for a status refresh when commitments or their links change.

Views call schedule_refresh(ids); the receivers connected in apps.py catch edits made in
the admin or by any view that forgets to. Both only schedule, never compute: bursts
coalesce in Redis into one task, and without Redis (eager mode) the refresh runs straight
after the commit.
"""

import logging
import threading
from contextlib import contextmanager

import redis
from django.conf import settings
from django.db import transaction

from . import pending
from .models import CommitmentLink
from .tasks import refresh_pending_statuses, refresh_recommendation_statuses

logger = logging.getLogger(__name__)

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
    """Ask for a refresh of these recommendations once the current transaction commits."""
    ids = sorted({int(pk) for pk in recommendation_ids if pk is not None})
    if ids and not _suspended():
        transaction.on_commit(lambda: _enqueue(ids))


def _enqueue(ids: list[int]) -> None:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        refresh_recommendation_statuses.delay(recommendation_ids=ids)
        return
    try:
        # Only the first change of a burst queues a task; later ones just add their ids.
        # A broker that is away is logged by send_or_log, not raised into the request.
        if pending.add(ids):
            refresh_pending_statuses.send_or_log(countdown=pending.REFRESH_DELAY_SECONDS)
    except redis.RedisError:
        # The edit is saved; the nightly full refresh will pick these rows up.
        logger.exception("Could not queue a status refresh for %d recommendations", len(ids))


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
    ids = sorted(
        set(
            CommitmentLink.objects.filter(commitment_id=commitment_id).values_list(
                "recommendation_id", flat=True
            )
        )
    )
    if ids:
        _enqueue(ids)
