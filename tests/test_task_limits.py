"""A task lost in a crash comes back within 15 minutes, and a running task never runs twice:
the broker's visibility timeout, its sweep and every task's limits fit together."""

import pytest

from jurisdictions import linkcheck
from jurisdictions.tasks import LINKS_PER_TASK, check_host_links
from recommendations.models import TaskRun
from upr_tracker.celery import app

FIFTEEN_MINUTES = 15 * 60


def project_tasks():
    app.loader.import_default_modules()
    return {name: task for name, task in app.tasks.items() if not name.startswith("celery.")}


def test_the_tasks_are_all_registered():
    assert {
        "jurisdictions.tasks.refresh_recommendation_statuses",
        "jurisdictions.tasks.check_host_links",
        "recommendations.tasks.run_import",
        "recommendations.tasks.sync_upstream",
        "recommendations.facet_index.build",
    } <= set(project_tasks())


def test_a_lost_task_is_handed_out_again_within_fifteen_minutes():
    options = app.conf.broker_transport_options
    visibility = options["visibility_timeout"]
    # kombu sweeps for abandoned tasks every interval x throttle seconds.
    sweep = options["unacked_restore_interval"] * options["unacked_restore_throttle"]
    assert visibility + sweep <= FIFTEEN_MINUTES


@pytest.mark.parametrize("name", sorted(project_tasks()) + ["celery.chord_unlock"])
def test_every_task_stops_before_the_broker_would_hand_it_out_again(name):
    task = app.tasks[name]
    visibility = app.conf.broker_transport_options["visibility_timeout"]
    hard = task.time_limit or app.conf.task_time_limit
    soft = task.soft_time_limit or app.conf.task_soft_time_limit

    assert hard is not None and soft is not None
    assert soft < hard < visibility <= FIFTEEN_MINUTES
    # A task waiting for its retry countdown is unacknowledged as well.
    backoff_max = task.retry_backoff_max if getattr(task, "autoretry_for", None) else 0
    assert backoff_max < visibility


@pytest.mark.django_db
def test_a_host_with_many_links_is_checked_in_batches_one_after_another(
    monkeypatch, django_capture_on_commit_callbacks
):
    batches = []

    def check_links(ids, recheck_after):
        batches.append(ids)
        return {"checked": len(ids)}

    monkeypatch.setattr(linkcheck, "check_links", check_links)
    ids = list(range(1, 2 * LINKS_PER_TASK + 6))
    with django_capture_on_commit_callbacks(execute=True):
        check_host_links(ids, 0)

    assert batches == [ids[:LINKS_PER_TASK], ids[LINKS_PER_TASK : 2 * LINKS_PER_TASK], ids[-5:]]
    counts = TaskRun.objects.order_by("started_at").values_list("counts", flat=True)
    assert [c.get("left_for_next_task") for c in counts] == [LINKS_PER_TASK + 5, 5, None]
