"""Staff digests carry a link that turns them off for that staff member, and back on."""

import re
from datetime import date

import pytest
from django.core import mail
from django.test import Client

from jurisdictions.models import Membership
from jurisdictions.tasks import send_digests
from recommendations.absolute_urls import base_url
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def town():
    place = f.jurisdiction()
    f.commitment(
        jurisdiction=place, title="Late plan", adopted_on=date(2020, 1, 1), is_overdue=True
    )
    return place


def staff(email, town):
    person = f.user(email=email)
    Membership.objects.create(user=person, jurisdiction=town)
    return person


def opt_out_link(body: str) -> str:
    """The link's path; the mail carries it under SITE_URL (or its stand-in when unset)."""
    from recommendations.absolute_urls import base_url

    link = re.search(r"http\S+/subscriptions/staff-digest/\S+/", body).group(0)
    assert link.startswith(base_url() + "/")
    return link.removeprefix(base_url())


def next_week_digests():
    from jurisdictions.models import DigestDelivery

    DigestDelivery.objects.all().delete()  # as if a week had passed
    mail.outbox.clear()
    send_digests()
    return {tuple(message.to) for message in mail.outbox}


def test_the_staff_digest_link_turns_the_digest_off_for_that_person_only(town):
    staff("editor@town.gov", town)
    staff("manager@town.gov", town)
    send_digests()
    by_person = {message.to[0]: message.body for message in mail.outbox}
    link = opt_out_link(by_person["editor@town.gov"])

    # Opened from the mail, not signed in; mail clients post without a CSRF token.
    browser = Client(enforce_csrf_checks=True)
    page = browser.get(link)
    assert "Stop the weekly staff digest" in page.content.decode()
    done = browser.post(link, {"digest": "off"})
    assert "gets no weekly staff digest" in done.content.decode()

    assert next_week_digests() == {("manager@town.gov",)}


def test_the_same_link_turns_the_digest_back_on(town, client):
    staff("editor@town.gov", town)
    send_digests()
    path = opt_out_link(mail.outbox[0].body)
    client.post(path, {"digest": "off"})
    assert next_week_digests() == set()

    client.post(path, {"digest": "on"})

    assert next_week_digests() == {("editor@town.gov",)}


def test_a_tampered_or_foreign_link_is_refused(town, client):
    person = staff("editor@town.gov", town)
    send_digests()
    path = opt_out_link(mail.outbox[0].body)
    other = path.replace(f"/{person.pk}", f"/{person.pk + 1}", 1).replace(":", "x", 1)

    assert client.post(other, {"digest": "off"}).status_code == 404
    assert client.get("/subscriptions/staff-digest/not-signed/").status_code == 404
    assert next_week_digests() == {("editor@town.gov",)}


def test_the_staff_digest_names_its_opt_out_link_as_list_unsubscribe(town, client):
    staff("clerk@example.org", town)
    send_digests()
    (message,) = mail.outbox
    header = message.extra_headers["List-Unsubscribe"]
    link = opt_out_link(message.body)
    assert header.startswith("<") and header.endswith(f"{link}>")
    # The header's link is the one in the body, and it works without signing in.
    page = Client().get(header.strip("<>").removeprefix(base_url()))
    assert page.status_code == 200
