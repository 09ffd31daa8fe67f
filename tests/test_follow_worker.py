"""Following on a real Celery worker (Redis, PostgreSQL): a search digest run killed with
SIGKILL mid-run sends every follower exactly one mail once a new worker has finished it,
a webhook whose receiver fails twice is retried after growing waits, and an event whose
task never reached the broker is delivered once by the sweep."""

import json
import time
from collections import Counter
from datetime import timedelta
from email import message_from_string

import pytest
from django.db import connection
from django.utils import timezone

from jurisdictions.follow.models import OutboxEvent, SavedSearch
from jurisdictions.follow.outbox import emit
from jurisdictions.follow.tasks import fan_out_event, send_waiting_events
from jurisdictions.models import Commitment, DigestDelivery, Jurisdiction, Subscription
from jurisdictions.tasks import send_search_digests
from recommendations.models import TaskRun
from tests import factories as f
from tests.helpers import Worker, wait_for
from tests.test_webhooks import Receiver, hook, verify

pytestmark = [pytest.mark.redis, pytest.mark.timeout(300), pytest.mark.usefixtures("broker")]

SEARCHES = 300
FOLLOWERS_PER_SEARCH = 2


def many_followed_searches() -> int:
    """A town per search, each with a new published commitment, and two confirmed
    followers of each town's /commitments/ search."""
    towns = Jurisdiction.objects.bulk_create(
        Jurisdiction(kind="city", name=f"Town {n}", slug=f"chaos-town-{n}", state_code="PA")
        for n in range(SEARCHES)
    )
    now = timezone.now()
    Commitment.objects.bulk_create(
        Commitment(
            jurisdiction=town,
            title=f"Plan of {town.name}",
            kind="ordinance",
            status="adopted",
            publication="published",
            published_at=now,
        )
        for town in towns
    )
    searches = SavedSearch.objects.bulk_create(
        SavedSearch(kind="commitments", query=f"jurisdiction={town.slug}") for town in towns
    )
    confirmed = now - timedelta(days=3)
    Subscription.objects.bulk_create(
        Subscription(
            email=f"reader-{search.pk}-{n}@example.org",
            token=f"chaos-{search.pk}-{n}",
            search=search,
            frequency="weekly",
            confirmed_at=confirmed,
        )
        for search in searches
        for n in range(FOLLOWERS_PER_SEARCH)
    )
    # Statistics, as a deployment's tables have (an empty estimate plans nested loops).
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return SEARCHES * FOLLOWERS_PER_SEARCH


def mails(folder) -> list:
    """Every message the file backend wrote (one file per connection, messages split by a
    line of dashes)."""
    found = []
    for path in sorted(folder.glob("*")):
        for chunk in path.read_text().split("-" * 79):
            if chunk.strip():
                found.append(message_from_string(chunk.strip()))
    return found


