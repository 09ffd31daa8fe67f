"""An import whose worker died is started again from its stored file, or failed with a
reason; uploaded files are deleted after the retention period."""

import threading
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from recommendations.importers import runs
from recommendations.jobs import advisory_lock
from recommendations.models import ImportRun, Recommendation, TaskRun
from recommendations.tasks import maintain_imports, run_import

DATA = Path(__file__).parent / "data"
pytestmark = pytest.mark.django_db


def stored_copy(tmp_path, name="upr_info_original.csv") -> Path:
    path = tmp_path / name
    path.write_bytes((DATA / name).read_bytes())
    return path


def dead_run(path, attempts=1) -> ImportRun:
    """A run marked running whose process is gone: nobody holds its lock."""
    run = ImportRun.objects.start(path=path, file_name=Path(path).name)
    ImportRun.objects.filter(pk=run.pk).update(
        status="running", attempts=attempts, started_at=timezone.now() - timedelta(minutes=5)
    )
    return run


class HeldElsewhere:
    """Holds a run's lock from another thread (another connection), as a live worker does."""

    def __init__(self, run):
        self.name, self.ready, self.release = run.lock_name, threading.Event(), threading.Event()

    def _hold(self):
        from django.db import connection

        with advisory_lock(self.name):
            self.ready.set()
            self.release.wait(10)
        connection.close()

    def __enter__(self):
        self.thread = threading.Thread(target=self._hold)
        self.thread.start()
        self.ready.wait(10)

    def __exit__(self, *exc):
        self.release.set()
        self.thread.join(10)


def test_a_running_import_whose_worker_died_is_started_again_and_completes(
    reference_data, tmp_path
):
    run = dead_run(stored_copy(tmp_path))

    counts = maintain_imports()  # tasks run in-process here: the restart runs at once

    assert counts["restarted"] == 1
    run.refresh_from_db()
    assert (run.status, run.attempts, run.created) == ("succeeded", 2, 4)
    assert Recommendation.objects.count() == 4
    assert TaskRun.objects.get(task="recommendations.tasks.maintain_imports").outcome == (
        "succeeded"
    )


def test_an_import_whose_worker_died_three_times_is_failed_with_a_reason(reference_data, tmp_path):
    run = dead_run(stored_copy(tmp_path), attempts=3)

    assert maintain_imports()["failed"] == 1

    run.refresh_from_db()
    assert run.status == "failed" and run.finished_at is not None
    assert run.report["errors"][0]["message"] == (
        "The worker running this import stopped 3 times. Nothing was changed."
    )
    assert Recommendation.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_an_import_still_alive_in_another_process_is_left_alone(reference_data, tmp_path):
    run = dead_run(stored_copy(tmp_path))

    with HeldElsewhere(run):
        counts = maintain_imports()
        run_import(run.pk)  # a second delivery of its task does nothing either

    assert counts["restarted"] == 0
    run.refresh_from_db()
    assert (run.status, run.attempts) == ("running", 1)
    assert Recommendation.objects.count() == 0


def test_a_run_whose_file_is_gone_fails_with_that_reason(reference_data, tmp_path):
    run = ImportRun.objects.start(path=tmp_path / "deleted.csv", file_name="deleted.csv")

    run_import(run.pk)

    run.refresh_from_db()
    assert run.status == "failed"
    assert "The stored file is gone" in run.report["errors"][0]["message"]


def test_uploaded_files_are_deleted_after_the_retention_period(reference_data, tmp_path, settings):
    settings.IMPORT_FILE_RETENTION_DAYS = 30
    old = stored_copy(tmp_path)
    recent = tmp_path / "recent.csv"
    recent.write_bytes(old.read_bytes())
    busy = tmp_path / "busy.csv"
    busy.write_bytes(old.read_bytes())
    runs_ = {
        "old": ImportRun.objects.start(path=old, file_name="old.csv"),
        "recent": ImportRun.objects.start(path=recent, file_name="recent.csv"),
        "busy": ImportRun.objects.start(path=busy, file_name="busy.csv"),
    }
    ImportRun.objects.filter(pk__in=[runs_["old"].pk, runs_["recent"].pk]).update(
        status="succeeded"
    )
    ImportRun.objects.filter(pk__in=[runs_["old"].pk, runs_["busy"].pk]).update(
        created_at=timezone.now() - timedelta(days=31)
    )

    assert runs.delete_old_files() == 1

    assert not old.exists() and recent.exists() and busy.exists()
    runs_["old"].refresh_from_db()
    assert runs_["old"].file_path == "" and runs_["old"].status == "succeeded"
