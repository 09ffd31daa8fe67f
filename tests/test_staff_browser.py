"""Done-when journey for staff and curators, in Debian's Chromium.

An invited Pittsburgh staff member sets a password, signs in, logs a commitment, links two
suggested recommendations and submits it; a curator approves; the commitment shows on the
public recommendation page; a second staff member's stale edit is refused.
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from jurisdictions.models import Commitment, Invitation
from tests import factories as f
from tests.browser import CHROMIUM_ARGS, sign_in
from tests.staff_pages import PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def cast(transactional_db):
    pittsburgh = f.jurisdiction(name="Pittsburgh", slug="pittsburgh")
    housing = f.recommendation(
        text="Prohibit discrimination in rental housing based on a tenant's source of income."
    )
    eviction = f.recommendation(
        text="Guarantee legal counsel to tenants facing eviction from rental housing."
    )
    f.recommendation(text="Ratify the Convention on the Rights of the Child.")
    invitation = Invitation.objects.create(
        email="newcomer@pittsburgh.example",
        jurisdiction=pittsburgh,
        role="editor",
        token="browser-test-token",
        expires_at=timezone.now() + timedelta(days=7),
    )
    colleague = f.user(email="colleague@pittsburgh.example", password=PASSWORD)
    f.membership(colleague, pittsburgh)
    f.curator(email="curator@example.org", password=PASSWORD)
    return {"pittsburgh": pittsburgh, "recs": [housing, eviction], "invitation": invitation}


def test_invited_staff_logs_links_submits_and_a_curator_publishes(live_server, cast):
    from playwright.sync_api import expect, sync_playwright

    base = live_server.url
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        try:
            staff = browser.new_context().new_page()
            # Accept the invitation: choose a password, then sign in again by email.
            staff.goto(base + reverse("staff:accept-invitation", args=["browser-test-token"]))
            staff.fill("input[name=password1]", PASSWORD)
            staff.fill("input[name=password2]", PASSWORD)
            staff.click("text=Create my account")
            expect(staff.locator("h1")).to_have_text("My jurisdictions")
            staff.click("header .logout-form button")
            sign_in(staff, base, "newcomer@pittsburgh.example", PASSWORD)
            expect(staff.locator("h1")).to_have_text("My jurisdictions")

            # Log a commitment.
            staff.click("main a[href$='/manage/jurisdictions/pittsburgh/']")
            staff.click("text=Log a new commitment")
            staff.fill("#id_title", "Source of income protection for renters")
            staff.select_option("#id_kind", "ordinance")
            staff.fill(
                "#id_summary",
                "Bans discrimination against tenants in rental housing by source of income "
                "and funds legal counsel for tenants facing eviction.",
            )
            staff.fill("#id_adopted_on", "2021-03-02")
            staff.click("text=Save draft")
            expect(staff.locator("#publication-state")).to_have_text("Draft")

            # Accept the two suggestions that match.
            for rec in cast["recs"]:
                suggestion = staff.locator(f"form.suggestion[data-recommendation='{rec.pk}']")
                suggestion.locator("select[name=relation]").select_option("implements")
                suggestion.locator("input[name=rationale]").fill("The ordinance does this.")
                suggestion.locator("button").click()
                expect(staff.locator(".messages")).to_contain_text("Linked to")
            commitment = Commitment.objects.get()
            assert set(commitment.links.values_list("recommendation", flat=True)) == {
                r.pk for r in cast["recs"]
            }

            staff.click("text=Submit for review")
            expect(staff.locator("#publication-state")).to_have_text("Submitted for review")

            # The curator approves from the queue.
            curator = browser.new_context().new_page()
            sign_in(curator, base, "curator@example.org", PASSWORD)
            curator.goto(base + reverse("staff:review-queue"))
            curator.click("text=Source of income protection for renters")
            curator.click("text=Approve and publish")
            expect(curator.locator(".messages")).to_contain_text("Approved")

            # It is public on both recommendation pages.
            public = browser.new_context().new_page()
            for rec in cast["recs"]:
                public.goto(base + rec.get_absolute_url())
                expect(public.locator("#commitments-heading + *")).to_be_visible()
                expect(public.locator("main")).to_contain_text(
                    "Source of income protection for renters"
                )

            # Two staff open the edit form; the second save is refused.
            edit_url = base + reverse("staff:commitment-edit", args=[commitment.pk])
            staff.goto(edit_url)
            colleague = browser.new_context().new_page()
            sign_in(colleague, base, "colleague@pittsburgh.example", PASSWORD)
            colleague.goto(edit_url)
            colleague.fill("#id_responsible_office", "Commission on Human Relations")
            colleague.click("text=Save changes")
            expect(colleague.locator(".messages")).to_contain_text("Saved")

            staff.fill("#id_responsible_office", "Law Department")
            staff.click("text=Save changes")
            expect(staff.locator("#conflict-heading")).to_be_visible()
            expect(staff.locator(".messages")).to_contain_text("Someone else saved")
            expect(staff.locator("#id_responsible_office")).to_have_value("Law Department")
            commitment.refresh_from_db()
            assert commitment.responsible_office == "Commission on Human Relations"
        finally:
            browser.close()


def test_staff_and_curator_screens_have_no_serious_accessibility_violation(live_server, cast):
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import sync_playwright

    pittsburgh = cast["pittsburgh"]
    commitment = f.commitment(
        jurisdiction=pittsburgh,
        title="Rental housing protections",
        summary="Source of income discrimination in rental housing is banned.",
        publication="submitted",
    )
    f.link(commitment, cast["recs"][0])
    f.update(commitment, publication="submitted")
    pages = {
        "colleague@pittsburgh.example": [
            reverse("staff:home"),
            reverse("staff:jurisdiction", args=[pittsburgh.slug]),
            reverse("staff:commitment-create", args=[pittsburgh.slug]),
            reverse("staff:commitment", args=[commitment.pk]) + "?q=housing",
            reverse("staff:commitment-edit", args=[commitment.pk]),
            reverse("staff:update-create", args=[commitment.pk]),
            reverse("staff:commitment-import", args=[pittsburgh.slug]),
        ],
        "curator@example.org": [
            reverse("staff:review-queue"),
            reverse("staff:review-commitment", args=[commitment.pk]),
            reverse("staff:jurisdiction", args=[pittsburgh.slug]),
            reverse("staff:merge", args=["commitments"]),
            reverse("staff:themes"),
        ],
    }
    axe = Axe()
    problems = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        try:
            anonymous = browser.new_context().new_page()
            for path in [
                reverse("account_login"),
                reverse("staff:accept-invitation", args=["browser-test-token"]),
            ]:
                anonymous.goto(live_server.url + path)
                problems += _serious(axe, anonymous, path)
            for email, paths in pages.items():
                page = browser.new_context().new_page()
                sign_in(page, live_server.url, email, PASSWORD)
                for path in paths:
                    response = page.goto(live_server.url + path)
                    assert response.status == 200, path
                    problems += _serious(axe, page, path)
        finally:
            browser.close()
    assert problems == []


def _serious(axe, page, path):
    found = []
    for violation in axe.run(page).response["violations"]:
        if violation["impact"] in {"serious", "critical"}:
            targets = [node["target"] for node in violation["nodes"][:3]]
            found.append(f"{path}: {violation['id']} {violation['help']} {targets}")
    return found