def test_a_search_digest_run_killed_mid_run_sends_everyone_exactly_one_mail(tmp_path):
    followers = many_followed_searches()
    worker = Worker(tmp_path, CELERY_VISIBILITY_TIMEOUT="3").start()
    try:
        message = send_search_digests.delay("weekly").id

        def under_way():
            return 0 < DigestDelivery.objects.count() < followers

        wait_for(under_way, worker, timeout=60, what="the digest run to be under way")
        worker.kill()
    finally:
        worker.stop()
    written_before = DigestDelivery.objects.count()
    assert 0 < written_before < followers
    # Nothing was queued for sending before the run was killed.
    assert not DigestDelivery.objects.filter(status="sent").exists()

    worker = Worker(tmp_path, CELERY_VISIBILITY_TIMEOUT="3").start()
    try:
        runs = TaskRun.objects.filter(task_id=message)
        wait_for(
            lambda: runs.filter(outcome="succeeded").exists(),
            worker,
            timeout=120,
            what="the redelivered digest run to finish",
        )
        wait_for(
            lambda: DigestDelivery.objects.filter(status="sent").count() == followers,
            worker,
            timeout=180,
            what="every digest to be sent",
        )
    finally:
        worker.stop()

    assert runs.filter(outcome="failed").exists()  # the killed run, marked lost
    sent = mails(tmp_path / "mail")
    recipients = Counter(m["To"] for m in sent)
    assert len(recipients) == followers, "someone was skipped"
    assert set(recipients.values()) == {1}, "someone got the same digest twice"
    assert DigestDelivery.objects.count() == followers
    one = next(m for m in sent if m["To"].startswith("reader-"))
    assert one["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    # Run again this week: nothing new, nothing sent.
    worker = Worker(tmp_path, CELERY_VISIBILITY_TIMEOUT="3").start()
    try:
        again = send_search_digests.delay("weekly").id
        wait_for(
            lambda: TaskRun.objects.filter(task_id=again, outcome="succeeded").exists(),
            worker,
            what="the second run",
        )
    finally:
        worker.stop()
    assert len(mails(tmp_path / "mail")) == followers


def test_a_webhook_is_retried_on_a_real_worker_after_growing_waits(tmp_path, pittsburgh):
    plan = f.commitment(jurisdiction=pittsburgh, published_at=timezone.now())
    with Receiver(statuses=[500, 502, 200]) as receiver:
        webhook = hook(receiver.hook_url, jurisdiction=pittsburgh)
        worker = Worker(tmp_path, WEBHOOK_RETRY_BASE_SECONDS="1").start()
        try:
            # Kept and queued as a change outside any transaction does it.
            emit("commitment.updated", [plan.pk])
            wait_for(lambda: len(receiver.received) == 3, worker, timeout=60, what="3 tries")
            time.sleep(0.5)
        finally:
            worker.stop()

    first, second, third = (r["at"] for r in receiver.received)
    # Waits of 1 s, then 2 s (WEBHOOK_RETRY_BASE_SECONDS doubling).
    assert 0.9 <= second - first < 2.5
    assert 1.9 <= third - second < 4
    assert all(verify(webhook.secret, r["headers"], r["body"]) for r in receiver.received)
    assert len({json.loads(r["body"])["id"] for r in receiver.received}) == 1
    delivery = webhook.deliveries.get()
    assert delivery.status == "delivered"
    assert [a.status_code for a in delivery.attempt_log.order_by("id")] == [500, 502, 200]


def test_an_event_whose_task_was_lost_is_delivered_once_by_the_sweep(tmp_path, pittsburgh):
    plan = f.commitment(jurisdiction=pittsburgh, published_at=timezone.now())
    # Kept with its change two minutes ago; its task never reached the broker.
    event = OutboxEvent.objects.create(
        event="commitment.updated", object_id=plan.pk, transaction_id=1
    )
    OutboxEvent.objects.filter(pk=event.pk).update(created_at=timezone.now() - timedelta(minutes=2))
    with Receiver() as receiver:
        webhook = hook(receiver.hook_url, jurisdiction=pittsburgh)
        worker = Worker(tmp_path).start()
        try:
            send_waiting_events.delay()
            wait_for(lambda: len(receiver.received) == 1, worker, what="the sweep's delivery")
            # The lost task turning up after all, and the next sweep, send nothing more
            # (the worker runs one task at a time, in order: the sweep's run comes last).
            fan_out_event.delay([event.pk])
            send_waiting_events.delay()
            wait_for(
                lambda: (
                    TaskRun.objects.filter(
                        task="jurisdictions.tasks.send_waiting_events", outcome="succeeded"
                    ).count()
                    == 2
                ),
                worker,
                what="the second sweep",
            )
        finally:
            worker.stop()

    assert len(receiver.received) == 1
    assert verify(webhook.secret, receiver.received[0]["headers"], receiver.received[0]["body"])
    assert webhook.deliveries.get().status == "delivered"
