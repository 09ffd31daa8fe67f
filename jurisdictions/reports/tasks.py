"""The background build of a large report into a file, with progress on its row."""

import logging

from celery import shared_task
from django.core.files.base import ContentFile
from django.utils import timezone

from recommendations.jobs import RETRY, TRANSIENT_ERRORS, requeue_stale

from .models import ReportBuild

logger = logging.getLogger(__name__)


@shared_task(name="jurisdictions.tasks.build_report", soft_time_limit=600, time_limit=660, **RETRY)
def build_report(build_id):
    """Claimed by a conditional update, so a task delivered twice builds once."""
    from .document import NothingSelected, assemble
    from .formats import RENDERERS

    claimed = ReportBuild.objects.filter(pk=build_id, status=ReportBuild.Status.QUEUED).update(
        status=ReportBuild.Status.RUNNING
    )
    if not claimed:
        return None
    build = ReportBuild.objects.get(pk=build_id)

    def progress(done, total):
        # Assembling is the first half of the work; laying out the file the second.
        ReportBuild.objects.filter(pk=build_id).update(done=done, total=total * 2)

    try:
        document = assemble(build.spec, progress=progress)
        body = RENDERERS[build.format](document)
    except TRANSIENT_ERRORS:
        # Hand the row back so the retry can claim it again.
        ReportBuild.objects.filter(pk=build_id).update(status=ReportBuild.Status.QUEUED)
        raise
    except NothingSelected as exc:
        return _fail(build_id, str(exc))
    except Exception as exc:
        logger.exception("Report build %s failed", build_id)
        return _fail(build_id, f"The report could not be built: {exc}")
    build.file.save(f"{build.token}.{build.format}", ContentFile(body), save=False)
    ReportBuild.objects.filter(pk=build_id).update(
        file=build.file.name,
        status=ReportBuild.Status.SUCCEEDED,
        done=len(document.citations) * 2,
        total=len(document.citations) * 2,
        finished_at=timezone.now(),
    )
    return build.file.name


def _fail(build_id, message):
    ReportBuild.objects.filter(pk=build_id).update(
        status=ReportBuild.Status.FAILED, error=message, finished_at=timezone.now()
    )
    return None


@shared_task(name="jurisdictions.tasks.maintain_report_builds", **RETRY)
def maintain_report_builds():
    """Every minute: sends again the builds still queued a while after they were asked
    for (the broker was away when the visitor asked)."""
    queued = ReportBuild.objects.filter(status=ReportBuild.Status.QUEUED)
    return {"requeued": requeue_stale(queued, build_report, name="report-build")}
