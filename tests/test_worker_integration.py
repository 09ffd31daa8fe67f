"""Each job end to end through a real Celery worker process, Redis and PostgreSQL.

The worker is a subprocess pointed at the test database; tasks are sent through the broker
exactly as beat would send them, and the tests watch the database for the outcome.
"""

import time
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from jurisdictions.models import Commitment, DigestDelivery, EvidenceLink, Subscription
from jurisdictions.tasks import (
    check_evidence_links,
    check_host_links,
    refresh_commitment_statuses,
    send_digests,
)
from recommendations.models import ImportRun, Recommendation, TaskRun, UpstreamSource
from recommendations.tasks import sync_upstream
from tests import factories as f
from tests.helpers import EXTRA_ROW, ORIGINAL, LocalServer, Worker, wait_for

pytestmark = [pytest.mark.redis, pytest.mark.timeout(120)]


def finished_runs(task: str) -> int:
    return TaskRun.objects.filter(task=task).exclude(outcome="running").count()


@pytest.fixture
def worker(broker, tmp_path):
    running = Worker(tmp_path).start()
    yield running
    running.stop()


def test_a_commitment_whose_target_date_passes_becomes_overdue(worker):
    today = timezone.localdate()
    plan = f.commitment(adopted_on=date(2024, 1, 1), target_date=today)

    refresh_commitment_statuses.delay()
    name = "jurisdictions.tasks.refresh_commitment_statuses"
    wait_for(lambda: finished_runs(name) == 1, worker)
    plan.refresh_from_db()
    assert plan.is_overdue is False

    # The day passes.
    Commitment.objects.filter(pk=plan.pk).update(target_date=today - timedelta(days=1))
    refresh_commitment_statuses.delay()
    wait_for(lambda: finished_runs(name) == 2, worker)

    plan.refresh_from_db()
    assert plan.is_overdue is True
    assert TaskRun.objects.filter(task=name).latest("started_at").counts["overdue_marked"] == 1


def test_a_link_that_starts_answering_404_is_flagged_after_two_checks(worker):
    with LocalServer() as server:
        server.routes["/ordinance"] = (200, b"ok", {})
        f.commitment(source_url=server.url("/ordinance"))
        host_task = "jurisdictions.tasks.check_host_links"

        for round_no, expected in [(1, 200), (2, 404), (3, 404)]:
            if round_no == 2:
                del server.routes["/ordinance"]
            check_evidence_links.delay(recheck_after_hours=0)
            wait_for(lambda n=round_no: finished_runs(host_task) == n, worker)
            assert EvidenceLink.objects.get().last_status_code == expected
            if round_no == 2:
                assert not EvidenceLink.objects.dead().exists()

    link = EvidenceLink.objects.get()
    assert (link.consecutive_failures, link.is_dead) == (2, True)
    assert list(EvidenceLink.objects.dead()) == [link]


def test_a_changed_upstream_file_updates_the_recommendations(worker, reference_data):
    with LocalServer() as server:
        server.routes["/export.csv"] = (200, ORIGINAL, {"ETag": '"v1"'})
        UpstreamSource.objects.create(
            name="UPR Info", url=server.url("/export.csv"), format="upr_info"
        )
        sync_upstream.delay()
        wait_for(lambda: finished_runs("recommendations.tasks.sync_upstream") == 1, worker)
        assert ImportRun.objects.get().status == "succeeded"
        assert not Recommendation.objects.filter(text__startswith="Fund legal aid").exists()

        server.routes["/export.csv"] = (200, ORIGINAL + EXTRA_ROW, {"ETag": '"v2"'})
        sync_upstream.delay()
        wait_for(lambda: finished_runs("recommendations.tasks.sync_upstream") == 2, worker)

    assert Recommendation.objects.filter(text__startswith="Fund legal aid").exists()
    assert list(ImportRun.objects.values_list("status", flat=True)) == ["succeeded"] * 2


def sent_messages(mail_dir: Path) -> list[str]:
    if not mail_dir.exists():
        return []
    text = "".join(p.read_text() for p in sorted(mail_dir.iterdir()))
    return [chunk for chunk in text.split("\nSubject: ")[1:]]


def test_a_subscriber_gets_exactly_one_digest_with_the_right_items(worker, tmp_path):
    town, other = f.jurisdiction(), f.jurisdiction()
    Subscription.objects.create(
        email="reader@example.org",
        token="integration-token",
        jurisdiction=town,
        confirmed_at=timezone.now() - timedelta(days=2),
    )
    f.commitment(
        jurisdiction=town, title="Tenant protection ordinance", published_at=timezone.now()
    )
    f.commitment(jurisdiction=town, title="Unpublished draft", publication="draft")
    f.commitment(jurisdiction=other, title="Another town's plan", published_at=timezone.now())

    send_digests.delay()
    wait_for(lambda: DigestDelivery.objects.filter(status="sent").count() == 1, worker)
    send_digests.delay()
    wait_for(lambda: finished_runs("jurisdictions.tasks.send_digests") == 2, worker)
    time.sleep(1)

    messages = sent_messages(tmp_path / "mail")
    assert len(messages) == 1
    assert "To: reader@example.org" in messages[0]
    assert "Tenant protection ordinance" in messages[0]
    assert "Unpublished draft" not in messages[0]
    assert "Another town" not in messages[0]
    assert "/subscriptions/unsubscribe/integration-token/" in messages[0]


def test_a_task_whose_worker_is_killed_runs_again_and_completes_once(broker, tmp_path):
    with LocalServer() as server:
        server.delay = 30
        f.commitment(source_url=server.url("/gone"))
        link = EvidenceLink.objects.create(url=server.url("/gone"))
        first = Worker(tmp_path, CELERY_VISIBILITY_TIMEOUT="3").start()
        try:
            check_host_links.delay([link.pk], 0)
            wait_for(lambda: len(server.requests) == 1, first, what="the check to begin")
            first.kill()
        finally:
            first.stop()
        # The killed worker never acknowledged the task: Redis hands it out again.
        server.delay = 0
        second = Worker(tmp_path, CELERY_VISIBILITY_TIMEOUT="3").start()
        try:
            wait_for(
                lambda: TaskRun.objects.filter(
                    task="jurisdictions.tasks.check_host_links", outcome="succeeded"
                ).exists(),
                second,
                timeout=45,
                what="the redelivered task",
            )
            time.sleep(2)
        finally:
            second.stop()

    link.refresh_from_db()
    # As if it ran once: one failure counted, not two, so not (yet) dead.
    assert (link.last_status_code, link.consecutive_failures, link.is_dead) == (404, 1, False)
    runs = TaskRun.objects.filter(task="jurisdictions.tasks.check_host_links")
    # The killed run is not left "running": the redelivery marks it lost.
    assert sorted(runs.values_list("outcome", flat=True)) == ["failed", "succeeded"]
    assert runs.get(outcome="failed").error.startswith("The worker was lost")
