"""Background jobs of the recommendations app; each takes ids and is safe to run twice."""

import redis
import requests
from celery import shared_task
from django.db import InterfaceError, OperationalError, transaction

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


@shared_task(
    name="recommendations.tasks.refresh_recommendation_statuses",
    soft_time_limit=900,
    time_limit=960,
    **RETRY,
)
def refresh_recommendation_statuses(recommendation_ids=None):
    """Derive local_status and jurisdictions_acting, then the roll-ups.

    With no ids: the nightly full refresh, under a lock so two runs never work at once.
    With ids: just those recommendations (and the themes they belong to).
    """
    from recommendations import status

    with status.track_run("recommendations.tasks.refresh_recommendation_statuses") as run:
        if recommendation_ids is None:
            with status.advisory_lock("status-refresh-full", timeout=960) as acquired:
                if not acquired:
                    raise status.Skipped("Another full refresh held the lock.")
                with transaction.atomic():
                    run.counts = status.refresh_all()
        else:
            ids = sorted({int(pk) for pk in recommendation_ids})
            with transaction.atomic():
                run.counts = {"requested": len(ids), **status.refresh_all(ids)}
    return run.counts


@shared_task(
    name="recommendations.tasks.refresh_pending_statuses",
    soft_time_limit=300,
    time_limit=360,
    **RETRY,
)
def refresh_pending_statuses():
    """Runs the coalesced targeted refresh queued by status.schedule_refresh."""
    from recommendations import status

    ids = status.take_pending_ids()
    if not ids:
        return {"requested": 0}
    counts = refresh_recommendation_statuses(recommendation_ids=ids)
    # Forgotten only after the refresh committed: a killed worker leaves them for the rerun.
    status.forget_pending_ids(ids)
    return counts


@shared_task(
    name="recommendations.tasks.sync_upstream",
    soft_time_limit=1800,
    time_limit=1900,
    **RETRY,
)
def sync_upstream(source_ids=None):
    """Download each enabled upstream export that changed and run the importer on it."""
    from recommendations.models import UpstreamSource
    from recommendations.status import Skipped, advisory_lock, track_run

    sources = UpstreamSource.objects.filter(enabled=True)
    if source_ids is not None:
        sources = sources.filter(pk__in=source_ids)
    counts = {"checked": 0, "unchanged": 0, "imported": 0, "failed": 0, "busy": 0}
    with track_run("recommendations.tasks.sync_upstream") as run:
        for source_id in sources.values_list("pk", flat=True):
            # Two syncs of one source at once would import the same file twice.
            with advisory_lock(f"upstream-{source_id}", timeout=1900) as acquired:
                if not acquired:
                    counts["busy"] += 1
                    continue
                counts[_sync_source(source_id)] += 1
            counts["checked"] += 1
        run.counts = counts
        if counts["checked"] == 0 and counts["busy"]:
            raise Skipped("Every source was being synced by another run.")
    return counts


def _sync_source(source_id: int) -> str:
    """Returns "unchanged", "imported" or "failed"; the reason is kept on the source."""
    import hashlib
    import logging
    import tempfile
    from pathlib import Path

    from django.conf import settings
    from django.utils import timezone
    from django.utils.text import slugify

    from recommendations.models import ImportRun, UpstreamSource
    from recommendations.services import import_file

    source = UpstreamSource.objects.get(pk=source_id)
    headers = {"User-Agent": "UPR Tracker upstream sync"}
    if source.etag:
        headers["If-None-Match"] = source.etag
    folder = Path(settings.MEDIA_ROOT) / "upstream"
    folder.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    with requests.get(source.url, headers=headers, timeout=(10, 120), stream=True) as response:
        if response.status_code == 304:
            UpstreamSource.objects.filter(pk=source_id).update(
                last_checked_at=timezone.now(), last_error=""
            )
            return "unchanged"
        if response.status_code >= 400:
            UpstreamSource.objects.filter(pk=source_id).update(
                last_checked_at=timezone.now(), last_error=f"HTTP {response.status_code}"
            )
            return "failed"
        etag = response.headers.get("ETag", "")[:300]
        with tempfile.NamedTemporaryFile(dir=folder, suffix=".part", delete=False) as tmp:
            for chunk in response.iter_content(chunk_size=1 << 16):
                digest.update(chunk)
                tmp.write(chunk)
    sha = digest.hexdigest()
    if sha == source.last_hash:
        Path(tmp.name).unlink(missing_ok=True)
        UpstreamSource.objects.filter(pk=source_id).update(
            etag=etag, last_checked_at=timezone.now(), last_error=""
        )
        return "unchanged"
    suffix = Path(source.url.split("?", 1)[0]).suffix or ".csv"
    path = folder / f"{slugify(source.name) or source.pk}-{sha[:12]}{suffix}"
    Path(tmp.name).replace(path)
    import_run = ImportRun.objects.start(path=path, file_name=path.name, format=source.format)
    try:
        report = import_file(path, format=source.format or None, import_run=import_run)
        problem = "" if report.ok else f"Import run {import_run.pk} found errors."
    except Exception as exc:
        logging.getLogger(__name__).exception("Import of upstream source %s failed", source)
        problem = f"Import failed: {exc}"[:2000]
    if problem:
        # A crashed import must not stay "running" in the import history.
        ImportRun.objects.filter(
            pk=import_run.pk, status__in=[ImportRun.Status.QUEUED, ImportRun.Status.RUNNING]
        ).update(status=ImportRun.Status.FAILED, finished_at=timezone.now())
        UpstreamSource.objects.filter(pk=source_id).update(
            last_checked_at=timezone.now(), last_error=problem
        )
        return "failed"
    # The hash and ETag are stored only after a successful import, so a failed one is
    # downloaded and tried again next time.
    UpstreamSource.objects.filter(pk=source_id).update(
        etag=etag, last_hash=sha, last_checked_at=timezone.now(), last_error=""
    )
    return "imported"


@shared_task(name="recommendations.tasks.run_import", soft_time_limit=1800, time_limit=1860)
def run_import(import_run_id):
    """Run one queued ImportRun. Claimed by a conditional update so that a task delivered
    twice imports once; the import itself is all-or-nothing, so a crash leaves no half."""
    import logging

    from django.utils import timezone

    from recommendations.models import ImportRun
    from recommendations.services import run_import_into

    claimed = ImportRun.objects.filter(pk=import_run_id, status=ImportRun.Status.QUEUED).update(
        status=ImportRun.Status.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        return None
    run = ImportRun.objects.get(pk=import_run_id)
    try:
        report = run_import_into(run)
    except Exception as exc:
        logging.getLogger(__name__).exception("Import run %s crashed", import_run_id)
        ImportRun.objects.filter(pk=import_run_id).update(
            status=ImportRun.Status.FAILED,
            finished_at=timezone.now(),
            errors=1,
            report={"errors": [{"line": 0, "column": "", "message": f"The import stopped: {exc}"}]},
        )
        return None
    return report.counts
