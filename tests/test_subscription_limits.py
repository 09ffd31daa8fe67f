"""Subscribing is rate-limited by address and by client: the form cannot flood an inbox
or be driven by a script."""

import pytest
from django.core import mail
from django.urls import reverse

from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def limits(settings):
    settings.SUBSCRIBE_MAILS_PER_ADDRESS_PER_HOUR = 3
    settings.SUBSCRIBE_REQUESTS_PER_CLIENT_PER_HOUR = 10


@pytest.fixture
def towns():
    return [f.jurisdiction(slug=f"town-{n}") for n in range(20)]


def post(client, capture, email, town, **extra):
    with capture(execute=True):
        return client.post(
            reverse("subscriptions:subscribe"),
            {"email": email, "jurisdiction": town.slug},
            **extra,
        )


def test_twenty_requests_for_one_address_send_at_most_three_mails(
    client, towns, django_capture_on_commit_callbacks, settings
):
    settings.SUBSCRIBE_REQUESTS_PER_CLIENT_PER_HOUR = 100
    answers = [
        post(client, django_capture_on_commit_callbacks, "victim@example.org", town)
        for town in towns
    ]

    assert len(mail.outbox) == 3
    # Every answer is the same neutral page: nothing tells the sender the limit was hit.
    assert {answer.status_code for answer in answers} == {200}
    assert all("Check your email" in answer.content.decode() for answer in answers)


def test_the_address_limit_ignores_case_and_spaces_and_the_client(
    client, towns, django_capture_on_commit_callbacks
):
    spellings = [
        "Victim@Example.org",
        "victim@example.org",
        " VICTIM@example.org",
        "victim@EXAMPLE.org",
    ]
    for n, email in enumerate(spellings):
        post(
            client,
            django_capture_on_commit_callbacks,
            email,
            towns[n],
            REMOTE_ADDR=f"198.51.100.{n + 1}",
        )

    assert len(mail.outbox) == 3


def test_other_addresses_still_get_their_mail(client, towns, django_capture_on_commit_callbacks):
    for town in towns[:4]:
        post(client, django_capture_on_commit_callbacks, "victim@example.org", town)

    post(client, django_capture_on_commit_callbacks, "reader@example.org", towns[5])

    assert [message.to for message in mail.outbox][-1] == ["reader@example.org"]
    assert len(mail.outbox) == 4


def test_a_client_past_its_limit_gets_a_friendly_429_page(
    client, towns, django_capture_on_commit_callbacks
):
    for n in range(10):
        ok = post(client, django_capture_on_commit_callbacks, f"reader{n}@example.org", towns[n])
        assert ok.status_code == 200

    refused = post(client, django_capture_on_commit_callbacks, "late@example.org", towns[11])

    assert refused.status_code == 429
    assert "Please try again later" in refused.content.decode()
    assert len(mail.outbox) == 10
    # Another client is not affected.
    other = post(
        client,
        django_capture_on_commit_callbacks,
        "late@example.org",
        towns[11],
        REMOTE_ADDR="203.0.113.9",
    )
    assert other.status_code == 200


def test_the_form_itself_is_never_rate_limited(client, towns, django_capture_on_commit_callbacks):
    for n in range(10):
        post(client, django_capture_on_commit_callbacks, f"reader{n}@example.org", towns[n])

    assert client.get(reverse("subscriptions:subscribe")).status_code == 200


def test_a_forged_forwarded_for_header_does_not_escape_the_client_limit(
    client, towns, django_capture_on_commit_callbacks
):
    answers = [
        post(
            client,
            django_capture_on_commit_callbacks,
            f"reader{n}@example.org",
            towns[n],
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n}",
        )
        for n in range(11)
    ]

    assert answers[-1].status_code == 429


def test_behind_a_proxy_the_forwarded_address_is_the_client(
    client, towns, django_capture_on_commit_callbacks, settings
):
    settings.BEHIND_PROXY = True
    answers = [
        post(
            client,
            django_capture_on_commit_callbacks,
            f"reader{n}@example.org",
            towns[n],
            HTTP_X_FORWARDED_FOR=f"spoofed, 192.0.2.{n}",
        )
        for n in range(11)
    ]

    # Eleven clients behind one proxy address, each well under its own limit.
    assert {answer.status_code for answer in answers} == {200}
