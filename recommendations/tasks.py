"""Background jobs of the recommendations app: upstream sync and curator imports. Each
takes ids and is safe to run twice."""

import requests
from celery import shared_task

from .jobs import RETRY, Skipped, advisory_lock, track_run


@shared_task(
    name="recommendations.tasks.sync_upstream",
    soft_time_limit=1800,
    time_limit=1900,
    **RETRY,
)
def sync_upstream(source_ids=None):
    """Download each enabled upstream export that changed and run the importer on it."""
    from recommendations.models import UpstreamSource

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

    from recommendations.importers.pipeline import import_file
    from recommendations.models import ImportRun, UpstreamSource

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

    from recommendations.importers.pipeline import run_import_into
    from recommendations.models import ImportRun

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
