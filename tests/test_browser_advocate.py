"""An advocate's journeys in Chromium, on a desktop and a phone-width screen: a theme, then
who acted on it; the noted housing recommendations of 2020; what Mexico recommended, then
its CSV; subscribing, then following the confirmation link on the port actually served."""

import csv
import re
from datetime import date
from urllib.parse import urlsplit

import pytest

from tests import factories
from tests.browse_data import build_catalogue
from tests.browser import chromium_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 740}


@pytest.fixture
def cat(transactional_db):
    from jurisdictions.seed import seed_jurisdictions

    seed_jurisdictions()
    data = build_catalogue()
    data.cycle3.review_date = date(2020, 11, 9)
    data.cycle3.save()
    data.cycle2.review_date = date(2015, 5, 11)
    data.cycle2.save()
    mexico = factories.country(iso3="MEX", name="Mexico", region="grulac")
    housing = factories.theme(vocabulary="upr_info", name="Right to housing")
    # The same subject in the other vocabulary, plus a shared name, as real data has.
    uhri_housing = factories.theme(vocabulary="uhri", name="Right to adequate housing")
    factories.theme(vocabulary="uhri", name="Death penalty")
    # Enough themes for a long list, which offers a box to type in.
    for name in [
        "Asylum",
        "Corruption",
        "Detention",
        "Elections",
        "Labour",
        "Migrants",
        "Poverty",
        "Torture",
        "Trafficking",
        "Water",
        "Education",
        "Health",
    ]:
        factories.theme(vocabulary="upr_info", name=name)
    shelter = factories.recommendation(
        review=data.cycle3,
        paragraph="26.290",
        text="Recognise a legal right to shelter for every family.",
        response="noted",
        recommending_countries=[mexico],
        themes=[housing, uhri_housing],
    )
    factories.recommendation(
        review=data.cycle3,
        paragraph="26.286",
        text="Cut homelessness among the groups most at risk.",
        response="supported",
        recommending_countries=[data.kenya],
        themes=[housing],
    )
    factories.recommendation(
        review=data.cycle2,
        paragraph="176.200",
        text="Make housing a justiciable right.",
        response="noted",
        recommending_countries=[mexico],
        themes=[housing],
    )
    factories.recommendation(
        review=data.cycle3,
        paragraph="26.108",
        text="Keep migrant children with their families.",
        response="supported",
        recommending_countries=[mexico, data.brazil],
    )
    # Another state's review must not leak into the US lists or Mexico's US export.
    other = factories.review(state_under_review=data.kenya, cycle=3, report_symbol="A/HRC/44/8")
    factories.recommendation(
        review=other,
        paragraph="140.1",
        text="Build social housing.",
        recommending_countries=[mexico],
    )
    philadelphia = factories.jurisdiction(
        name="Philadelphia", slug="philadelphia", kind="city", state_code="PA"
    )
    shelter_law = factories.commitment(
        jurisdiction=philadelphia, title="Right to counsel in eviction cases"
    )
    factories.link(shelter_law, shelter, relation="partial")
    data.mexico, data.housing, data.shelter = mexico, housing, shelter
    return data


def open_filters(page):
    """On a phone the filters sit behind a disclosure; open it if it is closed."""
    panel = page.locator("details.filter-panel")
    if panel.get_attribute("open") is None:
        panel.locator("summary").first.click()


def check(page, name, label, narrow=None):
    open_filters(page)
    pattern = re.compile("^" + re.escape(label) + r" \(?\d+\)? results?$")
    # A closed facet hides its boxes from the accessibility tree: open it first.
    details = page.locator("details.facet", has=page.locator(f'input[name="{name}"]'))
    if details.get_attribute("open") is None:
        details.locator("summary").click()
    box = details.get_by_role("checkbox", name=pattern)
    if narrow:
        details.get_by_role("searchbox", name=re.compile("^Type to narrow")).fill(narrow)
        shown = details.locator("li.option:visible").all_inner_texts()
        assert shown and all(narrow in text.lower() for text in shown), shown
    box.scroll_into_view_if_needed()
    # A click, not check(): the script submits the form at once, and check() would look
    # for the ticked box on the page it just left.
    with page.expect_navigation():
        box.click()
    assert page.locator(f'input[name="{name}"][checked]').count() >= 1


