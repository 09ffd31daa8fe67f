"""Large report builds cannot be abused or lost: one build per file however often it is
asked for, a limit per visitor and on the whole queue, texts clipped before they are
stored, old builds and files deleted, a preview that lays out only the first hundred
recommendations, builds on a queue of their own, a build whose worker died started again,
and saved reports readable only through their link, deletable, never overwritten stale."""

import io
import os
from datetime import timedelta
from pathlib import Path

import docx
import pytest
from django.db import connections
from django.urls import reverse
from django.utils import timezone

from jurisdictions.reports import builder, document, tasks
from jurisdictions.reports.models import Report, ReportBuild
from tests import factories
from upr_tracker.celery import app

pytestmark = pytest.mark.django_db

LARGE = "/reports/submission.docx?cycle=3"


@pytest.fixture
def large(report_data, settings, tmp_path, monkeypatch):
    """The three report recommendations count as a large report: built by a task."""
    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setattr(builder, "TASK_THRESHOLD", 2)
    return report_data


def test_the_same_file_asked_for_four_times_is_built_once(client, large):
    answers = [client.get(LARGE) for _ in range(4)]

    build = ReportBuild.objects.get()
    assert {a["Location"] for a in answers} == {build.get_absolute_url()}
    # A different file (another format, another title) is another build.
    client.get("/reports/submission.pdf?cycle=3")
    client.get(LARGE + "&title=Another")
    assert ReportBuild.objects.count() == 3


