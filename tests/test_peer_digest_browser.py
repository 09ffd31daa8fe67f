"""Issue 26, point 5 in Debian's Chromium: a manager turns the weekly peer digest on from
the staff home and off again from the link in the mail, at 375 and 1280 px, axe-clean."""

import re

import pytest
from django.core import mail
from django.utils import timezone

from jurisdictions.models import PeerDigestFollow
from jurisdictions.tasks import send_digests
from tests import factories as f
from tests.browser import chromium_page, sign_in
from tests.test_staff_pages_browser import DESKTOP, PHONE, check

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "fair-housing-in-2024!"


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["375px", "1280px"])
def test_a_manager_follows_other_places_and_stops_from_the_mail(live_server, viewport):
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import expect

    axe = Axe()
    pittsburgh = f.jurisdiction(name="Pittsburgh", slug="pittsburgh")
    toledo = f.jurisdiction(name="Toledo", slug="toledo")
    manager = f.user(email="manager@pittsburgh.example", password=PASSWORD)
    f.membership(manager, pittsburgh, role="manager")
    cedaw = f.recommendation(paragraph="26.47")
    f.link(f.commitment(jurisdiction=pittsburgh, title="Pittsburgh CEDAW ordinance"), cedaw)
    problems = []
    with chromium_page(viewport=viewport) as page:
        sign_in(page, live_server.url, manager.email, PASSWORD)
        page.goto(live_server.url + "/manage/")
        page.get_by_role("button", name="Send me the weekly peer digest").click()
        expect(page.locator("main .message")).to_contain_text("Each Monday you will get")
        problems += check(page, page.url, axe)
        assert PeerDigestFollow.objects.filter(user=manager).exists()

        toledo_cedaw = f.commitment(
            jurisdiction=toledo, title="Toledo CEDAW ordinance", published_at=timezone.now()
        )
        f.link(toledo_cedaw, cedaw)
        send_digests()
        (message,) = [m for m in mail.outbox if "elsewhere" in m.subject]
        assert "Toledo CEDAW ordinance (Toledo" in message.body
        link = re.search(r"http\S+/subscriptions/peer-digest/\S+/", message.body).group(0)

        page.goto(live_server.url + link[link.index("/subscriptions/") :])
        problems += check(page, page.url, axe)
        page.get_by_role("button", name="Stop the weekly peer digest").click()
        expect(page.locator("main")).to_contain_text("gets no weekly peer digest")
        problems += check(page, page.url, axe)
    assert problems == []
    assert not PeerDigestFollow.objects.exists()
