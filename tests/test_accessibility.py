"""axe-core (bundled by the axe-playwright-python package) in Debian's Chromium finds no
serious or critical violation on any public page, at desktop and phone widths, and no
public page is wider than a 375 px phone screen."""

import re
from urllib.parse import urlsplit

import pytest

from tests.browse_data import build_catalogue
from tests.browser import chromium_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def public_pages(cat):
    """Every public page, with the states that change what it shows."""
    from jurisdictions.digests import confirm_url, manage_url
    from jurisdictions.models import Subscription

    subscription = Subscription.objects.create(
        email="reader@example.org", theme=cat.death, token="public-page-token"
    )
    confirm = urlsplit(confirm_url(subscription)).path
    return [
        "/",
        "/recommendations/",
        f"/recommendations/?q=police&theme={cat.death.slug}&response=supported&cycle=3",
        "/recommendations/?theme=no-such-theme",
        "/recommendations/?q=zebra&response=noted",
        "/recommendations/?q=France",
        "/recommendations/?under_review=all",
        cat.abolish.get_absolute_url(),
        f"/recommendations/{cat.abolish.pk}/history/",
        "/themes/",
        cat.death.get_absolute_url(),
        "/countries/",
        "/countries/?q=fr",
        "/countries/FRA/",
        "/reviews/",
        "/calendar/",
        cat.cycle3.get_absolute_url(),
        "/jurisdictions/",
        "/jurisdictions/?kind=city&state=PA",
        cat.pittsburgh.get_absolute_url(),
        "/commitments/",
        "/commitments/?status=adopted&q=capital",
        "/commitments/?state=&year=",
        f"/commitments/?theme={cat.death.slug}&state=PA&status=adopted&sort=title",
        "/recommendations/?local_action=addressed",
        "/recommendations/?q=death+penalty",
        cat.published.get_absolute_url(),
        "/reports/new/?cycle=3",
        "/reports/new/?kind=local&jurisdiction=pittsburgh",
        "/reports/new/?response=pending",
        "/reports/basket/",
        f"/commitments/{cat.published.pk}/history/",
        f"/subscriptions/?theme={cat.death.slug}",
        f"/subscriptions/?jurisdiction={cat.pittsburgh.slug}",
        confirm.replace("confirm/", "confirm/x", 1),
        confirm,
        f"/subscriptions/unsubscribe/{subscription.token}/",
        f"/subscriptions/follow/recommendations/?theme={cat.death.slug}&response=supported",
        "/subscriptions/follow/jurisdictions/",
        urlsplit(manage_url(subscription.email)).path,
        "/countries/ZZZ/",
        "/accounts/login/",
        "/api/v1/",
        "/accounts/password/reset/",
    ]


WIDTHS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 375, "height": 740}}


@pytest.fixture
def cat(transactional_db):
    from jurisdictions.seed import seed_jurisdictions

    seed_jurisdictions()
    return build_catalogue()


@pytest.mark.parametrize("width", WIDTHS)
def test_no_page_has_a_serious_or_critical_accessibility_violation(live_server, cat, width):
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    problems = []
    with chromium_page(viewport=WIDTHS[width]) as page:
        for path in public_pages(cat):
            response = page.goto(live_server.url + path)
            expected = 404 if "/confirm/x" in path or "ZZZ" in path else 200
            assert response.status == expected, path
            assert page.title().strip(), path
            results = axe.run(page)
            for violation in results.response["violations"]:
                if violation["impact"] in {"serious", "critical"}:
                    targets = [node["target"] for node in violation["nodes"][:3]]
                    problems.append(f"{path}: {violation['id']} {violation['help']} {targets}")
    assert problems == []


def test_no_public_page_is_wider_than_a_phone_screen(live_server, cat):
    too_wide = []
    with chromium_page(viewport=WIDTHS["phone"]) as page:
        for path in public_pages(cat):
            page.goto(live_server.url + path)
            # With the long lists open too, as someone filtering would have them.
            page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
            scroll, inner = page.evaluate(
                "[document.documentElement.scrollWidth, window.innerWidth]"
            )
            if scroll > inner:
                too_wide.append(f"{path}: {scroll} px")
    assert too_wide == []


def test_no_text_is_too_small_to_read_on_a_phone(live_server, cat):
    """Chart and map labels included: SVG text shrinks with its drawing."""
    script = """() => [...document.querySelectorAll('body *')].filter(e =>
        e.childNodes.length && [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim())
        && e.getClientRects().length).map(e => {
          let size = parseFloat(getComputedStyle(e).fontSize);
          const svg = e.ownerSVGElement;
          if (svg) size *= svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
          return [size, e.textContent.trim().slice(0, 30)];
        }).filter(([size]) => size < 10)"""
    with chromium_page(viewport=WIDTHS["phone"]) as page:
        for path in ["/", "/recommendations/", cat.death.get_absolute_url(), "/reviews/"]:
            page.goto(live_server.url + path)
            assert page.evaluate(script) == [], path


def test_the_favicon_loads(live_server, cat):
    with chromium_page() as page:
        page.goto(live_server.url + "/")
        icon = page.locator('link[rel="icon"]').get_attribute("href")
        assert page.request.get(live_server.url + icon).status == 200
        assert page.request.get(live_server.url + "/favicon.ico").status == 200


def test_the_skip_link_is_the_first_stop_and_visible_on_focus(live_server, cat):
    with chromium_page() as page:
        page.goto(live_server.url + "/recommendations/")
        page.keyboard.press("Tab")
        focused = page.evaluate("document.activeElement.textContent")
        assert focused.strip() == "Skip to content"
        box = page.locator(".skip-link").bounding_box()
        assert box is not None and box["x"] >= 0


MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?"
OTHER_DATE_FORMS = re.compile(
    rf"\b\d{{1,2}} {MONTH} \d{{4}}\b|\b{MONTH} \d{{1,2}}\b|\b\d{{1,2}}[/.]\d{{1,2}}[/.]\d{{2,4}}\b"
)
ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
# A report document writes its dates in words, as a document sent to the UN does.
PAGE_TEXT_BUT_THE_REPORT = """() => {
    const main = document.querySelector('main').cloneNode(true);
    main.querySelectorAll('.report-document').forEach(report => report.remove());
    document.body.appendChild(main);
    const text = main.innerText;
    main.remove();
    return text;
}"""


def test_every_public_page_prints_its_dates_in_one_form(live_server, cat):
    """Issue 19, point 20: in English every date on every public page reads 2024-03-05,
    never "Mar. 5, 2024", "5 March 2024" or "03/05/2024" (a report document aside)."""
    iso = 0
    others = []
    with chromium_page(viewport=WIDTHS["desktop"]) as page:
        for path in public_pages(cat):
            page.goto(live_server.url + path)
            text = page.evaluate(PAGE_TEXT_BUT_THE_REPORT)
            iso += len(ISO_DATE.findall(text))
            others += [f"{path}: {match}" for match in OTHER_DATE_FORMS.findall(text)]
    assert iso >= 10, "too few dates shown for the check to mean anything"
    assert others == []
