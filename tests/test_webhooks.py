"""Signed webhooks against a real local receiver: the signature checks out, a receiver
that fails twice gets the event on the third try, one that keeps failing disables the
hook and its owner hears of it, internal addresses are refused when saved, when sent and
on a redirect; and who may register what."""

import hashlib
import hmac
import json
import time

import pytest
from django.core import mail
from django.utils import timezone

from jurisdictions import moderation
from jurisdictions.follow import webhooks
from jurisdictions.follow.models import OutboxEvent, Webhook, WebhookDelivery
from jurisdictions.follow.outbox import emit
from jurisdictions.tasks import refresh_recommendation_statuses
from tests import factories as f
from tests.helpers import LocalServer

pytestmark = pytest.mark.django_db

EVENTS = ["commitment.published", "commitment.updated"]


class Receiver(LocalServer):
    """A webhook receiver on 127.0.0.1: answers each POST with the next status of
    `statuses` (the last one repeats) and keeps what it was sent."""

    def __init__(self, statuses=(200,), redirect_to=None):
        super().__init__()
        self.statuses = list(statuses)
        self.redirect_to = redirect_to
        self.received: list[dict] = []

    @property
    def hook_url(self):
        return self.url("/hook")

    def on_post(self, handler):
        body = handler.rfile.read(int(handler.headers.get("Content-Length", 0)))
        headers = {name.lower(): value for name, value in handler.headers.items()}
        self.received.append({"headers": headers, "body": body, "at": time.monotonic()})
        status = self.statuses.pop(0) if len(self.statuses) > 1 else self.statuses[0]
        handler.send_response(status)
        if self.redirect_to:
            handler.send_header("Location", self.redirect_to)
        handler.send_header("Content-Length", "0")
        handler.end_headers()


def verify(secret: str, headers: dict, body: bytes, tolerance: int = 300) -> bool:
    """The README's verification snippet, as a receiver would run it."""
    timestamp = headers["x-upr-timestamp"]
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    signature = headers["x-upr-signature"].removeprefix("sha256=")
    fresh = abs(time.time() - int(timestamp)) <= tolerance
    return fresh and hmac.compare_digest(expected.hexdigest(), signature)


def hook(url, *, jurisdiction, events=EVENTS, owner=None):
    owner = owner or f.user(email="owner@example.org")
    return Webhook.objects.create(
        url=url,
        secret=webhooks.new_secret(),
        events=events,
        jurisdiction=jurisdiction,
        owner=owner,
        owner_email=owner.email,
    )


def deliveries(event, ids) -> list[int]:
    """Keeps the event as a change does (outbox.emit) and writes its deliveries as the
    task queued after the commit would."""
    return [pk for event_id in emit(event, ids) for pk in webhooks.fan_out(event_id)]


def tries(event, ids) -> list[str]:
    """Writes the event's deliveries and makes every attempt the worker would, one after
    another, without the waits (tests/test_follow_worker.py waits them out on a real
    worker): the outcome of each attempt."""
    outcomes = []
    for pk in deliveries(event, ids):
        while True:
            outcomes.append(webhooks.attempt(pk))
            if outcomes[-1] != "retry":
                break
    return outcomes


def publish(commitment, capture):
    """A curator approves a submitted commitment; the events go out after the commit."""
    curator = f.curator()
    seen = {"version": commitment.version, "state": moderation.review_state(commitment)}
    with capture(execute=True):
        moderation.approve_commitment(commitment, curator, seen=seen)


def test_a_published_commitment_reaches_the_receiver_signed(
    loopback, pittsburgh, django_capture_on_commit_callbacks
):
    plan = f.commitment(jurisdiction=pittsburgh, title="Police oversight", publication="submitted")
    with Receiver() as receiver:
        webhook = hook(receiver.hook_url, jurisdiction=pittsburgh)
        publish(plan, django_capture_on_commit_callbacks)

    assert len(receiver.received) == 1
    sent = receiver.received[0]
    assert verify(webhook.secret, sent["headers"], sent["body"])
    assert not verify("another secret", sent["headers"], sent["body"])
    tampered = sent["body"].replace(b"Police", b"Prison")
    assert not verify(webhook.secret, sent["headers"], tampered)
    message = json.loads(sent["body"])
    assert message["event"] == "commitment.published"
    assert sent["headers"]["x-upr-event"] == "commitment.published"
    assert message["data"]["commitment"]["title"] == "Police oversight"
    assert message["data"]["commitment"]["jurisdiction"] == "pittsburgh"
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "delivered" and str(delivery.event_id) == message["id"]
    assert [a.status_code for a in delivery.attempt_log.all()] == [200]


