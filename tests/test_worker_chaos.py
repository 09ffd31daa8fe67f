"""Chaos: the nightly full status refresh survives its worker being killed mid-run, and
the site and its worker survive Redis being killed and started again.

A real `celery worker` subprocess runs the refresh against PostgreSQL through Redis; the
test kills it with SIGKILL while the refresh's UPDATE is running, starts a new worker,
and checks that the redelivered task brings the data to exactly what a clean run gives.
"""

import time
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from jurisdictions.local_status import refresh_local_status
from jurisdictions.reports.models import ReportBuild
from jurisdictions.tasks import (
    refresh_pending_statuses,
    refresh_recommendation_statuses,
)
from recommendations.models import ImportRun, Recommendation, TaskRun
from recommendations.tasks import maintain_imports
from tests import factories as f
from tests.helpers import DATA, RedisServer, Worker, use_redis_at, wait_for
from tests.test_moderation_race import open_queue

pytestmark = [
    pytest.mark.redis,
    pytest.mark.timeout(240),
    pytest.mark.usefixtures("broker"),
]

RECOMMENDATIONS = 60_000
COMMITMENTS = 20_000
KILLS = 5
# The start of the status UPDATE (pg_stat_activity keeps only its first 1,024 bytes).
STATUS_UPDATE = "WITH agg AS ("


def generate_rows():
    """Many recommendations over a few themes, and published and draft commitments in 40
    jurisdictions linking to them with every relation, written in a few set-based INSERTs."""
    review = f.review()
    themes = [f.theme() for _ in range(12)]
    towns = [f.jurisdiction() for _ in range(40)]
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO recommendations_recommendation (paragraph, text, response,
                response_note, upr_info_key, local_status, jurisdictions_acting, created_at,
                updated_at, review_id, body)
            SELECT 'c' || g, 'Chaos recommendation ' || g, 'supported', '', '', 'none', 0,
                   now(), now(), %s, ''
            FROM generate_series(1, %s) g
            """,
            [review.pk, RECOMMENDATIONS],
        )
        cursor.execute(
            """
            INSERT INTO recommendations_recommendation_themes (recommendation_id, theme_id)
            SELECT r.id, (%s::bigint[])[1 + r.id %% %s]
            FROM recommendations_recommendation r
            """,
            [[t.pk for t in themes], len(themes)],
        )
        cursor.execute(
            """
            INSERT INTO jurisdictions_commitment (title, kind, instrument_ref, summary, status,
                responsible_office, source_url, publication, review_note, created_at,
                updated_at, version, is_overdue, is_stale, jurisdiction_id)
            SELECT 'Chaos commitment ' || g, 'ordinance', '', '',
                   (ARRAY['proposed', 'adopted', 'implemented', 'stalled'])[1 + g %% 4],
                   '', '', CASE WHEN g %% 7 = 0 THEN 'draft' ELSE 'published' END, '',
                   now(), now(), 0, false, false, (%s::bigint[])[1 + g %% %s]
            FROM generate_series(1, %s) g
            """,
            [[t.pk for t in towns], len(towns), COMMITMENTS],
        )
        # Two links per commitment, spread over the recommendations with a stride.
        cursor.execute(
            """
            INSERT INTO jurisdictions_commitmentlink (relation, rationale, created_at,
                commitment_id, recommendation_id)
            SELECT (ARRAY['implements', 'partial', 'contradicts', 'rolls_back'])[1 + k %% 4],
                   '', now(), c.id,
                   lo.id + ((c.id - clo.id) * 7 + k * 104729) %% %s
            FROM jurisdictions_commitment c,
                 (SELECT min(id) AS id FROM jurisdictions_commitment) clo,
                 (SELECT min(id) AS id FROM recommendations_recommendation) lo,
                 generate_series(0, 1) k
            ON CONFLICT DO NOTHING
            """,
            [RECOMMENDATIONS],
        )
        cursor.execute("ANALYZE")


def snapshot() -> dict:
    """What the refresh writes: every recommendation's status, count and acting
    jurisdictions (as counts per value and a digest of all rows)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT md5(string_agg(id || ':' || local_status || ':' || jurisdictions_acting "
            "|| ':' || acting_jurisdiction_ids::text, ',' ORDER BY id)) "
            "FROM recommendations_recommendation"
        )
        digest = cursor.fetchone()[0]
    by_value = Recommendation.objects.values_list("local_status", "jurisdictions_acting")
    return {
        "recommendations": sorted(by_value.annotate(n=Count("id")).order_by()),
        "recommendations_digest": digest,
    }


def scramble():
    """Wrong values everywhere the refresh writes, so only a completed refresh fixes them."""
    Recommendation.objects.exclude(local_status="none", jurisdictions_acting=0).update(
        local_status="none", jurisdictions_acting=0, acting_jurisdiction_ids=[]
    )


def refresh_is_running() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND state = 'active' AND query LIKE %s",
            [f"%{STATUS_UPDATE}%"],
        )
        return cursor.fetchone()[0] > 0