def assert_fits(page):
    width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], page.url


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_theme_then_who_acted_on_it(live_server, cat, viewport):
    with chromium_page(viewport=viewport) as page:
        page.goto(live_server.url + "/")
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Themes").click()
        page.get_by_role("link", name="Right to housing", exact=True).click()
        page.wait_for_url(re.compile(r"/themes/upr-info-right-to-housing/$"))
        assert page.get_by_role(
            "heading", name="Local action on this theme (1 commitment)"
        ).is_visible()
        assert_fits(page)
        page.get_by_role("link", name="Philadelphia, PA").first.click()
        page.wait_for_url(re.compile(r"/jurisdictions/philadelphia/$"))
        # The first of its links: the jurisdiction's timeline names it again below.
        assert page.get_by_role(
            "link", name="Right to counsel in eviction cases"
        ).first.is_visible()
        assert_fits(page)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_noted_housing_recommendations_of_2020(live_server, cat, viewport):
    with chromium_page(viewport=viewport) as page:
        page.goto(live_server.url + "/recommendations/")
        if viewport is PHONE:
            # Results start on the first screen; the filters wait behind "Filters".
            heading = page.get_by_role("heading", name=re.compile(r"^\d+ recommendations$"))
            assert heading.bounding_box()["y"] < PHONE["height"]
            assert not page.get_by_role("checkbox").first.is_visible()
        check(page, "theme", "Right to housing", narrow="hous")
        check(page, "response", "Noted")
        check(page, "cycle", "Cycle 3 (2020)")
        assert page.get_by_role("heading", name="1 recommendation").is_visible()
        results = page.locator("ol.results").inner_text()
        assert "Recognise a legal right to shelter for every family." in results
        assert "Make housing a justiciable right." not in results
        chips = page.locator(".chips").inner_text()
        assert "Theme: Right to housing (UPR Info)" in chips
        assert "Cycle: Cycle 3 (2020)" in chips
        assert_fits(page)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_what_mexico_recommended_then_its_csv(live_server, cat, viewport, tmp_path):
    with chromium_page(viewport=viewport, accept_downloads=True) as page:
        page.goto(live_server.url + "/recommendations/")
        page.get_by_role("searchbox", name="Search the text").fill("Mexico")
        with page.expect_navigation():
            page.get_by_role("button", name="Search").click()
        page.get_by_role("link", name="see the recommendations Mexico made").click()
        page.wait_for_url(re.compile(r"country=MEX"))
        assert page.get_by_role("heading", name="3 recommendations").is_visible()
        assert_fits(page)
        with page.expect_download() as download_info:
            page.get_by_role("link", name="CSV").click()
        target = tmp_path / "mexico.csv"
        download_info.value.save_as(target)

    with target.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert sorted(row["citation"] for row in rows) == [
        "A/HRC/30/12, para. 176.200",
        "A/HRC/46/15, para. 26.108",
        "A/HRC/46/15, para. 26.290",
    ]
    assert all("MEX" in row["recommending_states"].split("; ") for row in rows)
    assert {row["state_under_review"] for row in rows} == {"USA"}
    # Each row links to the recommendation's permanent address.
    assert all(row["url"].startswith(live_server.url + "/r/") for row in rows)


def test_subscribe_then_follow_the_confirmation_link_on_the_served_port(live_server, cat, settings):
    from django.core import mail

    from jurisdictions.models import Subscription

    settings.SITE_URL = ""
    with chromium_page(viewport=PHONE) as page:
        page.goto(live_server.url + cat.housing.get_absolute_url())
        page.get_by_role("link", name="Follow by email").click()
        page.get_by_label("Your email address").fill("reader@example.org")
        selected = page.get_by_label("Theme").evaluate("s => s.options[s.selectedIndex].text")
        assert selected == "Right to housing"
        assert_fits(page)
        with page.expect_navigation():
            page.get_by_role("button", name="Subscribe").click()
        assert "Check your email" in page.content()

        body = mail.outbox[-1].body
        link = re.search(r"http\S+/subscriptions/confirm/\S+/", body).group(0)
        assert urlsplit(link).port == urlsplit(live_server.url).port
        page.goto(link)
        assert (
            page.get_by_role("heading", level=1).inner_text().startswith("Subscription confirmed")
        )
    subscription = Subscription.objects.get(email="reader@example.org")
    assert subscription.theme == cat.housing and subscription.confirmed_at is not None