def test_a_second_approval_is_an_update_and_other_places_hear_nothing(
    loopback, pittsburgh, django_capture_on_commit_callbacks
):
    plan = f.commitment(
        jurisdiction=pittsburgh, publication="submitted", published_at=timezone.now()
    )
    with Receiver() as receiver, Receiver() as elsewhere:
        hook(receiver.hook_url, jurisdiction=pittsburgh)
        hook(elsewhere.hook_url, jurisdiction=f.jurisdiction(), owner=f.user())
        publish(plan, django_capture_on_commit_callbacks)

    assert [json.loads(r["body"])["event"] for r in receiver.received] == ["commitment.updated"]
    assert elsewhere.received == []


def test_the_request_only_queues_the_event(
    loopback, pittsburgh, django_capture_on_commit_callbacks
):
    plan = f.commitment(jurisdiction=pittsburgh, publication="submitted")
    with Receiver() as receiver:
        hook(receiver.hook_url, jurisdiction=pittsburgh)
        curator = f.curator()
        seen = {"version": plan.version, "state": moderation.review_state(plan)}
        with django_capture_on_commit_callbacks(execute=False) as queued:
            moderation.approve_commitment(plan, curator, seen=seen)

    # The event kept with the approval and a task queued after the commit; nothing sent
    # or fanned out yet.
    assert any("fan_out_event" in repr(callback) for callback in queued)
    event = OutboxEvent.objects.get()
    assert (event.event, event.object_id, event.fanned_out_at) == (
        "commitment.published",
        plan.pk,
        None,
    )
    assert receiver.received == [] and not WebhookDelivery.objects.exists()


def test_a_receiver_that_fails_twice_gets_the_event_on_the_third_try(loopback, pittsburgh):
    plan = f.commitment(jurisdiction=pittsburgh, published_at=timezone.now())
    with Receiver(statuses=[500, 503, 204]) as receiver:
        webhook = hook(receiver.hook_url, jurisdiction=pittsburgh)
        outcomes = tries("commitment.updated", [plan.pk])

    assert outcomes == ["retry", "retry", "delivered"]
    assert len(receiver.received) == 3
    assert len({r["body"] for r in receiver.received}) == 1, "every retry sends the same event"
    assert all(verify(webhook.secret, r["headers"], r["body"]) for r in receiver.received)
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "delivered" and delivery.attempts == 3
    log = list(delivery.attempt_log.order_by("attempted_at", "id"))
    assert [a.status_code for a in log] == [500, 503, 204]
    webhook.refresh_from_db()
    assert webhook.consecutive_failures == 0 and webhook.disabled_at is None


def test_the_waits_between_tries_double_from_the_base(settings):
    settings.WEBHOOK_RETRY_BASE_SECONDS = 60
    assert [webhooks.backoff_seconds(n) for n in range(1, 6)] == [60, 120, 240, 480, 960]
    assert webhooks.backoff_seconds(30) == webhooks.MAX_WAIT_SECONDS


def test_a_delivery_is_given_up_once_its_retry_window_has_passed(
    loopback, settings, pittsburgh, sent
):
    # Base 1 s: after each failure a wait of 1, 2, 4 s ends inside the 5 s window; the
    # next one (8 s) would not, so the fourth failure is the last try.
    settings.WEBHOOK_RETRY_WINDOW_SECONDS = 5
    plan = f.commitment(jurisdiction=pittsburgh, published_at=timezone.now())
    with Receiver(statuses=[500]) as receiver:
        webhook = hook(receiver.hook_url, jurisdiction=pittsburgh)
        outcomes = tries("commitment.updated", [plan.pk])

    assert outcomes == ["retry", "retry", "retry", "failed"]
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "failed" and delivery.attempts == len(receiver.received) == 4
    webhook.refresh_from_db()
    assert webhook.disabled_at is None  # one bad day is not yet "repeated failure"


def test_repeated_failure_disables_the_hook_and_tells_its_owner_once(
    loopback, settings, pittsburgh, sent
):
    settings.WEBHOOK_DISABLE_AFTER_FAILURES = 4
    plans = [f.commitment(jurisdiction=pittsburgh, published_at=timezone.now()) for _ in range(3)]
    with Receiver(statuses=[500]) as receiver:
        webhook = hook(receiver.hook_url, jurisdiction=pittsburgh)
        outcomes = tries("commitment.updated", [p.pk for p in plans])

    webhook.refresh_from_db()
    assert webhook.disabled_at is not None
    assert "4 attempts in a row failed" in webhook.disabled_reason
    # The fourth try at the first event disables the hook; the other two are not sent.
    assert outcomes == ["retry", "retry", "retry", "failed", "failed", "failed"]
    assert len(receiver.received) == 4
    assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {"failed"}
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["owner@example.org"]
    assert receiver.hook_url in mail.outbox[0].body
    # A disabled hook is not told of later events (one kept by a later transaction).
    later = OutboxEvent.objects.create(
        event="commitment.updated", object_id=plans[0].pk, transaction_id=0
    )
    assert webhooks.fan_out(later.pk) == []


