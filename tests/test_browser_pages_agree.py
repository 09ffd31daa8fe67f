"""Issue 19, points 9 to 22, as a visitor, a curator and a manager see them in Chromium:
pages that show the same thing give the same number under the same words, and the
exports and imports say what they hold. One live server and one browser for the module;
each test builds its own data."""

import re
from pathlib import Path

import pytest

from tests import factories
from tests.browse_data import build_catalogue
from tests.browser import chromium_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1280, "height": 800}
DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def browser_page():
    with chromium_page(viewport=DESKTOP) as page:
        yield page


@pytest.fixture
def page(browser_page):
    browser_page.context.clear_cookies()
    return browser_page


@pytest.fixture
def cat(transactional_db):
    """The browsing catalogue, plus a broader UHRI theme whose narrower theme carries the
    two death-penalty recommendations and whose commitment is tagged only with it; the
    states, DC and territories as jurisdictions."""
    from jurisdictions.seed import seed_jurisdictions

    seed_jurisdictions()
    data = build_catalogue()
    data.civil = factories.theme(vocabulary="uhri", name="Civil and political rights")
    data.life = factories.theme(vocabulary="uhri", name="Right to life", parent=data.civil)
    data.abolish.themes.add(data.life)
    data.moratorium.themes.add(data.life)
    return data


def heading(page):
    return page.locator("#results-heading").inner_text()


def test_a_broader_theme_means_itself_and_its_narrower_themes_on_every_page(live_server, page, cat):
    """Point 9: /themes/, the theme page, its filter link and the list's facet agree."""
    page.goto(live_server.url + "/themes/")
    entry = page.locator(".theme-list li", has_text="Civil and political rights")
    assert "2 recommendations, 1 commitment" in entry.inner_text()

    entry.get_by_role("link").click()
    page.wait_for_url(re.compile(r"/themes/[^/?]+/"))
    assert "Recommendations to the United States (2)" in page.locator("#recs-heading").inner_text()

    page.get_by_role("link", name="Filter and search these recommendations").click()
    page.wait_for_url(re.compile(r"/recommendations/\?"))
    assert heading(page) == "2 recommendations"
    texts = page.locator(".results").inner_text()
    assert "Abolish the death penalty" in texts and "moratorium on executions" in texts
    # The facet beside the list counts the same way: the broader theme holds both.
    option = page.locator("label", has_text="Civil and political rights")
    assert option.first.inner_text().endswith("(2)")
    assert page.locator(".chip", has_text="Civil and political rights").count() == 1


def test_the_commitment_list_filters_and_sorts_by_theme_and_shows_each_filter_as_a_chip(
    live_server, page, cat
):
    """Point 10: the theme a theme page links to is a chip, survives another filter, and
    can be removed; the list sorts."""
    factories.commitment(
        jurisdiction=cat.erie, title="Police oversight board", status="adopted"
    ).themes.set([cat.police])
    page.goto(live_server.url + cat.civil.get_absolute_url())
    page.get_by_role("link", name="The 1 commitment on this theme").click()
    assert heading(page) == "1 commitment"
    chip = page.locator(".chip", has_text="Theme: Civil and political rights")
    assert chip.count() == 1

    # Ticking a status keeps the theme.
    box = page.get_by_role("checkbox", name="Adopted")
    with page.expect_navigation():
        box.check()
    assert heading(page) == "1 commitment"
    assert "theme=" in page.url and chip.count() == 1

    # Removing the chip drops only the theme.
    with page.expect_navigation():
        page.locator(".chip", has_text="Theme: Civil and political rights").click()
    assert heading(page) == "2 commitments"
    assert page.locator(".chip", has_text="Status: Adopted").count() == 1

    # The theme facet counts commitments, broader themes included.
    label = page.locator("label[for^='f-theme-']", has_text="Law enforcement")
    assert label.inner_text().endswith("(1)")

    page.select_option("#id_sort", "title")
    page.locator("form[data-filter-form] button[type=submit]").last.click()
    page.wait_for_url(lambda url: "sort=title" in url)
    titles = page.locator(".results h3").all_inner_texts()
    assert titles == sorted(titles) and len(titles) == 2

    # A state chosen in the select is a chip too, with its name.
    page.goto(live_server.url + "/commitments/?state=PA&theme=" + cat.death.slug)
    assert page.locator(".chip", has_text="State: Pennsylvania").count() == 1


