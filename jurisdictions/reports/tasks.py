"""The background build of a large report into a file, with progress on its row, and the
upkeep of builds: sent again when never queued, started again when their worker died,
deleted with their files when old."""

import logging
from datetime import timedelta
from pathlib import Path

from celery import shared_task
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from recommendations.jobs import (
    RETRY,
    TRANSIENT_ERRORS,
    advisory_lock,
    recover_lost,
    requeue_stale,
    track_run,
)

from .models import ACTIVE_BUILD, ReportBuild

logger = logging.getLogger(__name__)

# A build whose worker was killed this often (usually for memory) would be killed again.
MAX_ATTEMPTS = 3
FOLDER = "reports"


@shared_task(name="jurisdictions.tasks.build_report", soft_time_limit=600, time_limit=660, **RETRY)
def build_report(build_id):
    """Builds a queued build, or a running one whose worker died (its lock is free: a
    message the broker delivered again). A build delivered twice is built once."""
    build = ReportBuild.objects.filter(pk=build_id).first()
    if build is None:
        return None  # deleted since it was queued
    with advisory_lock(build.lock_name) as acquired:
        if not acquired:
            return None  # being built by another worker
        claimed = ReportBuild.objects.filter(pk=build_id, status__in=ACTIVE_BUILD).update(
            status=ReportBuild.Status.RUNNING,
            started_at=timezone.now(),
            attempts=F("attempts") + 1,
        )
        if not claimed:
            return None
        build.refresh_from_db()
        if build.attempts > MAX_ATTEMPTS:
            return _fail(build_id, _stopped(build.attempts - 1))
        return _build(build)


def _build(build):
    from .document import NothingSelected, assemble, report_language
    from .formats import RENDERERS

    def progress(done, total):
        # Assembling is the first half of the work; laying out the file the second.
        ReportBuild.objects.filter(pk=build.pk).update(done=done, total=total * 2)

    try:
        document = assemble(build.spec, progress=progress)
        body = RENDERERS[build.format](document)
    except TRANSIENT_ERRORS:
        # Hand the row back so the retry can claim it again.
        ReportBuild.objects.filter(pk=build.pk).update(status=ReportBuild.Status.QUEUED)
        raise
    except NothingSelected as exc:
        return _fail(build.pk, str(exc))
    except Exception as exc:
        logger.exception("Report build %s failed", build.pk)
        with translation.override(report_language(build.spec.get("language"))):
            message = _("The report could not be built: %(error)s") % {"error": exc}
        return _fail(build.pk, message)
    build.file.save(f"{build.token}.{build.format}", ContentFile(body), save=False)
    ReportBuild.objects.filter(pk=build.pk).update(
        file=build.file.name,
        status=ReportBuild.Status.SUCCEEDED,
        done=len(document.citations) * 2,
        total=len(document.citations) * 2,
        finished_at=timezone.now(),
    )
    return build.file.name


def _stopped(times: int) -> str:
    return _(
        "The worker building this report stopped %(count)s times, so it was not tried again. "
        "A smaller selection may build."
    ) % {"count": times}


def _fail(build_id, message):
    ReportBuild.objects.filter(pk=build_id).update(
        status=ReportBuild.Status.FAILED, error=message, finished_at=timezone.now()
    )
    return None


@shared_task(name="jurisdictions.tasks.maintain_report_builds", **RETRY)
def maintain_report_builds():
    """Every minute: starts again builds whose worker died (fails them after three
    starts), sends again builds still queued a while after they were asked for (the
    broker was away), and deletes builds and files older than REPORT_BUILD_RETENTION_HOURS."""
    with track_run("jurisdictions.tasks.maintain_report_builds") as run:
        counts = recover_lost(
            ReportBuild.objects.filter(status=ReportBuild.Status.RUNNING),
            requeue=lambda pk: build_report.send_or_log(args=[pk]),
            give_up=lambda build: _fail(build.pk, _stopped(build.attempts)),
            max_attempts=MAX_ATTEMPTS,
        )
        queued = ReportBuild.objects.filter(status=ReportBuild.Status.QUEUED)
        counts["requeued"] = requeue_stale(queued, build_report, name="report-build")
        counts["expired"] = expire_old_builds()
        run.counts = counts
    return counts


def expire_old_builds(now=None) -> int:
    """Deletes finished builds older than the retention period with their files, and any
    file in the reports folder that no build names (left by a build deleted by hand).
    Their progress pages then answer 'not found'. Returns how many builds went."""
    cutoff = (now or timezone.now()) - timedelta(hours=settings.REPORT_BUILD_RETENTION_HOURS)
    old = ReportBuild.objects.exclude(status__in=ACTIVE_BUILD).filter(created_at__lt=cutoff)
    expired = 0
    for build in old.iterator():
        if build.file:
            build.file.delete(save=False)
        build.delete()
        expired += 1
    kept = {Path(name).name for name in ReportBuild.objects.values_list("file", flat=True)}
    if default_storage.exists(FOLDER):
        for name in default_storage.listdir(FOLDER)[1]:
            path = f"{FOLDER}/{name}"
            if name not in kept and default_storage.get_modified_time(path) < cutoff:
                default_storage.delete(path)
    return expired