INTERNAL = "This address points inside a private network."


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("https://127.0.0.1/hook", INTERNAL),
        ("https://10.1.2.3/hook", INTERNAL),
        ("https://169.254.169.254/latest/meta-data/", INTERNAL),
        ("https://localhost/hook", INTERNAL),
        ("https://metadata.google.internal/", INTERNAL),
        ("https://[::1]/hook", INTERNAL),
        ("http://hooks.example.org/plain-http", "A webhook address must start with https://."),
    ],
)
def test_internal_and_plain_http_addresses_are_refused_when_registered(
    client, editor, url, message
):
    response = client.post(
        "/manage/webhooks/", {"url": url, "events": EVENTS, "jurisdiction": "pittsburgh"}
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Webhook.objects.exists()


def test_an_internal_address_is_refused_again_at_delivery(settings, pittsburgh, sent):
    """Saved while allowed (or by a name that later resolved inside): nothing is sent."""
    settings.FETCH_ALLOW_LOOPBACK = False
    settings.WEBHOOK_DISABLE_AFTER_FAILURES = 2
    plan = f.commitment(jurisdiction=pittsburgh, published_at=timezone.now())
    with Receiver() as receiver:
        hook(receiver.hook_url, jurisdiction=pittsburgh)
        outcomes = tries("commitment.updated", [plan.pk])

    assert outcomes == ["retry", "failed"]
    assert receiver.received == []
    attempt = WebhookDelivery.objects.get().attempt_log.first()
    assert attempt.status_code is None and "private network" in attempt.error


def test_a_redirect_to_an_internal_address_is_not_followed(loopback, settings, pittsburgh, sent):
    settings.WEBHOOK_DISABLE_AFTER_FAILURES = 1
    plan = f.commitment(jurisdiction=pittsburgh, published_at=timezone.now())
    with Receiver(statuses=[307], redirect_to="http://169.254.169.254/latest/") as receiver:
        hook(receiver.hook_url, jurisdiction=pittsburgh)
        sent(emit, "commitment.updated", [plan.pk])

    assert len(receiver.received) == 1
    attempt = WebhookDelivery.objects.get().attempt_log.get()
    assert attempt.status_code is None and "169.254.169.254" in attempt.error


# --- Events on saved searches ------------------------------------------------------------


def test_a_search_hook_hears_only_of_what_its_search_holds(loopback, pittsburgh, sent):
    from django.http import QueryDict

    from jurisdictions.follow.searches import saved_search

    theme = f.theme(name="Policing")
    on_theme, other = f.recommendation(themes=[theme]), f.recommendation()
    inside = f.commitment(jurisdiction=pittsburgh, title="Inside", published_at=timezone.now())
    outside = f.commitment(jurisdiction=pittsburgh, title="Outside", published_at=timezone.now())
    f.link(inside, on_theme)
    f.link(outside, other)
    owner = f.user()
    with Receiver() as receiver:
        Webhook.objects.create(
            url=receiver.hook_url,
            secret="s",
            events=["commitment.updated", "recommendation.local_action_changed"],
            search=saved_search("recommendations", QueryDict(f"theme={theme.slug}")),
            owner=owner,
            owner_email=owner.email,
        )
        sent(emit, "commitment.updated", [inside.pk, outside.pk])
        sent(refresh_recommendation_statuses, recommendation_ids=[on_theme.pk, other.pk])

    events = [json.loads(r["body"]) for r in receiver.received]
    assert [(e["event"], list(e["data"])) for e in events] == [
        ("commitment.updated", ["commitment"]),
        ("recommendation.local_action_changed", ["recommendation"]),
    ]
    assert events[0]["data"]["commitment"]["title"] == "Inside"
    assert events[1]["data"]["recommendation"]["id"] == on_theme.public_id
    assert events[1]["data"]["recommendation"]["local_status"] != "none"


def test_a_finished_import_is_an_event(loopback, pittsburgh, sent):
    from recommendations.importers.runs import finished_hooks
    from recommendations.models import ImportRun

    run = ImportRun.objects.create(file_name="upr.csv", status="succeeded", created=4)
    with Receiver() as receiver:
        hook(receiver.hook_url, jurisdiction=pittsburgh, events=["import.finished"])
        for finished in finished_hooks:
            sent(finished, run.pk)

    message = json.loads(receiver.received[0]["body"])
    assert message["event"] == "import.finished"
    assert message["data"]["import"]["created"] == 4


# --- Who may register what ---------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get("/manage/webhooks/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_signed_in_non_member_is_refused(client):
    client.force_login(f.user())
    assert client.get("/manage/webhooks/").status_code == 403


def test_an_editor_registers_a_hook_on_their_jurisdiction_and_sees_its_secret(
    client, editor, loopback
):
    response = client.post(
        "/manage/webhooks/",
        {"url": "https://hooks.example.org/upr", "events": EVENTS, "jurisdiction": "pittsburgh"},
        follow=True,
    )
    webhook = Webhook.objects.get()
    assert webhook.owner == editor and webhook.owner_email == editor.email
    assert webhook.secret in response.content.decode()


def test_an_editor_cannot_register_a_hook_on_another_jurisdiction(client, editor):
    f.jurisdiction(slug="erie", name="Erie")
    response = client.post(
        "/manage/webhooks/",
        {"url": "https://hooks.example.org/upr", "events": EVENTS, "jurisdiction": "erie"},
    )
    assert "Select a valid choice" in response.content.decode()
    assert not Webhook.objects.exists()


def test_an_editor_may_follow_any_saved_search(client, editor):
    client.post(
        "/manage/webhooks/",
        {
            "url": "https://hooks.example.org/upr",
            "events": EVENTS,
            "search": "https://upr.example.org/commitments/?status=adopted&page=2",
        },
    )
    webhook = Webhook.objects.get()
    assert (webhook.search.kind, webhook.search.query) == ("commitments", "status=adopted")


def test_a_search_must_be_a_list_address(client, editor):
    response = client.post(
        "/manage/webhooks/",
        {"url": "https://hooks.example.org/upr", "events": EVENTS, "search": "/admin/"},
    )
    assert "Paste the address of a" in response.content.decode()
    assert not Webhook.objects.exists()


def test_another_staff_members_hook_is_not_found(client, editor):
    stranger_hook = hook("https://hooks.example.org/x", jurisdiction=f.jurisdiction())
    assert client.get(f"/manage/webhooks/{stranger_hook.pk}/").status_code == 404
    assert client.post(f"/manage/webhooks/{stranger_hook.pk}/delete/").status_code == 404
    assert Webhook.objects.filter(pk=stranger_hook.pk).exists()


def test_a_curator_registers_on_any_jurisdiction_and_turns_a_disabled_hook_on(client, curator):
    f.jurisdiction(slug="erie", name="Erie")
    client.post(
        "/manage/webhooks/",
        {"url": "https://hooks.example.org/upr", "events": EVENTS, "jurisdiction": "erie"},
    )
    webhook = Webhook.objects.get()
    Webhook.objects.filter(pk=webhook.pk).update(
        disabled_at=timezone.now(), consecutive_failures=15
    )
    client.post(f"/manage/webhooks/{webhook.pk}/enable/")
    webhook.refresh_from_db()
    assert webhook.disabled_at is None and webhook.consecutive_failures == 0


def test_the_owner_sees_each_attempt_with_its_answer_and_time(client, editor, pittsburgh):
    webhook = hook("https://hooks.example.org/upr", jurisdiction=pittsburgh, owner=editor)
    delivery = WebhookDelivery.objects.create(
        webhook=webhook, event="commitment.updated", payload={}
    )
    delivery.attempt_log.create(status_code=502, duration_ms=12)
    delivery.attempt_log.create(error="Connection refused", duration_ms=3)

    page = client.get(f"/manage/webhooks/{webhook.pk}/").content.decode()
    assert "HTTP 502" in page and "Connection refused" in page


# --- API-key holders ---------------------------------------------------------------------


@pytest.fixture
def api_key_header():
    from rest_framework_api_key.models import APIKey

    def make(name="Coalition data desk"):
        _, key = APIKey.objects.create_key(name=name)
        return {"HTTP_AUTHORIZATION": f"Api-Key {key}"}

    return make


def post_json(client, data, **headers):
    return client.post("/api/v1/webhooks/", json.dumps(data), "application/json", **headers)


def test_a_key_holder_registers_lists_and_deletes_a_hook(client, pittsburgh, api_key_header):
    key = api_key_header()
    created = post_json(
        client,
        {
            "url": "https://hooks.coalition.example/upr",
            "events": ["commitment.updated"],
            "jurisdiction": "pittsburgh",
            "email": "data@coalition.example",
        },
        **key,
    )
    assert created.status_code == 201
    hook_id, secret = created.json()["id"], created.json()["secret"]
    webhook = Webhook.objects.get(pk=hook_id)
    assert webhook.owner is None and webhook.api_key is not None
    assert webhook.owner_email == "data@coalition.example" and webhook.secret == secret

    listed = client.get("/api/v1/webhooks/", **key).json()["results"]
    assert [h["id"] for h in listed] == [hook_id] and "secret" not in listed[0]
    # Another key neither sees nor deletes it.
    other = api_key_header("Someone else")
    assert client.get("/api/v1/webhooks/", **other).json()["results"] == []
    assert client.delete(f"/api/v1/webhooks/{hook_id}/", **other).status_code == 404
    assert client.delete(f"/api/v1/webhooks/{hook_id}/", **key).status_code == 204
    assert not Webhook.objects.exists()


def test_a_key_holder_may_follow_a_search(client, api_key_header):
    created = post_json(
        client,
        {
            "url": "https://hooks.coalition.example/upr",
            "events": ["recommendation.local_action_changed"],
            "search": "/recommendations/?response=noted",
            "email": "data@coalition.example",
        },
        **api_key_header(),
    )
    assert created.status_code == 201
    assert created.json()["search"] == "/recommendations/?response=noted"


@pytest.mark.parametrize(
    ("data", "parameter"),
    [
        ({"url": "https://10.0.0.8/hook", "jurisdiction": "pittsburgh"}, "url"),
        ({"url": "https://hooks.example.org/x", "jurisdiction": "nowhere"}, "jurisdiction"),
        ({"url": "https://hooks.example.org/x"}, None),
        (
            {"url": "https://hooks.example.org/x", "jurisdiction": "pittsburgh", "email": "x"},
            "email",
        ),
    ],
)
def test_a_bad_registration_is_a_400_naming_what_is_wrong(
    client, pittsburgh, api_key_header, data, parameter
):
    payload = {"events": ["commitment.updated"], "email": "data@coalition.example", **data}
    answer = post_json(client, payload, **api_key_header())
    assert answer.status_code == 400
    assert answer.json()["error"].get("parameter") == parameter
    assert not Webhook.objects.exists()


def test_without_a_valid_key_the_api_refuses_registration(client, pittsburgh):
    data = {"url": "https://hooks.example.org/x", "events": ["commitment.updated"]}
    assert post_json(client, data).status_code == 401
    bad = post_json(client, data, HTTP_AUTHORIZATION="Api-Key nope.nope")
    assert bad.status_code == 401 and bad.json()["error"]["parameter"] == "Authorization"
    assert client.post("/api/v1/webhooks/", "[", "application/json").status_code == 401
    assert not Webhook.objects.exists()


def test_a_key_holders_disabled_hook_notice_points_at_the_api(loopback, settings, pittsburgh):
    from rest_framework_api_key.models import APIKey

    settings.WEBHOOK_DISABLE_AFTER_FAILURES = 1
    key, _ = APIKey.objects.create_key(name="Coalition")
    plan = f.commitment(jurisdiction=pittsburgh, published_at=timezone.now())
    with Receiver(statuses=[500]) as receiver:
        webhook = Webhook.objects.create(
            url=receiver.hook_url,
            secret="s",
            events=["commitment.updated"],
            jurisdiction=pittsburgh,
            api_key=key,
            owner_email="data@coalition.example",
        )
        tries("commitment.updated", [plan.pk])

    assert mail.outbox[0].to == ["data@coalition.example"]
    assert f"/api/v1/webhooks/{webhook.pk}/" in mail.outbox[0].body


def test_a_long_wait_is_made_of_hops_shorter_than_the_brokers_visibility_timeout(
    loopback, settings, pittsburgh
):
    from jurisdictions.follow.tasks import MAX_HOP_SECONDS
    from upr_tracker.celery import app

    settings.WEBHOOK_RETRY_BASE_SECONDS = 3600
    plan = f.commitment(jurisdiction=pittsburgh, published_at=timezone.now())
    with Receiver(statuses=[500]) as receiver:
        hook(receiver.hook_url, jurisdiction=pittsburgh)
        (pk,) = deliveries("commitment.updated", [plan.pk])
        assert webhooks.attempt(pk) == "retry"

    # The next try is due in an hour; the worker waits for it 600 s at a time.
    assert 3590 < webhooks.seconds_until_due(pk) <= 3600
    assert MAX_HOP_SECONDS < app.conf.broker_transport_options["visibility_timeout"]
