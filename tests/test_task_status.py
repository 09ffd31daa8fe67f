"""The local-action status refresh, called as plain functions."""

from contextlib import contextmanager

import pytest
from django.db import connections

from jurisdictions import local_status, pending, status_refresh
from jurisdictions.tasks import BUSY_RETRIES, busy_countdown, refresh_recommendation_statuses
from recommendations.jobs import Busy
from recommendations.models import Recommendation, TaskRun
from tests import factories as f
from tests.helpers import REDIS_NAMESPACE

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast():
    """One recommendation per outcome, with published and unpublished links around them."""
    theme = f.theme()
    recs = {name: f.recommendation(themes=[theme]) for name in ("none", "addr", "impl", "cont")}
    town, city = f.jurisdiction(), f.jurisdiction()
    adopted = f.commitment(jurisdiction=town, status="adopted")
    done = f.commitment(jurisdiction=city, status="implemented")
    draft_done = f.commitment(jurisdiction=city, status="implemented", publication="draft")
    f.link(adopted, recs["addr"], relation="partial")
    f.link(done, recs["impl"], relation="implements")
    f.link(adopted, recs["impl"], relation="partial")
    f.link(adopted, recs["cont"], relation="implements")
    f.link(done, recs["cont"], relation="rolls_back")
    # A draft commitment must not count anywhere.
    f.link(draft_done, recs["none"], relation="implements")
    return {"theme": theme, "recs": recs, "town": town, "city": city}


def statuses(recs):
    rows = Recommendation.objects.filter(pk__in=[r.pk for r in recs.values()])
    by_pk = {r.pk: (r.local_status, r.jurisdictions_acting) for r in rows}
    return {name: by_pk[r.pk] for name, r in recs.items()}


def test_it_derives_each_status_from_published_links_only(cast):
    refresh_recommendation_statuses()

    assert statuses(cast["recs"]) == {
        "none": ("none", 0),
        "addr": ("addressed", 1),
        "impl": ("implemented", 2),
        "cont": ("contested", 2),
    }


def test_it_records_the_run_with_what_it_changed(cast):
    refresh_recommendation_statuses()

    run = TaskRun.objects.get(task="jurisdictions.tasks.refresh_recommendation_statuses")
    assert run.outcome == "succeeded"
    assert run.finished_at >= run.started_at
    assert run.counts["recommendations_changed"] == 3


def test_running_it_twice_changes_nothing_the_second_time(cast):
    refresh_recommendation_statuses()
    second = refresh_recommendation_statuses()

    assert second["recommendations_changed"] == 0
    assert statuses(cast["recs"])["impl"] == ("implemented", 2)


def test_unpublishing_a_commitment_returns_its_recommendations_to_no_action(cast):
    from jurisdictions.models import Commitment

    refresh_recommendation_statuses()
    Commitment.objects.filter(jurisdiction=cast["town"]).update(publication="draft")
    refresh_recommendation_statuses()

    assert statuses(cast["recs"])["addr"] == ("none", 0)


def test_a_targeted_refresh_touches_only_the_given_recommendations(cast):
    counts = refresh_recommendation_statuses(recommendation_ids=[cast["recs"]["addr"].pk])

    assert counts["recommendations_changed"] == 1
    assert statuses(cast["recs"])["addr"] == ("addressed", 1)
    assert statuses(cast["recs"])["impl"] == ("none", 0)


def test_the_full_refresh_is_one_update_statement_whatever_the_row_count(
    cast, django_assert_max_num_queries
):
    for _ in range(20):
        f.link(f.commitment(), f.recommendation(), relation="implements")
    with django_assert_max_num_queries(1):
        local_status.refresh_local_status()


@contextmanager
def full_refresh_lock_held_elsewhere():
    """Holds the full refresh's lock as a concurrent worker would: inside an open
    transaction on another connection (a transaction lock is re-entrant for its own)."""
    holder = connections.create_connection("default")
    holder.ensure_connection()
    holder.set_autocommit(False)
    try:
        with holder.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_xact_lock(hashtext('status-refresh-full'))")
            assert cursor.fetchone()[0] is True
        yield
    finally:
        holder.rollback()
        holder.close()