def test_a_finished_build_is_reused_for_ten_minutes(
    client, large, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = client.get(LARGE)
    build = ReportBuild.objects.get()
    assert build.status == "succeeded"
    assert client.get(LARGE)["Location"] == first["Location"]

    ReportBuild.objects.update(finished_at=timezone.now() - timedelta(minutes=11))
    assert client.get(LARGE)["Location"] != first["Location"]
    assert ReportBuild.objects.count() == 2


def test_a_visitor_past_the_limit_is_refused_and_others_are_not(client, large, settings):
    settings.REPORT_BUILDS_PER_CLIENT_PER_HOUR = 2
    for n in range(2):
        assert client.get(f"{LARGE}&title=Draft+{n}").status_code == 302

    refused = client.get(f"{LARGE}&title=Draft+3")

    assert refused.status_code == 429 and refused["Retry-After"]
    assert "2 report builds in the last hour" in refused.content.decode()
    assert ReportBuild.objects.count() == 2
    # Asking again for a build that exists costs nothing.
    assert client.get(f"{LARGE}&title=Draft+0").status_code == 302
    other = client.get(f"{LARGE}&title=Draft+3", REMOTE_ADDR="192.0.2.7")
    assert other.status_code == 302 and ReportBuild.objects.count() == 3


def test_a_full_queue_refuses_new_builds_without_losing_the_waiting_ones(client, large, settings):
    settings.REPORT_BUILDS_WAITING_MAX = 1
    client.get(LARGE)

    busy = client.get(LARGE + "&title=Another", REMOTE_ADDR="192.0.2.8")

    assert busy.status_code == 503 and "busy" in busy.content.decode()
    assert list(ReportBuild.objects.values_list("status", flat=True)) == ["queued"]


def test_texts_are_clipped_before_a_build_is_stored(client, large):
    introduction = "Our long view. " * 70_000  # about 1 MB

    client.post(
        "/reports/new/",
        {
            "cycle": "3",
            "action": "docx",
            "introduction": introduction,
            "assessment-1": "x" * 50_000,
        },
    )

    spec = ReportBuild.objects.get().spec
    assert len(spec["introduction"]) == 20_000
    assert all(len(text) <= 10_000 for text in spec["assessments"].values())


def test_a_large_download_is_queued_without_assembling_the_document(client, large, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("assembled inside the request")

    monkeypatch.setattr(builder, "assemble", refuse)

    assert client.get(LARGE).status_code == 302


def test_the_preview_lays_out_only_the_first_recommendations(client, large):
    page = client.get("/reports/new/?cycle=3").content.decode()

    assert "The preview shows the first 2 of 3 recommendations" in page
    assert "Guarantee shelter for every homeless family." in page
    assert "Publish an annual report on prison conditions." not in page
    assert "This report covers 3 recommendations" in page


def test_builds_are_sent_to_their_own_queue():
    route = app.amqp.router.route({}, "jurisdictions.tasks.build_report")
    assert route["queue"].name == "reports"
    status = app.amqp.router.route({}, "jurisdictions.tasks.refresh_recommendation_statuses")
    assert status["queue"].name == "celery"


def test_old_builds_and_their_files_are_deleted(large, settings):
    old = ReportBuild.objects.create(spec={}, spec_hash="a", format="docx")
    tasks.build_report(old.pk)  # fails: an empty spec selects nothing
    done = ReportBuild.objects.create(
        spec=document.clean_texts(
            {"kind": "submission", "limit": "none", "query": "cycle=3", "ids": None}
        ),
        spec_hash="b",
        format="docx",
    )
    tasks.build_report(done.pk)
    done.refresh_from_db()
    path = Path(done.file.path)
    assert path.exists()
    fresh = ReportBuild.objects.create(spec={}, spec_hash="c", format="pdf")
    stray = Path(settings.MEDIA_ROOT, "reports", "left-behind.pdf")
    stray.write_bytes(b"%PDF")
    eight_days_ago = timezone.now() - timedelta(days=8)
    ReportBuild.objects.filter(pk__in=[old.pk, done.pk]).update(created_at=eight_days_ago)
    fresh_stray = Path(settings.MEDIA_ROOT, "reports", "being-written.pdf")
    os.utime(stray, (eight_days_ago.timestamp(), eight_days_ago.timestamp()))
    fresh_stray.write_bytes(b"%PDF")

    counts = tasks.maintain_report_builds()

    assert counts["expired"] == 2
    assert list(ReportBuild.objects.all()) == [fresh]
    assert not path.exists() and not stray.exists() and fresh_stray.exists()


# A build whose worker died


def running_build(report_data, attempts=1) -> ReportBuild:
    spec = document.clean_texts(
        {"kind": "briefing", "limit": "none", "query": "cycle=3", "ids": None}
    )
    return ReportBuild.objects.create(
        spec=spec, spec_hash="x", format="docx", status="running", attempts=attempts
    )


def test_a_build_delivered_again_after_its_worker_died_is_built(report_data, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    build = running_build(report_data)  # running, and nobody holds its lock

    assert tasks.build_report(build.pk)

    build.refresh_from_db()
    assert (build.status, build.attempts) == ("succeeded", 2)
    assert docx.Document(io.BytesIO(build.file.read())).paragraphs


def test_the_sweeper_restarts_a_build_whose_worker_died_and_leaves_a_live_one(
    report_data, monkeypatch
):
    lost = running_build(report_data)
    alive = ReportBuild.objects.create(spec={}, spec_hash="y", format="pdf", status="running")
    sent = []
    monkeypatch.setattr(tasks.build_report, "send_or_log", lambda args: sent.append(args))

    # Another process is building `alive`: its connection holds the build's lock.
    worker = connections.create_connection("default")
    try:
        with worker.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(hashtext(%s))", [alive.lock_name])
        counts = tasks.maintain_report_builds()
    finally:
        worker.close()

    assert (counts["restarted"], counts["failed"]) == (1, 0)
    assert sent == [[lost.pk]]
    lost.refresh_from_db()
    alive.refresh_from_db()
    assert (lost.status, alive.status) == ("queued", "running")


def test_a_build_whose_worker_died_three_times_fails_with_a_reason(report_data):
    build = running_build(report_data, attempts=3)

    assert tasks.maintain_report_builds()["failed"] == 1

    build.refresh_from_db()
    assert build.status == "failed" and "stopped 3 times" in build.error


# Saved reports


@pytest.fixture
def saved(report_data):
    owner = factories.user()
    factories.membership(owner, report_data.boston)
    report = Report.objects.create(
        owner=owner, query="cycle=3", title="Shelter first", introduction="Private draft."
    )
    return owner, report


def test_a_saved_report_is_not_found_by_its_number_except_by_its_editors(client, saved):
    owner, report = saved
    assert client.get(f"/reports/{report.pk}/").status_code == 404
    assert client.get(f"/reports/{report.pk + 1}/").status_code == 404
    client.force_login(factories.curator())
    assert client.get(f"/reports/{report.pk}/")["Location"] == report.get_absolute_url()
    client.force_login(owner)
    assert client.get(f"/reports/{report.pk}/")["Location"] == report.get_absolute_url()
    assert str(report.token) in report.get_absolute_url()


@pytest.mark.parametrize("who, allowed", [("owner", True), ("curator", True), ("other", False)])
def test_only_the_owner_and_curators_delete_a_saved_report(client, saved, who, allowed):
    owner, report = saved
    people = {"owner": owner, "curator": factories.curator(), "other": factories.user()}
    client.force_login(people[who])
    url = reverse("reports:delete", args=[report.token])

    response = client.post(url)

    assert Report.objects.filter(pk=report.pk).exists() is not allowed
    if allowed:
        assert response["Location"] == "/reports/"
        assert client.get(report.get_absolute_url()).status_code == 404
    else:
        assert response.status_code == 403


def test_anonymous_visitors_cannot_delete(client, saved):
    _, report = saved
    response = client.post(reverse("reports:delete", args=[report.token]))
    assert response.status_code == 403 and Report.objects.filter(pk=report.pk).exists()


def test_a_stale_save_is_refused_and_the_typed_text_kept(client, saved):
    owner, report = saved
    curator = factories.curator()
    form = {"kind": "submission", "limit": "none", "cycle": "3", "action": "save"}
    # Both open the report at version 1; the curator saves first.
    client.force_login(curator)
    client.post(report.get_absolute_url(), {**form, "version": 1, "title": "Curator's title"})
    client.force_login(owner)

    stale = client.post(
        report.get_absolute_url(),
        {**form, "version": 1, "title": "Owner's title", "introduction": "Owner's new text."},
    )

    report.refresh_from_db()
    assert stale.status_code == 409
    assert (report.title, report.version) == ("Curator's title", 2)
    html = stale.content.decode()
    assert "Someone saved this report after you opened it" in html
    assert "Owner&#x27;s new text." in html or "Owner's new text." in html
    fresh = client.post(report.get_absolute_url(), {**form, "version": 2, "title": "Merged"})
    report.refresh_from_db()
    assert fresh.status_code == 302 and (report.title, report.version) == ("Merged", 3)
