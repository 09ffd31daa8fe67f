"""A real Celery worker killed (SIGKILL) in the middle of an import, on Redis and
PostgreSQL: the import does not stay "running"; it runs again from its stored file."""

import csv
from pathlib import Path

import pytest

from recommendations.models import ImportRun, Recommendation
from recommendations.tasks import run_import
from tests.helpers import UPR_INFO_HEADER, Worker, wait_for

pytestmark = [pytest.mark.redis, pytest.mark.timeout(240)]


def write_big_file(path: Path, recommendations=12_000) -> Path:
    states = ["Canada", "France", "Kenya", "Chile", "Japan", "Norway"]
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(UPR_INFO_HEADER.split(","))
        for n in range(recommendations):
            text = f"Adopt measure {n} to protect the right to adequate housing for all."
            writer.writerow(
                [states[n % 6], "", "", text, states[(n + 1) % 6], "", ""]
                + ["Accepted", "5", "Right to housing", str(1 + n % 40)]
            )
    return path


def test_an_import_whose_worker_is_killed_is_run_again_from_its_file(
    broker,
    reference_data,
    tmp_path,
):
    media = tmp_path / "media"
    path = write_big_file(tmp_path / "big.csv")
    run = ImportRun.objects.start(path=path, file_name="big.csv")
    first = Worker(tmp_path, CELERY_VISIBILITY_TIMEOUT="3", MEDIA_ROOT=str(media)).start()
    try:
        run_import.delay(run.pk)

        def under_way():
            run.refresh_from_db()
            return run.status == "running" and run.rows_done > 0

        wait_for(under_way, first, timeout=60, what="the import to be under way")
        first.kill()
    finally:
        first.stop()
    run.refresh_from_db()
    assert run.status == "running" and Recommendation.objects.count() == 0

    # Redis hands the unacknowledged task out again; the new worker finds the run's lock
    # free (PostgreSQL freed it with the dead connection) and starts the file again.
    second = Worker(tmp_path, CELERY_VISIBILITY_TIMEOUT="3", MEDIA_ROOT=str(media)).start()
    try:

        def finished():
            run.refresh_from_db()
            return run.is_finished

        wait_for(finished, second, timeout=150, what="the restarted import")
    finally:
        second.stop()

    assert run.status == "succeeded", run.report.get("errors")
    assert run.attempts == 2
    assert run.created == 12_000
    assert Recommendation.objects.count() == 12_000
