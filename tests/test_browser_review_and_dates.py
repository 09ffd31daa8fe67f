"""Issue 19 points 19 and 20 in Chromium: the phone header is one row with a cue that it
scrolls; a curator reads a submission's themes and its progress update on one page and
publishes both with one decision; public history names the staff who made the change; every
date on a page reads in one form per language."""

import re
from datetime import date

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests import factories as f
from tests.browser import chromium_page, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"


@pytest.fixture
def submission():
    town = f.jurisdiction(name="Pittsburgh", slug="pittsburgh")
    editor = f.user(email="editor@pittsburgh.example")
    f.membership(editor, town)
    f.curator(email="curator@example.org")
    plan = f.commitment(
        jurisdiction=town,
        title="Water affordability plan",
        status="adopted",
        adopted_on=date(2024, 3, 5),
        publication="submitted",
    )
    plan.themes.add(f.theme(vocabulary="upr_info", name="Right to water"))
    update = f.update(
        plan,
        reported_on=date(2025, 11, 20),
        status="in_progress",
        summary="Meters installed in two districts.",
        publication="submitted",
        author=editor,
    )
    # The editor's submission is the last change before the decision, as the views make it.
    plan.history.update(history_user=editor)
    return plan, update


def header_rows(page) -> int:
    tops = page.eval_on_selector_all(
        ".site-header nav:not(.language-switcher) li",
        "items => items.map(i => Math.round(i.getBoundingClientRect().top))",
    )
    return len(set(tops))


@pytest.mark.parametrize("width", [375, 1280])
def test_a_curator_publishes_a_commitment_and_its_update_with_one_decision(
    live_server, submission, width
):
    plan, update = submission
    base = live_server.url
    with chromium_page(viewport={"width": width, "height": 900}) as page:
        sign_in(page, base, "curator@example.org", PASSWORD)
        page.goto(base + reverse("staff:review-commitment", args=[plan.pk]))
        main = page.locator("main")
        expect(main).to_contain_text("Right to water")
        expect(main).to_contain_text("Meters installed in two districts.")
        expect(main).to_contain_text("the commitment and its progress update alike")
        if width == 375:
            # Point 19: the menu is one row, and its box scrolls sideways with a shadow cue.
            assert header_rows(page) == 1
            overflow = page.eval_on_selector(
                ".site-header nav:not(.language-switcher)",
                "n => [getComputedStyle(n).overflowX, getComputedStyle(n).backgroundImage]",
            )
            assert overflow[0] == "auto" and "radial-gradient" in overflow[1]
            assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.get_by_role("button", name="Approve and publish").click()
        expect(main).to_contain_text("Approved and published.")

        plan.refresh_from_db()
        update.refresh_from_db()
        assert (plan.publication, update.publication, plan.status) == (
            "published",
            "published",
            "in_progress",
        )

        # The public history credits the editor, and its dates read in one form.
        page.goto(base + reverse("history:commitment", args=[plan.pk]))
        history = page.locator("main").inner_text()
        assert "Editor, Pittsburgh" in history and "Curator" not in history
        page.goto(base + plan.get_absolute_url())
        text = page.locator("main").inner_text()
        assert "2024-03-05" in text and "2025-11-20" in text
        assert not re.search(r"\b(Jan|Feb|Mar|Nov|Dec)\.? \d", text)
        page.goto(base + "/es" + plan.get_absolute_url())
        spanish = page.locator("main").inner_text()
        assert "05/03/2024" in spanish and "20/11/2025" in spanish
        assert "2024-03-05" not in spanish
