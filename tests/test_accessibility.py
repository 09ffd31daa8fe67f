"""axe-core (bundled by the axe-playwright-python package) in Debian's Chromium finds no
serious or critical violation on any public page, and pages fit a phone-width screen."""

import pytest

from tests.browse_data import build_catalogue
from tests.browser import chromium_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def public_pages(cat):
    return [
        "/",
        "/recommendations/",
        f"/recommendations/?q=police&theme={cat.death.slug}&response=supported&cycle=3",
        "/recommendations/?theme=no-such-theme",
        cat.abolish.get_absolute_url(),
        "/themes/",
        cat.death.get_absolute_url(),
        "/countries/FRA/",
        cat.cycle3.get_absolute_url(),
        "/jurisdictions/",
        "/jurisdictions/?kind=city&state=PA",
        cat.pittsburgh.get_absolute_url(),
        "/commitments/",
        "/commitments/?status=adopted&q=capital",
        cat.published.get_absolute_url(),
        "/reports/new/?cycle=3",
        "/reports/new/?kind=local&jurisdiction=pittsburgh",
        "/reports/new/?response=pending",
        "/reports/basket/",
    ]


@pytest.fixture
def cat(transactional_db):
    from django.core.cache import cache

    from jurisdictions.seed import seed_jurisdictions

    cache.clear()
    seed_jurisdictions()
    return build_catalogue()


def test_no_page_has_a_serious_or_critical_accessibility_violation(live_server, cat):
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    problems = []
    with chromium_page() as page:
        for path in public_pages(cat):
            response = page.goto(live_server.url + path)
            assert response.status == 200, path
            assert page.title().strip(), path
            results = axe.run(page)
            for violation in results.response["violations"]:
                if violation["impact"] in {"serious", "critical"}:
                    targets = [node["target"] for node in violation["nodes"][:3]]
                    problems.append(f"{path}: {violation['id']} {violation['help']} {targets}")
    assert problems == []


def test_pages_fit_a_phone_width_screen(live_server, cat):
    with chromium_page(viewport={"width": 360, "height": 740}) as page:
        for path in [
            "/",
            "/recommendations/",
            cat.abolish.get_absolute_url(),
            "/commitments/",
            "/reports/new/?cycle=3",
        ]:
            page.goto(live_server.url + path)
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 1, path


def test_the_skip_link_is_the_first_stop_and_visible_on_focus(live_server, cat):
    with chromium_page() as page:
        page.goto(live_server.url + "/recommendations/")
        page.keyboard.press("Tab")
        focused = page.evaluate("document.activeElement.textContent")
        assert focused.strip() == "Skip to content"
        box = page.locator(".skip-link").bounding_box()
        assert box is not None and box["x"] >= 0