def test_a_full_refresh_that_finds_the_lock_busy_is_deferred_and_retried_not_done(
    cast, monkeypatch
):
    from celery.exceptions import Retry

    retries = []

    def retry(**options):
        retries.append(options)
        return Retry("queued again", when=options["countdown"])

    monkeypatch.setattr(refresh_recommendation_statuses, "retry", retry)
    with full_refresh_lock_held_elsewhere(), pytest.raises(Retry):
        refresh_recommendation_statuses.apply()

    assert [options["countdown"] for options in retries] == [2]
    run = TaskRun.objects.get()
    assert run.outcome == "deferred"
    assert "will try again" in run.get_outcome_display()
    assert "It will be tried again." in run.error
    assert statuses(cast["recs"])["impl"] == ("none", 0)

    # The retry, once the lock is free, does the work.
    refresh_recommendation_statuses.apply(retries=1)
    assert statuses(cast["recs"])["impl"] == ("implemented", 2)
    assert TaskRun.objects.latest("started_at").outcome == "succeeded"


def test_a_full_refresh_that_never_gets_the_lock_fails_on_its_last_try(cast):
    with full_refresh_lock_held_elsewhere(), pytest.raises(Busy):
        refresh_recommendation_statuses.apply(retries=BUSY_RETRIES, throw=True)

    run = TaskRun.objects.get()
    assert run.outcome == "failed"
    assert "No more tries are left." in run.error
    assert statuses(cast["recs"])["impl"] == ("none", 0)


def test_the_busy_waits_grow_and_stay_under_the_visibility_timeout(settings):
    waits = [busy_countdown(n) for n in range(BUSY_RETRIES + 1)]
    assert waits[:4] == [2, 4, 8, 16]
    assert max(waits) < settings.CELERY_VISIBILITY_TIMEOUT
    # Together they outlast another full run holding the lock to its hard limit.
    assert sum(waits) > refresh_recommendation_statuses.time_limit


def test_saving_a_link_schedules_a_refresh_after_commit(
    cast, settings, django_capture_on_commit_callbacks
):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    with django_capture_on_commit_callbacks(execute=True):
        f.link(f.commitment(jurisdiction=cast["town"]), cast["recs"]["none"], relation="partial")

    assert statuses(cast["recs"])["none"] == ("addressed", 1)


@pytest.mark.redis
def test_a_burst_of_edits_queues_one_refresh_for_all_of_them(
    cast, settings, monkeypatch, django_capture_on_commit_callbacks
):
    from jurisdictions import tasks

    settings.CELERY_TASK_ALWAYS_EAGER = False
    client = pending.client()
    client.delete(pending.key(pending.PENDING), pending.key(pending.QUEUED))
    queued = []
    monkeypatch.setattr(
        tasks.refresh_pending_statuses, "apply_async", lambda **kw: queued.append(kw)
    )
    with django_capture_on_commit_callbacks(execute=True):
        for name in ("none", "addr", "impl"):
            status_refresh.schedule_refresh([cast["recs"][name].pk])

    assert len(queued) == 1
    assert pending.take_pending_ids() == sorted(
        cast["recs"][n].pk for n in ("none", "addr", "impl")
    )
    counts = tasks.refresh_pending_statuses()
    assert counts["requested"] == 3
    assert client.scard(pending.key(pending.PENDING)) == 0
    assert pending.key(pending.PENDING).startswith(REDIS_NAMESPACE)  # this run's own keys
    assert statuses(cast["recs"])["impl"] == ("implemented", 2)


def test_publishing_a_commitment_refreshes_the_recommendations_it_links(
    cast, settings, django_capture_on_commit_callbacks
):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    draft = f.commitment(jurisdiction=cast["town"], publication="draft")
    f.link(draft, cast["recs"]["none"], relation="partial")

    with django_capture_on_commit_callbacks(execute=True):
        draft.publication = "published"
        draft.save()

    assert statuses(cast["recs"])["none"] == ("addressed", 1)


def test_operators_see_each_run_in_a_read_only_admin(cast, admin_client):
    refresh_recommendation_statuses()
    run = TaskRun.objects.get()

    listing = admin_client.get("/admin/recommendations/taskrun/")
    assert listing.status_code == 200
    assert "jurisdictions.tasks.refresh_recommendation_statuses" in listing.content.decode()
    assert "recommendations_changed" in listing.content.decode()
    assert admin_client.get("/admin/recommendations/taskrun/add/").status_code == 403
    detail = admin_client.get(f"/admin/recommendations/taskrun/{run.pk}/change/")
    assert detail.status_code == 200
    assert 'name="_save"' not in detail.content.decode()
