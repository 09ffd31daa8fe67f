"""Issue 19, point 18 in Debian's Chromium: an editor of Pittsburgh writes a right-to-counsel
eviction ordinance as a draft and reads the suggested recommendations. The homelessness
recommendation is among the first three on screen, and the list stops where relevance
drops: every suggestion shown is about housing, none about policing, the death penalty or
anything else the demo data holds. At 375 and 1280 px, axe-clean."""

import pytest
from playwright.sync_api import expect

from recommendations.models import Recommendation
from tests import factories as f
from tests.browser import chromium_page, sign_in
from tests.demo_commitments import COMMITMENTS
from tests.test_staff_pages_browser import DESKTOP, PHONE, check

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "fair-housing-in-2024!"
EDITOR = "editor@pittsburgh.example"
# Words that mark a suggestion as belonging to another commitment of the demo data.
UNRELATED = ["police", "capital punishment", "execution", "death", "women", "cedaw", "water"]


@pytest.fixture
def editor_of_demo(demo_pittsburgh):
    f.membership(f.user(email=EDITOR, password=PASSWORD), demo_pittsburgh)
    return demo_pittsburgh


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["375px", "1280px"])
def test_an_eviction_ordinance_gets_the_housing_recommendation_near_the_top_and_nothing_unrelated(
    live_server, editor_of_demo, viewport
):
    from axe_playwright_python.sync_playwright import Axe

    kind, title, summary, _ = COMMITMENTS[0]
    homelessness = Recommendation.objects.get(paragraph="26.286")
    with chromium_page(viewport=viewport) as page:
        sign_in(page, live_server.url, EDITOR, PASSWORD)
        page.goto(live_server.url + f"/manage/jurisdictions/{editor_of_demo.slug}/")
        page.get_by_role("link", name="Log a new commitment").click()
        page.fill("#id_title", title)
        page.select_option("#id_kind", kind)
        page.fill("#id_summary", summary)
        page.get_by_role("button", name="Save draft").click()
        expect(page.locator("#publication-state")).to_have_text("Draft")

        shown = page.locator("form.suggestion")
        texts = [" ".join(text.lower().split()) for text in shown.all_inner_texts()]
        # Each suggestion opens with the recommendation's citation.
        assert any(text.startswith(homelessness.citation.lower() + " ") for text in texts[:3]), (
            texts
        )
        # Cut where relevance drops: three suggestions, each about housing.
        assert len(texts) == 3, texts
        assert all("housing" in text or "homeless" in text for text in texts), texts
        assert [w for w in UNRELATED if any(w in text for text in texts)] == [], texts
        assert check(page, page.url, Axe()) == []
