"""The issue's "done when": from the home page to supported death-penalty recommendations
from WEOG states in cycle 3, into one, on to a city's commitment, and the filtered CSV."""

import csv
import re

import pytest

from tests import factories
from tests.browse_data import build_catalogue
from tests.browser import check_facet, chromium_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def cat(transactional_db):
    from jurisdictions.seed import seed_jurisdictions

    seed_jurisdictions()
    data = build_catalogue()
    # Noise the filters must leave out: another cycle, a non-WEOG state, a noted response.
    factories.recommendation(
        review=data.cycle2,
        paragraph="176.40",
        text="Abolish capital punishment at the federal level.",
        recommending_countries=[data.france],
        themes=[data.death],
    )
    return data


def test_a_newcomer_finds_filters_follows_and_downloads(live_server, cat, tmp_path):
    with chromium_page(accept_downloads=True) as page:
        page.goto(live_server.url + "/")
        page.get_by_role("navigation", name="Main").get_by_role(
            "link", name="Recommendations"
        ).click()
        page.wait_for_url(re.compile(r"/recommendations/$"))

        check_facet(page, "response", "Supported")
        check_facet(page, "theme", "Death penalty")
        check_facet(page, "region", "Western European and Others Group")
        check_facet(page, "cycle", "Cycle 3 (2020)")  # the year of its session, 36

        assert "response=supported" in page.url and "cycle=3" in page.url
        assert page.get_by_role("heading", name="1 recommendation").is_visible()
        chips = page.locator(".chips").inner_text()
        assert "Theme: Death penalty (UPR Info)" in chips
        list_url = page.url

        page.get_by_role("link", name="A/HRC/46/15, para. 26.1").click()
        page.wait_for_url(re.compile(r"/r/[A-Z]{3}-\d+-[^/]+/$"))
        assert "Abolish the death penalty in every state." in page.content()

        page.get_by_role("link", name="Resolution against capital punishment", exact=True).click()
        page.wait_for_url(re.compile(r"/commitments/\d+/$"))
        assert page.get_by_role("heading", level=1).inner_text() == (
            "Resolution against capital punishment"
        )
        assert page.get_by_role("link", name="Pittsburgh, PA").first.is_visible()

        page.goto(list_url)
        with page.expect_download() as download_info:
            page.get_by_role("link", name="CSV").click()
        target = tmp_path / "recommendations.csv"
        download_info.value.save_as(target)

    with target.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert [row["citation"] for row in rows] == ["A/HRC/46/15, para. 26.1"]
    assert rows[0]["response"] == "supported"
    assert rows[0]["recommending_states"] == "FRA"
