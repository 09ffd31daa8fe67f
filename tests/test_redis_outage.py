"""With Redis down, the public pages, sign-in, subscribing and every staff save still
answer: the cache fails soft, the rate limits fail open, and a task that cannot be queued
after a commit is logged and sent again later by a sweeper (upr_tracker/cache.py,
upr_tracker/celery.py, recommendations.jobs.requeue_stale).

"Down" here is an address nothing listens on, for the cache and the broker alike; the
worker's side of an outage (Redis killed and restarted under it) is in
tests/test_worker_chaos.py."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from jurisdictions.models import Subscription
from jurisdictions.reports import builder
from jurisdictions.reports.models import ReportBuild
from recommendations.models import ImportRun
from tests import factories as f
from tests.helpers import DATA, logged
from tests.test_moderation_race import open_queue

pytestmark = pytest.mark.django_db

PASSWORD = "tenant-rights-2024!"


def test_the_public_pages_answer_from_the_database(client, redis_down, cat):
    assert client.get("/").status_code == 200
    assert client.get("/recommendations/").status_code == 200
    assert client.get("/recommendations/", {"q": "housing"}).status_code == 200
    assert logged(redis_down, "Cache unavailable")


def test_staff_can_sign_in(client, redis_down):
    f.membership(f.user(email="a@pittsburgh.example", password=PASSWORD), f.jurisdiction())

    response = client.post(
        reverse("account_login"), {"login": "a@pittsburgh.example", "password": PASSWORD}
    )

    assert response.status_code == 302
    assert client.get(reverse("staff:home")).status_code == 200


def test_a_visitor_can_subscribe_and_the_limit_fails_open(
    client, redis_down, django_capture_on_commit_callbacks
):
    f.jurisdiction(name="Springfield", slug="springfield")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("subscriptions:subscribe"),
            {"email": "reader@example.org", "jurisdiction": "springfield"},
        )

    assert response.status_code == 200
    assert "Check your email" in response.content.decode()
    assert Subscription.objects.filter(email="reader@example.org").exists()
    assert logged(redis_down, "Could not queue")


def test_a_curators_approval_is_saved_and_answered(
    client, redis_down, pittsburgh, curator, django_capture_on_commit_callbacks
):
    commitment = f.commitment(jurisdiction=pittsburgh, status="in_progress")
    f.link(commitment, f.recommendation())
    update = f.update(commitment, status="implemented", publication="submitted")
    seen = open_queue(client, update)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("staff:review-update-decide", args=[update.pk]),
            {"decision": "approve", **seen},
        )

    assert response.status_code == 302
    update.refresh_from_db()
    commitment.refresh_from_db()
    assert (update.publication, commitment.status) == ("published", "implemented")


def test_an_upload_is_stored_queued_and_sent_again_by_the_sweeper(
    client,
    redis_down,
    curator,
    reference_data,
    settings,
    tmp_path,
    monkeypatch,
    django_capture_on_commit_callbacks,
):
    from recommendations import tasks

    settings.MEDIA_ROOT = tmp_path
    payload = {
        "file": SimpleUploadedFile("a.csv", (DATA / "upr_info_original.csv").read_bytes()),
        "states": "USA",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("imports:list"), payload)

    run = ImportRun.objects.get()
    assert response.status_code == 302 and response["Location"] == run.get_absolute_url()
    assert run.status == "queued"
    assert logged(redis_down, "Could not queue recommendations.tasks.run_import")

    # Redis is back: the sweeper sends what is still queued after a few minutes.
    sent = []
    monkeypatch.setattr(
        tasks.run_import, "apply_async", lambda args, kwargs, **kw: sent.append(args) or "sent"
    )
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    assert tasks.maintain_imports()["requeued"] == 0  # too recent: perhaps still on its way
    ImportRun.objects.filter(pk=run.pk).update(created_at=timezone.now() - timedelta(minutes=6))
    assert tasks.maintain_imports()["requeued"] == 1
    assert tasks.maintain_imports()["requeued"] == 0  # not again at the next sweep
    assert sent == [[run.pk]]


def test_a_large_report_is_queued_and_sent_again_by_the_sweeper(
    client,
    redis_down,
    report_data,
    settings,
    tmp_path,
    monkeypatch,
    django_capture_on_commit_callbacks,
):
    from jurisdictions.reports import tasks

    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setattr(builder, "TASK_THRESHOLD", 2)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get("/reports/submission.docx?cycle=3")

    build = ReportBuild.objects.get()
    assert response.status_code == 302
    assert client.get(response["Location"]).status_code == 200
    assert build.status == "queued"

    sent = []
    monkeypatch.setattr(
        tasks.build_report, "apply_async", lambda args, kwargs, **kw: sent.append(args) or "sent"
    )
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    ReportBuild.objects.filter(pk=build.pk).update(created_at=timezone.now() - timedelta(minutes=6))
    assert tasks.maintain_report_builds()["requeued"] == 1
    assert sent == [[build.pk]]
