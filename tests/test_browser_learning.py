"""Learning across boundaries in Chromium at phone and desktop widths (issue 26): similar
commitments, instruments by kind, adopting a model, comparing places and the mirror view,
each page free of serious or critical axe violations and no wider than the screen."""

import os
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests import factories as f
from tests.browser import chromium_page, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = {"phone": {"width": 375, "height": 740}, "desktop": {"width": 1280, "height": 800}}
PASSWORD = "correct horse battery staple"
# Screenshots for a person to look at; kept out of the checkout.
SHOTS = Path(os.environ.get("SCREENSHOT_DIR", "/tmp/upr-learning-shots"))


@pytest.fixture
def scene(transactional_db):
    from jurisdictions.local_status import refresh_local_status

    usa = f.country(iso3="USA", name="United States")
    france = f.country(iso3="FRA", name="France")
    women = f.theme(vocabulary="upr_info", name="Women's rights")
    to_us = f.review(state_under_review=usa)
    to_france = f.review(state_under_review=france, cycle=2, wg_session=15, report_symbol="")
    rec = f.recommendation(
        review=to_us,
        paragraph="26.47",
        text="Ratify the convention on discrimination against women and adopt its principles.",
        themes=[women],
    )
    f.recommendation(
        review=to_france,
        paragraph="",
        text="Adopt the principles of the convention on discrimination against women in law.",
        themes=[women],
        recommending_countries=[usa],
    )
    cities = {
        slug: f.jurisdiction(name=name, slug=slug, state_code=state)
        for slug, name, state in [
            ("san-francisco", "San Francisco", "CA"),
            ("pittsburgh", "Pittsburgh", "PA"),
            ("toledo", "Toledo", "OH"),
        ]
    }
    model = f.commitment(
        jurisdiction=cities["san-francisco"],
        title="Local CEDAW ordinance",
        summary="Puts the women's rights treaty's principles into city law, with a gender "
        "analysis of departments and a commission to oversee it.",
        status="implemented",
        adopted_on=date(1998, 4, 13),
    )
    model.themes.add(women)
    f.link(model, rec, relation="implements")
    f.update(model, reported_on=date(2019, 3, 1), summary="Gender analysis of ten departments.")
    peer = f.commitment(
        jurisdiction=cities["toledo"],
        title="Ordinance on the local principles of CEDAW",
        summary="Toledo adopts the treaty's principles for its own government.",
        status="in_progress",
    )
    f.link(peer, rec)
    f.link(
        f.commitment(
            jurisdiction=cities["toledo"], title="Women's commission budget", kind="budget"
        ),
        rec,
    )
    editor = f.user(email="editor@pittsburgh.example", password=PASSWORD)
    f.membership(editor, cities["pittsburgh"])
    refresh_local_status()
    return {"rec": rec, "model": model, "peer": peer, "women": women}


def check_page(page, axe, name, width):
    """No serious or critical axe violation, nothing wider than the screen; a screenshot."""
    results = axe.run(page)
    problems = [
        f"{v['id']}: {v['help']} {[n['target'] for n in v['nodes'][:3]]}"
        for v in results.response["violations"]
        if v["impact"] in {"serious", "critical"}
    ]
    assert problems == [], name
    scroll, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert scroll <= inner, f"{name}: {scroll} px wide"
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)


@pytest.mark.parametrize("width", WIDTHS)
def test_learning_from_other_places_at_each_width(live_server, scene, width):
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    base = live_server.url
    with chromium_page(viewport=WIDTHS[width]) as page:
        # 1. A commitment page: similar commitments elsewhere, with their facts.
        page.goto(base + scene["peer"].get_absolute_url())
        similar = page.locator("section", has=page.locator("#similar-heading"))
        expect(similar.get_by_role("link", name="Local CEDAW ordinance")).to_be_visible()
        expect(similar).to_contain_text("Implemented")
        expect(similar).to_contain_text("Gender analysis of ten departments.")
        check_page(page, axe, "commitment", width)

        # 1. A recommendation page: its instruments by kind, the implemented one first.
        page.goto(base + scene["rec"].get_absolute_url())
        headings = page.locator("#commitments-heading ~ h3").all_inner_texts()
        assert headings == ["Ordinance (2)", "Budget (1)"]
        first = page.locator("#commitments-heading ~ ul.commitments li").first
        expect(first).to_contain_text("Local CEDAW ordinance")
        # 4. ... and the United States' similar recommendation to another state.
        expect(page.locator("main")).to_contain_text(
            "The United States made a similar recommendation to France"
        )
        check_page(page, axe, "recommendation", width)

        # 4. The mirror view and the theme page's mirror section.
        page.goto(base + "/mirror/")
        expect(page.get_by_role("link", name="Women's rights", exact=True)).to_be_visible()
        check_page(page, axe, "mirror", width)
        page.goto(base + scene["women"].get_absolute_url())
        expect(page.locator("#mirror-heading")).to_contain_text("(1)")
        check_page(page, axe, "theme", width)

        # 3. Compare places: one place asks for more, two show side by side.
        page.goto(base + "/jurisdictions/toledo/")
        page.get_by_role("link", name="Compare with other places").click()
        expect(page.get_by_role("alert")).to_contain_text("you gave 1")
        page.get_by_label("Place 2").fill("San Francisco")
        page.get_by_role("button", name="Compare").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "Compare Toledo, OH and San Francisco, CA"
        )
        expect(page.locator("#only-heading ~ h3").first).to_contain_text("Toledo, OH: 0 of")
        check_page(page, axe, "compare", width)
        page.goto(base + "/compare/?j=toledo&j=atlantis")
        expect(page.get_by_role("alert")).to_contain_text("No jurisdiction is called “atlantis”")

        # 2. Start from a model: a Pittsburgh editor adopts San Francisco's ordinance.
        sign_in(page, base, "editor@pittsburgh.example", PASSWORD)
        page.goto(base + scene["model"].get_absolute_url())
        page.get_by_role("link", name="Adopt a similar commitment").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text(
            "modelled on San Francisco, CA's “Local CEDAW ordinance”"
        )
        check_page(page, axe, "adopt", width)
        page.get_by_role("textbox", name="Title", exact=True).fill(
            f"Pittsburgh gender equity ordinance ({width})"
        )
        page.get_by_role("button", name="Save draft").click()
        expect(page.locator("main")).to_contain_text("Saved as a draft modelled on")
        expect(page.locator("main")).to_contain_text("A/HRC/46/15, para. 26.47")
