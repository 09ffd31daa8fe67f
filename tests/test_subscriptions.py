"""Public subscriptions: subscribe, confirm by email, unsubscribe in one click."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from jurisdictions.models import Subscription
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def town():
    return f.jurisdiction(name="Springfield", slug="springfield")


def subscribe(client, capture, **data):
    with capture(execute=True):
        return client.post(reverse("subscriptions:subscribe"), data)


def link_in(body, name):
    return re.search(rf"http\S+/subscriptions/{name}/\S+/", body).group(0)


def test_the_form_comes_with_the_chosen_jurisdiction_selected(client, town):
    response = client.get(reverse("subscriptions:subscribe"), {"jurisdiction": "springfield"})

    assert response.status_code == 200
    assert 'value="Springfield, PA"' in response.content.decode()


def test_subscribing_sends_a_confirmation_link_that_confirms(
    client, town, django_capture_on_commit_callbacks
):
    response = subscribe(
        client,
        django_capture_on_commit_callbacks,
        email="reader@example.org",
        jurisdiction="springfield",
    )

    assert "Check your email" in response.content.decode()
    subscription = Subscription.objects.get()
    assert subscription.confirmed_at is None
    assert len(mail.outbox) == 1
    assert "Springfield" in mail.outbox[0].body

    confirm = client.get(link_in(mail.outbox[0].body, "confirm").split("testserver")[-1])
    assert confirm.status_code == 200
    assert "Subscription confirmed" in confirm.content.decode()
    subscription.refresh_from_db()
    assert subscription.confirmed_at is not None
    assert list(Subscription.objects.active()) == [subscription]


def test_a_tampered_confirmation_link_is_refused(client, town):
    Subscription.objects.create(email="a@example.org", token="secret", jurisdiction=town)

    response = client.get(reverse("subscriptions:confirm", args=["secret:forged"]))

    assert response.status_code == 404
    assert Subscription.objects.get().confirmed_at is None


def test_a_subscription_needs_exactly_one_target(client, town, django_capture_on_commit_callbacks):
    theme = f.theme()
    none = subscribe(client, django_capture_on_commit_callbacks, email="a@example.org")
    both = subscribe(
        client,
        django_capture_on_commit_callbacks,
        email="a@example.org",
        jurisdiction="springfield",
        theme=theme.slug,
    )

    for response in (none, both):
        assert "Choose exactly one" in response.content.decode()
    assert not Subscription.objects.exists()
    assert mail.outbox == []


def test_a_recommendation_can_be_followed_by_its_id(client, django_capture_on_commit_callbacks):
    rec = f.recommendation()

    subscribe(
        client, django_capture_on_commit_callbacks, email="a@example.org", recommendation=rec.pk
    )

    assert Subscription.objects.get().recommendation == rec


def test_subscribing_twice_keeps_one_subscription(client, town, django_capture_on_commit_callbacks):
    for _ in range(2):
        subscribe(
            client,
            django_capture_on_commit_callbacks,
            email="reader@example.org",
            jurisdiction="springfield",
        )

    assert Subscription.objects.count() == 1


def test_unsubscribe_asks_first_then_unsubscribes_on_post(client, town):
    from django.utils import timezone

    sub = Subscription.objects.create(
        email="a@example.org", token="tok123", jurisdiction=town, confirmed_at=timezone.now()
    )
    url = reverse("subscriptions:unsubscribe", args=["tok123"])

    page = client.get(url)
    assert "Stop the weekly digest about Springfield" in page.content.decode()
    sub.refresh_from_db()
    assert sub.unsubscribed_at is None

    done = client.post(url)
    assert "will get no more email" in done.content.decode()
    assert not Subscription.objects.active().exists()


def test_one_click_unsubscribe_works_without_a_csrf_token(town):
    from django.test import Client

    Subscription.objects.create(email="a@example.org", token="tok456", jurisdiction=town)
    strict = Client(enforce_csrf_checks=True)

    response = strict.post(
        reverse("subscriptions:unsubscribe", args=["tok456"]),
        {"List-Unsubscribe": "One-Click"},
    )

    assert response.status_code == 200
    assert Subscription.objects.get().unsubscribed_at is not None


def test_an_unknown_unsubscribe_token_is_not_found(client):
    assert client.get(reverse("subscriptions:unsubscribe", args=["nope"])).status_code == 404


def test_resubscribing_after_unsubscribing_asks_for_confirmation_again(
    client, town, django_capture_on_commit_callbacks
):
    from django.utils import timezone

    Subscription.objects.create(
        email="a@example.org",
        token="tok789",
        jurisdiction=town,
        confirmed_at=timezone.now(),
        unsubscribed_at=timezone.now(),
    )

    subscribe(
        client,
        django_capture_on_commit_callbacks,
        email="a@example.org",
        jurisdiction="springfield",
    )

    sub = Subscription.objects.get()
    assert (sub.confirmed_at, sub.unsubscribed_at) == (None, None)
    assert len(mail.outbox) == 1


def test_a_jurisdiction_name_that_matches_nothing_gets_one_clear_message(client, town):
    response = client.post(
        reverse("subscriptions:subscribe"), {"email": "a@example.org", "jurisdiction": "Nowhere"}
    )
    html = response.content.decode()
    assert "No single jurisdiction is called “Nowhere”" in html
    assert "Choose exactly one" not in html
    assert not Subscription.objects.exists()


def test_a_typed_name_with_its_state_finds_the_jurisdiction(client, town):
    from jurisdictions.subscriptions import find_jurisdiction

    assert find_jurisdiction("Springfield, PA") == town
    assert find_jurisdiction("springfield") == town  # its slug, or its name in lower case
    f.jurisdiction(name="Springfield", slug="springfield-il", state_code="IL")
    assert find_jurisdiction("Springfield") is None
    assert find_jurisdiction("Springfield, IL").slug == "springfield-il"
