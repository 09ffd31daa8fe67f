"""The staff and curator journeys on the demo data, in Debian's Chromium.

A Pittsburgh manager, on a phone, logs an eviction and homelessness ordinance, finds the
homelessness recommendation among the first three suggestions and links it, adds a
progress update and submits. A curator at a desktop approves, and the home page's figures
change at once, although they are cached for minutes.
"""

import re

import pytest

from jurisdictions.models import Commitment
from recommendations.models import Recommendation
from tests import factories as f
from tests.browser import chromium_page, sign_in
from tests.staff_pages import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 740}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def demo(demo_pittsburgh):
    manager = f.user(email="manager@pittsburgh.example", password=PASSWORD)
    f.membership(manager, demo_pittsburgh, role="manager")
    f.curator(email="curator@example.org", password=PASSWORD)
    return Recommendation.objects.get(paragraph="26.286")


def home_figure(page, base, label):
    page.goto(base + "/")
    text = page.locator(f".figures div:has(dt:text-is('{label}')) dd").inner_text()
    return int(re.sub(r"\D", "", text))


def test_staff_log_link_update_submit_then_a_curator_approves_and_home_changes(live_server, demo):
    from playwright.sync_api import expect

    base = live_server.url
    with chromium_page(viewport=PHONE) as staff:
        sign_in(staff, base, "manager@pittsburgh.example", PASSWORD)
        staff.click("main a[href$='/manage/jurisdictions/pittsburgh/']")
        staff.click("text=Log a new commitment")
        staff.fill("#id_title", "Right to counsel for tenants facing eviction")
        staff.select_option("#id_kind", "ordinance")
        staff.fill(
            "#id_summary",
            "Gives every tenant with an eviction case a free lawyer and adds emergency "
            "shelter beds for people experiencing homelessness.",
        )
        staff.fill("#id_adopted_on", "2024-05-14")
        staff.click("text=Save draft")
        expect(staff.locator("#publication-state")).to_have_text("Draft")

        # The recommendation a person would pick is among the first three suggestions.
        top3 = staff.locator("form.suggestion").evaluate_all(
            "forms => forms.slice(0, 3).map(f => Number(f.dataset.recommendation))"
        )
        assert demo.pk in top3
        pick = staff.locator(f"form.suggestion[data-recommendation='{demo.pk}']").first
        pick.locator("select[name=relation]").select_option("partial")
        pick.locator("input[name=rationale]").fill("Keeps tenants housed through eviction cases.")
        pick.locator("button").click()
        expect(staff.locator(".messages")).to_contain_text("Linked to")

        staff.click("text=Add a progress update")
        staff.fill("#id_reported_on", "2024-09-01")
        staff.fill("#id_summary", "The first 400 tenants were represented in housing court.")
        staff.click("text=Save update")
        staff.click("text=Submit for review")
        expect(staff.locator("#publication-state")).to_have_text("Submitted for review")

    commitment = Commitment.objects.get(title="Right to counsel for tenants facing eviction")
    assert list(commitment.links.values_list("recommendation", flat=True)) == [demo.pk]
    assert commitment.updates.get().publication == "submitted"

    with chromium_page(viewport=DESKTOP) as curator:
        sign_in(curator, base, "curator@example.org", PASSWORD)
        before = home_figure(curator, base, "Published commitments")  # now cached
        curator.goto(base + "/manage/review/")
        curator.click("text=Right to counsel for tenants facing eviction")
        curator.click("text=Approve and publish")
        expect(curator.locator(".messages")).to_contain_text("Approved")

        assert home_figure(curator, base, "Published commitments") == before + 1
        curator.goto(base + demo.get_absolute_url())
        expect(curator.locator("main")).to_contain_text(
            "Right to counsel for tenants facing eviction"
        )
