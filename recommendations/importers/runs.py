"""An ImportRun's life: claimed by one worker, restarted from its stored file if that
worker dies, failed with a reason after too many deaths, its file deleted after the
retention period.

Liveness is a lock named after the run (recommendations.jobs.advisory_lock): the process
importing holds it, and on PostgreSQL the server frees it when that process's connection
dies. A run marked running whose lock is free has therefore lost its worker. The import is
one transaction, so a dead run wrote nothing and starting it again from the file is safe.
"""

import logging
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ..jobs import advisory_lock, recover_lost
from ..models import ImportRun
from .pipeline import run_import_into

logger = logging.getLogger(__name__)

# A worker killed this often on one file (usually for memory) will be killed again.
MAX_ATTEMPTS = 3

# Called with a run's id once it has finished, done or failed: the jurisdictions app
# registers its webhook event here (this app imports nothing from it).
finished_hooks: list = []


def _finished(import_run_id: int) -> None:
    for hook in finished_hooks:
        hook(import_run_id)


def run(import_run_id: int):
    """Runs a queued run, or one whose worker died; does nothing if another process holds
    it or it has finished. Returns the report, or None. Its row-level messages are written
    in the language of the page the file was uploaded from."""
    run = ImportRun.objects.filter(pk=import_run_id).first()
    if run is None:
        return None
    with translation.override(run.options.get("language") or settings.LANGUAGE_CODE):
        return _run(run, import_run_id)


def _run(run: ImportRun, import_run_id: int):
    with advisory_lock(run.lock_name) as acquired:
        if not acquired:
            return None  # alive in another process
        claimed = (
            ImportRun.objects.active()
            .filter(pk=import_run_id)
            .update(
                status=ImportRun.Status.RUNNING,
                started_at=timezone.now(),
                attempts=F("attempts") + 1,
            )
        )
        if not claimed:
            return None
        run.refresh_from_db()
        if run.attempts > MAX_ATTEMPTS:
            fail(
                run,
                _("The worker running this import stopped %(count)s times.")
                % {"count": run.attempts - 1},
            )
            return None
        if not run.file_path or not Path(run.file_path).exists():
            fail(run, _("The stored file is gone, so the import cannot run."))
            return None
        try:
            report = run_import_into(run)
        except Exception as exc:
            logger.exception("Import run %s crashed", import_run_id)
            fail(run, _("The import stopped: %(exc)s") % {"exc": exc})
            report = None
        _finished(import_run_id)
        return report


def fail(run: ImportRun, reason: str):
    ImportRun.objects.filter(pk=run.pk).update(
        status=ImportRun.Status.FAILED,
        finished_at=timezone.now(),
        errors=0,
        report={
            "errors": [
                {"line": 0, "column": "", "message": f"{reason} {_('Nothing was changed.')}"}
            ]
        },
    )


def recover(enqueue) -> dict:
    """Finds running imports whose worker died and hands each to `enqueue(run_id)` again,
    or fails it after MAX_ATTEMPTS starts. Beat calls this every minute."""
    return recover_lost(
        ImportRun.objects.filter(status=ImportRun.Status.RUNNING),
        requeue=enqueue,
        give_up=lambda run: fail(
            run,
            _("The worker running this import stopped %(attempts)s times.")
            % {"attempts": run.attempts},
        ),
        max_attempts=MAX_ATTEMPTS,
    )


def delete_old_files(now=None) -> int:
    """Deletes the stored file of every finished run older than IMPORT_FILE_RETENTION_DAYS;
    the run's record and report stay."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.IMPORT_FILE_RETENTION_DAYS)
    old = (
        ImportRun.objects.filter(created_at__lt=cutoff)
        .exclude(status__in=[ImportRun.Status.QUEUED, ImportRun.Status.RUNNING])
        .exclude(file_path="")
    )
    deleted = 0
    for pk, path in old.values_list("pk", "file_path"):
        Path(path).unlink(missing_ok=True)
        ImportRun.objects.filter(pk=pk).update(file_path="")
        deleted += 1
    return deleted
