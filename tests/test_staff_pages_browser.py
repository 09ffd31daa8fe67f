"""Every staff and curator page in Debian's Chromium: nothing wider than a 375 px phone
screen, no serious or critical axe-core violation at 375 and 1280 px (the pages that show a
flash message included), and the 403 page a manager meets on a curator page says which
role is needed."""

import pytest

from tests.browser import chromium_page, sign_in
from tests.staff_pages import CURATOR, MANAGER, PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 740}
DESKTOP = {"width": 1280, "height": 900}
OVERFLOW = "document.documentElement.scrollWidth - document.documentElement.clientWidth"


def check(page, path, axe):
    """The open page's overflow and serious or critical axe violations."""
    problems = []
    overflow = page.evaluate(OVERFLOW)
    if overflow > 1:
        problems.append(f"{path}: {overflow} px wider than the screen")
    for violation in axe.run(page).response["violations"]:
        if violation["impact"] in {"serious", "critical"}:
            targets = [node["target"] for node in violation["nodes"][:3]]
            problems.append(f"{path}: {violation['id']} {violation['help']} {targets}")
    return problems


def walk(page, base, paths, axe, expected_status=200):
    problems = []
    for path in paths:
        response = page.goto(base + path)
        if response.status != expected_status:
            problems.append(f"{path}: status {response.status}")
            continue
        problems += check(page, path, axe)
    return problems


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["375px", "1280px"])
def test_every_staff_page_fits_the_screen_and_passes_axe(live_server, staff_scene, viewport):
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    problems = []
    flashed = []
    for email, paths in staff_scene.pages.items():
        with chromium_page(viewport=viewport) as page:
            if email:
                # The page signing in lands on says so in a flash message: checked too.
                sign_in(page, live_server.url, email, PASSWORD)
                if page.locator("main .message").count():
                    flashed.append(page.url)
                problems += check(page, page.url, axe)
            problems += walk(page, live_server.url, paths, axe)
            if email == MANAGER:
                problems += walk(
                    page, live_server.url, staff_scene.refused, axe, expected_status=403
                )
                # A form saved: the page it leads to shows a flash message.
                page.goto(live_server.url + staff_scene.editable)
                with page.expect_navigation():
                    page.locator("main form button[type=submit]").first.click()
                if page.locator("main .message").count():
                    flashed.append(page.url)
                problems += check(page, page.url, axe)
    assert len(flashed) == 3, flashed
    assert problems == []


def test_a_manager_on_a_curator_page_is_told_which_role_and_whom_to_ask(live_server, staff_scene):
    from playwright.sync_api import expect

    with chromium_page(viewport=PHONE) as page:
        sign_in(page, live_server.url, MANAGER, PASSWORD)
        response = page.goto(live_server.url + staff_scene.refused[0])
        assert response.status == 403
        expect(page.locator("h1")).to_have_text("You do not have access to this page")
        expect(page.locator("main")).to_contain_text("needs the curator role")
        expect(page.locator("main")).to_contain_text("Ask a curator or a site administrator")
        expect(page.locator("main a[href^='mailto:']")).to_have_text("curator@example.org")
        expect(page.locator("header nav").first).to_be_visible()


TABLES = """() => [...document.querySelectorAll('main table')].map(table => {
    const scroller = table.closest('.table-scroll');
    const style = scroller && getComputedStyle(scroller);
    return {
        wide: table.getBoundingClientRect().width > document.documentElement.clientWidth,
        scrolls: !!style && style.overflowX === 'auto',
        cue: !!style && style.backgroundImage.includes('radial-gradient'),
        named: !!scroller && scroller.getAttribute('role') === 'region'
            && !!(scroller.getAttribute('aria-label') || scroller.getAttribute('aria-labelledby'))
            && scroller.tabIndex === 0,
    };
})"""


def test_on_a_phone_a_staff_table_wider_than_the_screen_scrolls_with_a_cue(
    live_server, staff_scene
):
    """Issue 19, point 19: a table too wide for a 375 px screen keeps every column, in a
    named region one can scroll sideways (by keyboard too), shaded at the side that hides
    more."""
    wide = []
    problems = []
    for email in (MANAGER, CURATOR):
        with chromium_page(viewport=PHONE) as page:
            sign_in(page, live_server.url, email, PASSWORD)
            for path in staff_scene.pages[email]:
                page.goto(live_server.url + path)
                for number, table in enumerate(page.evaluate(TABLES)):
                    if not table["wide"]:
                        continue
                    wide.append(path)
                    if not (table["scrolls"] and table["cue"] and table["named"]):
                        problems.append(f"{path} table {number}: {table}")
    assert wide, "no staff table is wider than a phone: the check would prove nothing"
    assert problems == []