def test_the_import_page_says_how_many_rows_were_imported_and_how_many_skipped(
    live_server, page, transactional_db, settings, tmp_path
):
    """Point 22: a file of five United States rows and two rows about other states,
    imported for the United States: the page tells the two apart, and its numbers are the
    database's."""
    from recommendations.models import Recommendation
    from recommendations.seed import seed_reference
    from tests.browser import sign_in

    settings.MEDIA_ROOT = tmp_path
    seed_reference()
    factories.curator(email="curator@example.org", password="a-long-test-password")
    sign_in(page, live_server.url, "curator@example.org", "a-long-test-password")
    page.goto(live_server.url + "/manage/imports/")
    page.set_input_files("input[type=file]", DATA / "upr_info_original.csv")
    with page.expect_navigation():
        page.get_by_role("button", name="Upload and import").click()

    lines = (DATA / "upr_info_original.csv").read_text(encoding="utf-8-sig").splitlines()[1:]
    to_us = [line for line in lines if line.startswith("United States,")]
    status = page.locator("section[role=status]").inner_text()
    created = Recommendation.objects.filter(review__state_under_review__iso3="USA").count()
    assert Recommendation.objects.count() == created == 2
    assert (
        f"{len(lines)} rows read: {len(to_us)} imported, {len(lines) - len(to_us)} skipped"
        in status
    )
    assert f"created {created} recommendations" in status


def test_the_csv_download_names_states_themes_and_acting_jurisdictions(live_server, page, cat):
    """Point 21: names beside codes, the acting jurisdictions by name, theme names with
    their vocabulary in a column of its own, and a file named after the filter and day."""
    import csv
    import io

    from django.utils import timezone

    page.goto(live_server.url + f"/recommendations/?theme={cat.death.slug}&response=supported")
    with page.expect_download() as download:
        page.locator(".downloads").get_by_role("link", name="CSV").click()
    name = download.value.suggested_filename
    day = timezone.localdate().isoformat()
    assert name == f"recommendations-response-supported-theme-{cat.death.slug}-{day}.csv"
    rows = list(csv.DictReader(io.StringIO(open(download.value.path(), encoding="utf-8").read())))
    assert len(rows) == 1
    row = rows[0]
    assert (row["recommending_states"], row["recommending_state_names"]) == ("FRA", "France")
    assert (row["state_under_review"], row["state_under_review_name"]) == (
        "USA",
        "United States",
    )
    assert (row["themes"], row["theme_vocabularies"]) == (
        "Death penalty; Right to life",
        "upr_info; uhri",
    )
    assert row["acting_jurisdictions"] == "Pittsburgh"
    assert row["jurisdictions_acting"] == "1"
    assert (row["local_status"], row["local_action"]) == ("addressed", "Addressed locally")


def test_a_search_that_names_a_theme_or_its_synonym_offers_the_theme(live_server, page, cat):
    """Point 15: the death-penalty theme holds recommendations that never say "death
    penalty" (a moratorium on executions); a search for the words, or for "capital
    punishment", offers the theme with its count, and the offer leads to them all."""
    cat.death.synonyms = ["capital punishment", "executions"]
    cat.death.save()
    page.goto(live_server.url + "/recommendations/?q=death+penalty")
    assert heading(page) == "1 recommendation"
    offer = page.get_by_role("link", name="the 2 recommendations under Death penalty (UPR Info)")
    offer.click()
    assert heading(page) == "2 recommendations"
    assert "q=" not in page.url

    page.goto(live_server.url + "/recommendations/?q=Capital+Punishment")
    assert page.get_by_role("link", name="under Death penalty (UPR Info)").count() == 1
    page.goto(live_server.url + "/recommendations/?q=capital+punishment+in+texas")
    assert page.get_by_role("link", name="under Death penalty (UPR Info)").count() == 0


