"""Done-when journey for indicators, in Debian's Chromium: a manager adds an indicator
with two measurements and submits them, a curator approves, and the public commitment page
shows the bar with its numbers and the status history; the pages of the journey have no
axe violation at 375 px and 1280 px and none is wider than the phone."""

from datetime import date

import pytest
from django.urls import reverse

from tests import factories as f
from tests.browser import CHROMIUM_ARGS, sign_in
from tests.staff_pages import PASSWORD

pytestmark = pytest.mark.browser

WIDTHS = {"phone": {"width": 375, "height": 812}, "desktop": {"width": 1280, "height": 900}}


@pytest.fixture
def cast(transactional_db):
    place = f.jurisdiction(name="Pittsburgh", slug="pittsburgh")
    manager = f.user(email="manager@pittsburgh.example", password=PASSWORD)
    f.membership(manager, place, role="manager")
    f.curator(email="curator@example.org", password=PASSWORD)
    review = f.review(review_date=date(2020, 11, 9), response_date=date(2021, 3, 4))
    rec = f.recommendation(review=review, text="Guarantee safe drinking water to every home.")
    plan = f.commitment(
        jurisdiction=place,
        title="Lead-free water by 2026",
        adopted_on=date(2019, 6, 1),
        target_date=date(2026, 12, 31),
        status="in_progress",
    )
    f.link(plan, rec)
    f.milestone(plan, title="Inventory of service lines", due_on=date(2021, 6, 30))
    return {"place": place, "plan": plan, "rec": rec}


def _violations(axe, page, label):
    found = []
    for violation in axe.run(page).response["violations"]:
        targets = [node["target"] for node in violation["nodes"][:3]]
        found.append(f"{label}: {violation['impact']} {violation['id']} {targets}")
    return found


def test_a_manager_measures_a_curator_approves_and_the_public_sees_the_bar(
    live_server, cast, tmp_path
):
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import expect, sync_playwright

    base = live_server.url
    plan = cast["plan"]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        try:
            staff = browser.new_context().new_page()
            sign_in(staff, base, "manager@pittsburgh.example", PASSWORD)
            staff.goto(base + reverse("staff:commitment", args=[plan.pk]))
            staff.click("text=Add an indicator")
            staff.fill("input[name=name]", "Lead service lines replaced")
            staff.fill("input[name=unit]", "lines")
            staff.select_option("select[name=direction]", "up")
            staff.fill("input[name=baseline_value]", "0")
            staff.fill("input[name=baseline_date]", "2019-06-01")
            staff.fill("input[name=target_value]", "12000")
            staff.fill("input[name=target_date]", "2026-12-31")
            staff.click("button:has-text('Save indicator')")
            for when, value in [("2021-12-31", "3100"), ("2023-12-31", "7500")]:
                staff.click("text=Add a measurement of “Lead service lines replaced”")
                staff.fill("input[name=measured_on]", when)
                staff.fill("input[name=value]", value)
                staff.fill("input[name=source_url]", "https://example.org/water-report")
                staff.click("button:has-text('Save measurement')")
            expect(staff.locator("main")).to_contain_text("2023-12-31: 7,500 · Draft")
            staff.click("button:has-text('Submit for review')")
            expect(staff.locator("main")).to_contain_text("2023-12-31: 7,500 · Submitted")

            curator = browser.new_context().new_page()
            sign_in(curator, base, "curator@example.org", PASSWORD)
            curator.goto(base + reverse("staff:review-queue"))
            for button in ["Approve indicator", "Approve measurement", "Approve measurement"]:
                curator.locator(f"button:has-text('{button}')").first.click()
                expect(curator.locator(".messages")).to_contain_text("Approved and published.")
            expect(curator.locator("main")).to_contain_text("No measurements waiting.")

            problems = []
            for width, viewport in WIDTHS.items():
                page = browser.new_context(viewport=viewport).new_page()
                axe = Axe()
                for label, path in [
                    ("commitment", plan.get_absolute_url()),
                    ("jurisdiction", cast["place"].get_absolute_url()),
                    ("recommendation", cast["rec"].get_absolute_url()),
                ]:
                    page.goto(base + path)
                    problems += _violations(axe, page, f"{label} at {width}")
                    scroll = page.evaluate("document.documentElement.scrollWidth")
                    if scroll > viewport["width"]:
                        problems.append(f"{label} at {width}: {scroll} px wide")
                    page.screenshot(path=tmp_path / f"{label}-{width}.png", full_page=True)
                page.goto(base + plan.get_absolute_url())
                # 7,500 of 12,000 lines: 62.5%, shown rounded as Python rounds (62%).
                figure = page.locator(".indicator .progress-figure")
                expect(figure).to_contain_text(f"{round(100 * 7500 / 12000)}% of the way")
                expect(figure).to_contain_text("7,500 lines on 2023-12-31")
                bar = page.locator(".progress-bar .fill")
                assert bar.get_attribute("width") == f"{round(100 * 7500 / 12000)}%"
                track = page.locator(".progress-bar .track").bounding_box()
                assert bar.bounding_box()["width"] == pytest.approx(
                    track["width"] * round(100 * 7500 / 12000) / 100, abs=1.5
                )
                expect(page.locator("#status-history-heading")).to_be_visible()
                expect(page.locator("main")).to_contain_text(
                    "Milestone: Inventory of service lines"
                )
            print("screenshots in", tmp_path)
            assert problems == []
        finally:
            browser.close()
