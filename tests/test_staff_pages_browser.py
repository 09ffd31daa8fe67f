"""Every staff and curator page in Debian's Chromium: nothing wider than a 375 px phone
screen, no serious or critical axe-core violation, and the 403 page a manager meets on a
curator page says which role is needed."""

import pytest

from tests.browser import chromium_page, sign_in
from tests.staff_pages import MANAGER, PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 740}
OVERFLOW = "document.documentElement.scrollWidth - document.documentElement.clientWidth"


def walk(page, base, paths, axe, expected_status=200):
    problems = []
    for path in paths:
        response = page.goto(base + path)
        if response.status != expected_status:
            problems.append(f"{path}: status {response.status}")
            continue
        overflow = page.evaluate(OVERFLOW)
        if overflow > 1:
            problems.append(f"{path}: {overflow} px wider than the screen")
        for violation in axe.run(page).response["violations"]:
            if violation["impact"] in {"serious", "critical"}:
                targets = [node["target"] for node in violation["nodes"][:3]]
                problems.append(f"{path}: {violation['id']} {violation['help']} {targets}")
    return problems


def test_every_staff_page_fits_a_phone_and_passes_axe(live_server, staff_scene):
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    problems = []
    for email, paths in staff_scene.pages.items():
        with chromium_page(viewport=PHONE) as page:
            if email:
                sign_in(page, live_server.url, email, PASSWORD)
            problems += walk(page, live_server.url, paths, axe)
            if email == MANAGER:
                problems += walk(
                    page, live_server.url, staff_scene.refused, axe, expected_status=403
                )
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
        expect(page.locator("header nav")).to_be_visible()


def test_no_staff_page_overflows_a_desktop_screen_either(live_server, staff_scene):
    problems = []
    for email, paths in staff_scene.pages.items():
        with chromium_page(viewport={"width": 1280, "height": 900}) as page:
            if email:
                sign_in(page, live_server.url, email, PASSWORD)
            for path in paths:
                page.goto(live_server.url + path)
                if page.evaluate(OVERFLOW) > 1:
                    problems.append(path)
    assert problems == []