def test_each_number_says_what_it_counts_and_the_page_it_opens_shows_the_same(
    live_server, page, cat
):
    """Point 11: the home map's number for a state opens the list of exactly those
    commitments; the state's page tells its own from those of the places in it; "Who
    acted" counts commitments and says so."""
    factories.commitment(jurisdiction=cat.erie, title="Erie police review", status="adopted")
    page.goto(live_server.url + "/")
    tile = page.locator(".tile-map a[aria-label^='Pennsylvania:']")
    assert tile.get_attribute("aria-label") == (
        "Pennsylvania: 2 published commitments of the state and the places in it"
    )
    tile.click()
    assert heading(page) == "2 commitments"

    page.goto(live_server.url + "/jurisdictions/pennsylvania/")
    main = page.locator("main").inner_text()
    assert "Published commitments of Pennsylvania itself (0)" in main
    assert "2 published commitments in Pennsylvania" in main

    page.goto(live_server.url + cat.death.get_absolute_url())
    acted = page.locator("#commitments-heading ~ ul.inline").first.inner_text()
    assert acted == "Pittsburgh, PA (1 commitment)"


def test_local_action_has_one_set_of_words_on_every_page(live_server, page, cat):
    """Point 12: the filter, the result line and the recommendation's page use the words of
    LocalStatus (the CSV's local_action column too, above)."""
    from recommendations.models import ANY_LOCAL_ACTION, LocalStatus

    page.goto(live_server.url + "/recommendations/")
    facet = page.locator("details.facet", has=page.locator("input[name=local_action]"))
    labels = [
        text.rsplit(" (", 1)[0] for text in facet.locator("ul.options label").all_inner_texts()
    ]
    assert labels == [
        ANY_LOCAL_ACTION[1],
        LocalStatus.ADDRESSED.label,
        LocalStatus.IMPLEMENTED.label,
        LocalStatus.CONTESTED.label,
        LocalStatus.NONE.label,
    ]
    result = page.locator(".result", has_text="Abolish the death penalty")
    assert "Addressed locally by 1 jurisdiction" in result.inner_text()
    assert "No local action yet" in page.locator(".result", has_text="moratorium").inner_text()

    with page.expect_navigation():
        facet.get_by_label("Addressed locally").check()
    assert heading(page) == "1 recommendation"
    assert page.locator(".chip", has_text="Local action: Addressed locally").count() == 1
    page.locator(".result h3 a").first.click()
    page.wait_for_url(re.compile(r"/(r/|recommendations/\d+/)"))
    assert "Addressed locally" in page.locator("dl").first.inner_text()


def test_a_review_page_tells_the_un_record_from_the_recommendations_held(live_server, page, cat):
    """Point 14: a review whose note gives the UN's numbers but whose recommendations are
    not imported says so, instead of "228 recommendations" above "Recommendations (0)"."""
    review = factories.review(
        state_under_review=cat.usa,
        cycle=1,
        wg_session=9,
        status="responded",
        report_symbol="A/HRC/16/11",
        notes="228 recommendations from 55 states.",
    )
    page.goto(live_server.url + review.get_absolute_url())
    main = page.locator("main")
    assert "From the UN's record: 228 recommendations from 55 states." in main.inner_text()
    assert "None of this review's recommendations are in this site's data yet" in (
        page.locator("#none-held").inner_text()
    )
    assert page.locator("#recs-heading").inner_text() == ("Recommendations in this site's data (0)")
    page.goto(live_server.url + cat.cycle3.get_absolute_url())
    assert page.locator("#none-held").count() == 0
    assert page.locator("#recs-heading").inner_text() == "Recommendations in this site's data (3)"


def test_another_states_cycle_shows_the_year_of_its_own_session(live_server, page, cat):
    """Point 13: France was reviewed in session 2 (May 2008); with no review date
    recorded, its cycle reads 2008 from the session calendar, not the United States'
    years, on the list's facet, its result lines and the review page."""
    review = factories.review(
        state_under_review=cat.france, cycle=1, wg_session=2, report_symbol="A/HRC/8/47"
    )
    factories.recommendation(review=review, paragraph="60.1", text="Ratify the convention.")
    page.goto(live_server.url + "/recommendations/?under_review=FRA")
    assert heading(page) == "1 recommendation"
    facet = page.locator("details.facet", has=page.locator("input[name=cycle]"))
    assert facet.locator("label").all_inner_texts() == ["Cycle 1 (2008) (1)"]
    assert "Cycle 1 (2008)" in page.locator(".result").inner_text()
    page.goto(live_server.url + review.get_absolute_url())
    assert page.locator("h1").inner_text() == "Review of France: Cycle 1 (2008)"
    page.goto(live_server.url + "/recommendations/?under_review=all")
    labels = page.locator("details.facet", has=page.locator("input[name=cycle]"))
    assert "Cycle 1 (2008) (1)" in labels.locator("label").all_inner_texts()


