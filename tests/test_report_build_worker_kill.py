"""A real report worker killed (SIGKILL) in the middle of a large build, on Redis and
PostgreSQL: the build does not stay "Building"; the upkeep job (run every minute by beat)
finds its lock free, sends it again, and a new worker builds the same file a clean build
gives."""

import io

import docx
import pytest
from django.urls import reverse

from jurisdictions.reports import builder, tasks
from jurisdictions.reports.models import ACTIVE_BUILD, ReportBuild
from jurisdictions.reports.selection import MAX_RECOMMENDATIONS
from recommendations.models import Recommendation
from tests.helpers import Worker, wait_for

pytestmark = [pytest.mark.redis, pytest.mark.timeout(240)]

# The most a report holds, with the three of report_data: enough that the Word file takes
# the worker a few seconds.
RECOMMENDATIONS = MAX_RECOMMENDATIONS - 3


def add_recommendations(review):
    Recommendation.objects.bulk_create(
        Recommendation(
            review=review,
            paragraph=f"40.{n}",
            text=f"Adopt measure {n} to protect the right to adequate housing. " * 8,
            response="supported",
        )
        for n in range(RECOMMENDATIONS)
    )


def contents(body: bytes) -> tuple[list[str], list[list[str]]]:
    """A Word file's paragraphs and table cells, as a reader sees them (the file's own
    creation time differs from one build to the next)."""
    document = docx.Document(io.BytesIO(body))
    paragraphs = [p.text for p in document.paragraphs]
    tables = [[cell.text for row in t.rows for cell in row.cells] for t in document.tables]
    return paragraphs, tables


def test_a_build_whose_worker_is_killed_is_restarted_by_the_upkeep_job(
    broker, client, report_data, settings, tmp_path, monkeypatch
):
    media = tmp_path / "media"
    settings.MEDIA_ROOT = media
    monkeypatch.setattr(builder, "TASK_THRESHOLD", 2)
    add_recommendations(report_data.shelter.review)

    first = Worker(tmp_path, queues="reports", MEDIA_ROOT=str(media)).start()
    try:
        answer = client.get("/reports/submission.docx?cycle=3")
        assert answer.status_code == 302
        build = ReportBuild.objects.get()
        assert answer["Location"] == build.get_absolute_url()

        def under_way():
            build.refresh_from_db()
            return build.status == "running"

        wait_for(under_way, first, timeout=60, what="the build to be under way")
        first.kill()
    finally:
        first.stop()
    build.refresh_from_db()
    assert (build.status, build.attempts, build.file.name) == ("running", 1, "")
    # Its progress page still says it is being built.
    assert client.get(build.get_absolute_url()).status_code == 200

    # Redis keeps the dead worker's message for the visibility timeout (14 minutes); the
    # upkeep job, run by beat every minute, does not wait: once PostgreSQL has dropped the
    # dead connection and its lock, the build goes back to the queue for the new worker.
    second = Worker(tmp_path, queues="reports", MEDIA_ROOT=str(media)).start()
    try:
        restarted = []

        def sent_again():
            restarted.append(tasks.maintain_report_builds()["restarted"])
            return restarted[-1] == 1

        wait_for(sent_again, second, timeout=30, what="the upkeep job to restart the build")

        def finished():
            build.refresh_from_db()
            return build.status not in ACTIVE_BUILD

        wait_for(finished, second, timeout=150, what="the restarted build")
        # Beat runs the job again: nothing is left to restart or requeue.
        again = tasks.maintain_report_builds()
        assert (again["restarted"], again["failed"], again["requeued"]) == (0, 0, 0)
    finally:
        second.stop()

    assert (build.status, build.error) == ("succeeded", "")
    assert build.attempts == 2
    assert build.total == build.done == MAX_RECOMMENDATIONS * 2
    assert not ReportBuild.objects.filter(status__in=ACTIVE_BUILD).exists()

    download = client.get(reverse("reports:build-file", args=[build.token]))
    assert download.status_code == 200
    restarted_file = b"".join(download.streaming_content)

    # A clean build of the same spec, in this process, from start to finish.
    clean = ReportBuild.objects.create(spec=build.spec, spec_hash="clean", format="docx")
    assert tasks.build_report(clean.pk)
    clean.refresh_from_db()
    assert (clean.status, clean.attempts) == ("succeeded", 1)
    paragraphs, tables = contents(restarted_file)
    assert (paragraphs, tables) == contents(clean.file.read())
    assert any(f"Adopt measure {RECOMMENDATIONS - 1} " in p for p in paragraphs)
