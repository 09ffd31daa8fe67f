"""Sign-in lockout: failures count against the account and address pair, not the address."""

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse

from tests import factories as f

pytestmark = pytest.mark.django_db

PASSWORD = "tenant-rights-2024!"


def sign_in(client, email, password):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def test_five_failures_for_one_account_leave_another_account_free_on_the_same_address(
    client, settings
):
    settings.AXES_FAILURE_LIMIT = 5
    f.user(email="a@pittsburgh.example", password=PASSWORD)
    f.membership(f.user(email="b@pittsburgh.example", password=PASSWORD), f.jurisdiction())
    for _ in range(5):
        sign_in(client, "a@pittsburgh.example", "wrong")

    other = sign_in(client, "b@pittsburgh.example", PASSWORD)

    assert other.status_code == 302
    assert client.get(reverse("staff:home")).status_code == 200
    client.logout()
    # A stays locked even with the right password (allauth's own per-account limit may
    # answer first, with a form error instead of axes' 429; either way A is kept out).
    again = sign_in(client, "a@pittsburgh.example", PASSWORD)
    assert again.status_code in {200, 429}
    assert client.get(reverse("staff:home")).status_code == 302
    attempt = AccessAttempt.objects.get(username="a@pittsburgh.example")
    assert attempt.failures_since_start >= 5


def test_failures_are_recorded_under_the_email_that_was_tried(client):
    f.user(email="a@pittsburgh.example", password=PASSWORD)

    sign_in(client, "a@pittsburgh.example", "wrong")

    assert list(AccessAttempt.objects.values_list("username", flat=True)) == [
        "a@pittsburgh.example"
    ]


def test_the_email_is_matched_whatever_its_case(client, settings):
    settings.AXES_FAILURE_LIMIT = 2
    f.user(email="a@pittsburgh.example", password=PASSWORD)

    sign_in(client, "A@Pittsburgh.example", "wrong")
    sign_in(client, "a@pittsburgh.example ", "wrong")

    assert sign_in(client, "a@pittsburgh.example", PASSWORD).status_code == 429


PROXY = "10.0.0.1"


def behind_the_proxy(address):
    """A browser at `address` whose requests reach the app through our one proxy."""
    return Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=address)


def test_behind_a_proxy_failures_lock_an_account_only_for_the_client_that_made_them(
    settings,
):
    settings.BEHIND_PROXY = True
    # Below allauth's own five failures per account in five minutes, which is short and
    # deliberate; axes' lock lasts an hour, so it must be held against one client only.
    settings.AXES_FAILURE_LIMIT = 3
    f.membership(f.user(email="a@pittsburgh.example", password=PASSWORD), f.jurisdiction())
    attacker, owner = behind_the_proxy("198.51.100.7"), behind_the_proxy("203.0.113.9")
    for _ in range(3):
        sign_in(attacker, "a@pittsburgh.example", "wrong")

    assert sign_in(owner, "a@pittsburgh.example", PASSWORD).status_code == 302
    assert sign_in(attacker, "a@pittsburgh.example", PASSWORD).status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"198.51.100.7"}


def test_behind_a_proxy_one_client_failing_often_does_not_block_another(settings):
    settings.BEHIND_PROXY = True
    settings.AXES_FAILURE_LIMIT = 5
    f.membership(f.user(email="b@pittsburgh.example", password=PASSWORD), f.jurisdiction())
    noisy, colleague = behind_the_proxy("198.51.100.7"), behind_the_proxy("203.0.113.9")
    # allauth allows ten failed sign-ins a minute per client address.
    for n in range(12):
        sign_in(noisy, f"nobody{n}@example.org", "wrong")

    assert sign_in(colleague, "b@pittsburgh.example", PASSWORD).status_code == 302


def test_without_a_proxy_a_forged_forwarded_for_header_does_not_escape_the_lock(settings):
    settings.BEHIND_PROXY = False
    settings.AXES_FAILURE_LIMIT = 3
    f.user(email="a@pittsburgh.example", password=PASSWORD)
    for n in range(3):
        sign_in(behind_the_proxy(f"198.51.100.{n}"), "a@pittsburgh.example", "wrong")

    again = sign_in(behind_the_proxy("203.0.113.9"), "a@pittsburgh.example", PASSWORD)

    assert again.status_code == 429
