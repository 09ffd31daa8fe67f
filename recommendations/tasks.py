"""Background jobs of the recommendations app: upstream sync and curator imports. Each
takes ids and is safe to run twice."""

import time

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded

from . import facet_index  # noqa: F401 - its index build is a task too
from .jobs import RETRY, Skipped, advisory_lock, requeue_stale, track_run


@shared_task(
    name="recommendations.tasks.sync_upstream",
    soft_time_limit=720,
    time_limit=780,
    **RETRY,
)
def sync_upstream(source_ids=None):
    """Download each enabled upstream export that changed and run the importer on it.

    Sources are independent: one that fails is recorded on its row and the others still
    run. Past UPSTREAM_SYNC_DEADLINE_SECONDS no new source is started (they are counted
    as "deferred" and run next time), so the run ends inside its time limit. Each source
    may use only its share of the time left, and the least recently checked go first, so
    one slow source can neither starve the others nor always be the one left out."""
    import logging

    from recommendations import upstream
    from recommendations.models import UpstreamSource

    sources = UpstreamSource.objects.filter(enabled=True)
    if source_ids is not None:
        sources = sources.filter(pk__in=source_ids)
    counts = {"checked": 0, "unchanged": 0, "imported": 0, "failed": 0, "busy": 0, "deferred": 0}
    deadline = upstream.deadline_from_now()
    with track_run("recommendations.tasks.sync_upstream") as run:
        source_ids = upstream.in_turn(sources)
        for position, source_id in enumerate(source_ids):
            if time.monotonic() >= deadline:
                counts["deferred"] += 1
                continue
            # Two syncs of one source at once would import the same file twice.
            with advisory_lock(f"upstream-{source_id}") as acquired:
                if not acquired:
                    counts["busy"] += 1
                    continue
                try:
                    share = upstream.fair_share(deadline, len(source_ids) - position)
                    counts[upstream.sync_source(source_id, share)] += 1
                except SoftTimeLimitExceeded:
                    raise
                except Exception as exc:
                    logging.getLogger(__name__).exception("Upstream source %s failed", source_id)
                    upstream.record(source_id, last_error=f"Sync failed: {exc}"[:2000])
                    counts["failed"] += 1
            counts["checked"] += 1
        run.counts = counts
        if counts["checked"] == 0 and counts["busy"]:
            raise Skipped("Every source was being synced by another run.")
    return counts


# 780 s is below the broker's visibility timeout (settings); the benchmark imports
# 40,000 rows in well under a minute.
@shared_task(name="recommendations.tasks.run_import", soft_time_limit=720, time_limit=780)
def run_import(import_run_id):
    """Run one ImportRun. A task delivered twice imports once; a task redelivered after its
    worker died starts the import again from the stored file (importers/runs.py)."""
    from recommendations.importers import runs

    report = runs.run(import_run_id)
    return report.counts if report is not None else None


@shared_task(name="recommendations.tasks.maintain_imports", **RETRY)
def maintain_imports():
    """Every minute: restarts imports whose worker died (or fails them after three
    starts), sends again those still queued a while after upload (the broker was away),
    and deletes uploaded files older than IMPORT_FILE_RETENTION_DAYS."""
    from recommendations.importers import runs
    from recommendations.models import ImportRun

    with track_run("recommendations.tasks.maintain_imports") as task_run:
        counts = runs.recover(lambda pk: run_import.delay(pk))
        queued = ImportRun.objects.filter(status=ImportRun.Status.QUEUED)
        counts["requeued"] = requeue_stale(queued, run_import, name="import-run")
        counts["files_deleted"] = runs.delete_old_files()
        task_run.counts = counts
    return counts