def test_a_full_refresh_killed_five_times_mid_run_ends_as_a_clean_run(tmp_path):
    generate_rows()
    refresh_local_status()
    clean = snapshot()
    addressed = sum(n for status, _, n in clean["recommendations"] if status != "none")
    assert addressed > 20_000

    worker = Worker(tmp_path, CELERY_VISIBILITY_TIMEOUT="3").start()
    try:
        for kill in range(1, KILLS + 1):
            scramble()
            message = refresh_recommendation_statuses.delay().id
            wait_for(refresh_is_running, worker, what=f"refresh {kill} to reach its UPDATE")
            worker.kill()
            # Killed mid-run: nothing of the refresh was committed.
            assert not Recommendation.objects.exclude(local_status="none").exists()

            worker = Worker(tmp_path, CELERY_VISIBILITY_TIMEOUT="3").start()
            runs = TaskRun.objects.filter(task_id=message)
            wait_for(
                lambda runs=runs: runs.filter(outcome="succeeded").exists(),
                worker,
                timeout=90,
                what=f"the redelivered refresh {kill} to succeed",
            )
            assert snapshot() == clean, f"after kill {kill} the data differs from a clean run"
            outcomes = list(runs.order_by("started_at").values_list("outcome", flat=True))
            # The killed run is marked lost; busy tries were deferred, never "done".
            assert outcomes[0] == "failed" and outcomes[-1] == "succeeded", outcomes
            assert set(outcomes[1:-1]) <= {"deferred"}, outcomes
            assert runs.get(outcome="failed").error.startswith("The worker was lost")
        time.sleep(1)
        assert not TaskRun.objects.filter(outcome="running").exists()
        assert TaskRun.objects.filter(outcome="failed").count() == KILLS
    finally:
        worker.stop()


def test_redis_killed_and_started_again_under_the_site_and_a_supervised_worker(
    tmp_path, client, settings, monkeypatch, curator, pittsburgh, reference_data
):
    """Pages browsed, a curator's approval saved and an import uploaded while Redis is
    down; once it is back, the sweepers and the nightly refresh catch up: no page
    answered 500, no row is left queued or running, and the worker is still consuming."""
    f.recommendation(text="Protect the right to vote.")
    commitment = f.commitment(jurisdiction=pittsburgh, status="in_progress")
    answered = f.recommendation(text="Guarantee the right to counsel in eviction cases.")
    f.link(commitment, answered)
    update = f.update(commitment, status="implemented", publication="submitted")
    settings.MEDIA_ROOT = tmp_path / "media"
    redis_server = RedisServer().start()
    use_redis_at(redis_server.url, settings, monkeypatch)
    worker = Worker(tmp_path, REDIS_URL=redis_server.url).start()
    statuses = []

    def browse(*urls):
        for url in urls:
            statuses.append((url, client.get(url).status_code))

    try:
        # The countdown task every staff edit queues, held unacknowledged by the worker.
        refresh_pending_statuses.apply_async(countdown=60)
        wait_for(lambda: " received" in worker.log(), worker, what="the countdown task")
        redis_server.kill()

        browse("/", "/recommendations/", "/recommendations/?q=counsel", "/commitments/")
        seen = open_queue(client, update)
        approval = client.post(
            reverse("staff:review-update-decide", args=[update.pk]),
            {"decision": "approve", **seen},
        )
        statuses.append(("approval", approval.status_code))
        upload = client.post(
            reverse("imports:list"),
            {
                "file": SimpleUploadedFile("a.csv", (DATA / "upr_info_original.csv").read_bytes()),
                "states": "USA",
            },
        )
        statuses.append(("upload", upload.status_code))
        browse(reverse("staff:home"), upload["Location"])

        redis_server.start()
        # The worker may stop for good here (kombu fails handing the held task back);
        # a supervisor (compose's restart policy, systemd's Restart=always) starts it again.
        deadline = time.monotonic() + 20
        while worker.process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.5)
        if worker.process.poll() is not None:
            worker = Worker(tmp_path, REDIS_URL=redis_server.url).start()
        # Minutes pass: the import is past the sweeper's grace, and beat sends the sweeper
        # and (at night) the full refresh that catches up on statuses.
        ImportRun.objects.update(created_at=timezone.now() - timedelta(minutes=6))
        maintain_imports.delay()
        refresh_recommendation_statuses.delay()
        wait_for(
            lambda: (
                ImportRun.objects.filter(status="succeeded").exists()
                and TaskRun.objects.filter(
                    task="jurisdictions.tasks.refresh_recommendation_statuses", outcome="succeeded"
                ).exists()
            ),
            worker,
            timeout=90,
            what="the sweeper and the full refresh after Redis came back",
        )
        browse("/", "/recommendations/", f"/recommendations/{answered.pk}/")
    finally:
        worker.stop()
        redis_server.kill()

    assert [entry for entry in statuses if entry[1] >= 500] == []
    assert (approval.status_code, upload.status_code) == (302, 302)
    update.refresh_from_db()
    answered.refresh_from_db()
    assert update.publication == "published" and answered.local_status == "implemented"
    assert not ImportRun.objects.filter(status__in=["queued", "running"]).exists()
    assert not ReportBuild.objects.filter(status__in=["queued", "running"]).exists()
    assert not TaskRun.objects.filter(outcome="running").exists()
    assert Recommendation.objects.count() > 3  # the import ran