def test_the_staff_theme_picker_is_grouped_labelled_and_narrows_as_one_types(
    live_server, page, cat
):
    """Point 17: no Ctrl-click list; the public list's grouped picker, with a name two
    vocabularies share labelled by vocabulary, narrowed by typing."""
    from jurisdictions.models import Commitment
    from tests.browser import sign_in

    factories.theme(vocabulary="uhri", name="Death penalty", parent=cat.civil)
    manager = factories.user(email="manager@pittsburgh.example", password="a-long-test-password")
    factories.membership(manager, cat.pittsburgh, role="manager")
    sign_in(page, live_server.url, "manager@pittsburgh.example", "a-long-test-password")
    page.goto(live_server.url + f"/manage/jurisdictions/{cat.pittsburgh.slug}/commitments/new/")
    assert page.locator("select[name=themes]").count() == 0
    picker = page.locator("fieldset.theme-picker")
    assert picker.locator("legend").first.inner_text() == "Themes"
    page.get_by_role("searchbox", name="Type to narrow themes").fill("death")
    shown = [t for t in picker.locator("li.option:not([hidden]) label").all_inner_texts()]
    assert shown == ["Death penalty (UPR Info)", "Death penalty (UHRI)"]
    page.fill("#id_title", "Resolution for a moratorium")
    page.get_by_label("Death penalty (UHRI)").check()
    page.get_by_role("button", name="Save draft").click()
    page.wait_for_url(lambda url: "/new/" not in url)
    saved = Commitment.objects.get(title="Resolution for a moratorium")
    assert [(t.vocabulary, t.name) for t in saved.themes.all()] == [("uhri", "Death penalty")]


def test_on_a_phone_the_filter_drawer_stays_open_after_a_tick(live_server, page, cat):
    """Point 19 (in part): ticking a filter value on a 375 px screen reloads the list with
    the drawer still open and the focus on the box just ticked."""
    page.set_viewport_size({"width": 375, "height": 740})
    try:
        page.goto(live_server.url + "/recommendations/")
        drawer = page.locator("details.filter-panel")
        assert drawer.get_attribute("open") is None
        drawer.locator("summary").first.click()
        facet = page.locator("details.facet", has=page.locator("input[name=response]"))
        if facet.get_attribute("open") is None:
            facet.locator("summary").click()
        with page.expect_navigation():
            facet.locator("input[value=supported]").check()
        assert "response=supported" in page.url
        assert page.locator("details.filter-panel").get_attribute("open") is not None
        focused = page.evaluate("[document.activeElement.name, document.activeElement.value]")
        assert focused == ["response", "supported"]
        # A page opened afresh starts with the drawer closed again.
        page.goto(live_server.url + "/recommendations/")
        assert page.locator("details.filter-panel").get_attribute("open") is None
    finally:
        page.set_viewport_size(DESKTOP)


def test_the_home_map_has_a_legend_and_labels_readable_on_a_phone(live_server, page, cat):
    """Point 20 (in part): the map says what its shades mean, and its labels are at least
    12 px on a 375 px screen."""
    from jurisdictions.panels import MAP_SHADES

    page.set_viewport_size({"width": 375, "height": 740})
    try:
        page.goto(live_server.url + "/")
        legend = page.locator("ul.legend[aria-label^='Legend: published commitments']")
        shown = [text.strip() for text in legend.locator("li").all_inner_texts()]
        assert shown == [words for *_, words in MAP_SHADES]
        sizes = page.evaluate(
            """() => [...document.querySelectorAll('.tile-map text')].map(e => {
                const svg = e.ownerSVGElement;
                return parseFloat(getComputedStyle(e).fontSize)
                    * svg.getBoundingClientRect().width / svg.viewBox.baseVal.width; })"""
        )
        assert sizes and min(sizes) >= 12, min(sizes)
    finally:
        page.set_viewport_size(DESKTOP)
