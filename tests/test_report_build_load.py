"""A burst of anonymous report requests does not hold up the status refresh: builds run on
their own queue and worker, so the refresh queued behind them starts at once. Real Redis,
real workers (one per queue, as the README and the compose file run them), PostgreSQL."""

import pytest
from django.utils import timezone

from jurisdictions.reports import builder
from jurisdictions.reports.models import ReportBuild
from jurisdictions.tasks import refresh_recommendation_statuses
from recommendations.models import TaskRun
from tests import factories
from tests.helpers import Worker, wait_for

pytestmark = [pytest.mark.redis, pytest.mark.timeout(180)]

REFRESH = "jurisdictions.tasks.refresh_recommendation_statuses"


@pytest.fixture
def workers(broker, tmp_path):
    status = Worker(tmp_path).start(wait=False)
    reports = Worker(tmp_path, queues="reports").start()
    status.wait_ready()
    yield status, reports
    reports.kill()  # whatever it is still building does not matter any more
    status.stop()


def test_twenty_report_requests_do_not_delay_a_queued_status_refresh(
    client, report_data, workers, monkeypatch
):
    status_worker, reports_worker = workers
    # Enough recommendations that each Word file takes the report worker a while.
    for n in range(120):
        factories.recommendation(
            review=report_data.shelter.review, paragraph=f"27.{n}", text=f"Measure {n} " * 40
        )
    monkeypatch.setattr(builder, "TASK_THRESHOLD", 2)

    # 20 anonymous requests from four addresses within a few seconds, each another file.
    answers = [
        client.get(
            f"/reports/submission.docx?cycle=3&title=Draft+{n}",
            REMOTE_ADDR=f"198.51.100.{n % 4 + 1}",
        )
        for n in range(20)
    ]
    assert all(answer.status_code == 302 for answer in answers)
    assert ReportBuild.objects.count() == 20

    sent = timezone.now()
    refresh_recommendation_statuses.delay()
    wait_for(
        lambda: TaskRun.objects.filter(task=REFRESH).exclude(outcome="running").exists(),
        status_worker,
        timeout=60,
        what="the status refresh",
    )

    run = TaskRun.objects.get(task=REFRESH)
    assert run.outcome == "succeeded"
    assert (run.started_at - sent).total_seconds() < 5
    # The builds were still being worked through when the refresh ran...
    assert ReportBuild.objects.filter(status__in=["queued", "running"]).exists()
    # ...by their own worker, which keeps building them.
    wait_for(
        lambda: ReportBuild.objects.filter(status="succeeded").exists(),
        reports_worker,
        timeout=60,
        what="a report build",
    )
