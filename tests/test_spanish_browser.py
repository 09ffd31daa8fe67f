"""The site under /es/ in Debian's Chromium: no English left in the interface of any public
or staff page, nothing wider than a 375 px phone, no serious or critical axe-core
violation, and a visitor's way from the home page to a place, in Spanish, on a phone and
on a desktop.

English that is data (a recommendation's UN text, a commitment's title, a place's name) is
not the interface: every text the database holds is taken out of the page before its
words are checked against common English interface words."""

import os
import re
from pathlib import Path

import pytest

from tests.browser import chromium_page, sign_in
from tests.test_accessibility import public_pages
from tests.test_staff_pages_browser import check as fits_and_passes_axe

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 740}
DESKTOP = {"width": 1280, "height": 900}
# Words an English interface is made of and Spanish never uses as words of its own
# ("local", "no" and "final" are Spanish too).
ENGLISH = set(
    """the and of with from this that these those your you its their which what when
    search filter filters next previous first last page pages download downloads
    recommendation recommendations commitment commitments jurisdiction jurisdictions
    review reviews theme themes country countries state states status kind sort apply
    clear remove show all none yet not found published adopted implemented proposed
    stalled repealed supported noted pending response responses action report
    reports basket sign email follow history changes edit save delete cancel submit
    title summary target progress update updates evidence milestone milestones
    indicator indicators draft review queue import imports manage settings add back
    home help name place places compare feed more less other others every any new
    changed since until today before after about how who whom why where""".split()
)
# Elements whose text is data, not interface: recommendation texts and search extracts,
# citations (bibliographic, in the UN document's language), code, and anything the page
# itself marks as being in another language.
DATA = ["p.text", ".rec-text", ".cite-text", "code", "pre", '[lang]:not([lang="es"]):not(html)']
VISIBLE_TEXT = """(selectors) => {
  const hidden = [...document.querySelectorAll(selectors.join(','))].map(e => e.innerText);
  const spoken = [...document.querySelectorAll('[aria-label],[title],[placeholder],[alt]')]
    .flatMap(e => ['aria-label', 'title', 'placeholder', 'alt'].map(a => e.getAttribute(a)))
    .filter(Boolean);
  return [document.title, document.body.innerText, spoken.join('\\n'), hidden];
}"""
# A word is a run of letters, accented ones included: "allí" is Spanish, not "all".
WORD = r"[^\W\d_]+"
OVERFLOW = "document.documentElement.scrollWidth - document.documentElement.clientWidth"


def data_texts() -> list[str]:
    """Every text the pages can show from the database, longest first, with the shortened
    forms the templates print (truncatewords)."""
    from jurisdictions import models as local
    from jurisdictions.progress import models as progress
    from recommendations import models as un

    texts = set()
    for model, fields in [
        (un.Recommendation, ["text", "response_note"]),
        (un.Country, ["name"]),
        (un.Theme, ["name", "description"]),
        (un.AffectedGroup, ["name"]),
        (un.SdgGoal, ["title"]),
        (un.Review, ["notes"]),
        (local.Jurisdiction, ["name"]),
        (un.CalendarEntry, ["title", "note"]),
        (un.ImportRun, ["file_name"]),
        (
            local.Commitment,
            ["title", "summary", "responsible_office", "instrument_ref", "source_url"],
        ),
        (local.CommitmentLink, ["rationale"]),
        (local.ProgressUpdate, ["summary"]),
        (local.Network, ["name"]),
        (progress.Indicator, ["name", "unit"]),
        (progress.Milestone, ["title"]),
    ]:
        for row in model.objects.values_list(*fields):
            texts.update(value for value in row if value)
    # An import's error rows: the file's own column headers and the message the run wrote.
    for report in un.ImportRun.objects.values_list("report", flat=True):
        for error in report.get("errors", []):
            texts.update(str(error[key]) for key in ("column", "message") if error.get(key))
    texts.update(str(j) for j in local.Jurisdiction.objects.all())
    for text in list(texts):
        words = text.split()
        for n in (20, 25, 30, 40):
            if len(words) > n:
                texts.add(" ".join(words[:n]))
    return sorted(texts, key=len, reverse=True)


def english_words(page, data: list[str], asked: str) -> list[str]:
    title, body, spoken, hidden = page.evaluate(VISIBLE_TEXT, DATA)
    text = "\n".join([title, body, spoken])
    for piece in sorted(hidden, key=len, reverse=True):
        text = text.replace(piece, " ")
    for piece in data:
        text = text.replace(piece, " ")
    # What the visitor typed comes back in the page (the search box, "“police” in ...").
    for word in re.findall(WORD, asked):
        text = re.sub(rf"\b{word}\b", " ", text)
    return sorted({w for w in re.findall(WORD, text) if w.lower() in ENGLISH})


def check(page, path, data, axe) -> list[str]:
    """English words, then the staff walk's checks: overflow, serious axe violations."""
    found = english_words(page, data, path.partition("?")[2])
    problems = [f"{path}: English {found}"] if found else []
    return problems + fits_and_passes_axe(page, path, axe)


@pytest.fixture
def cat(transactional_db):
    from jurisdictions.seed import seed_jurisdictions
    from tests.browse_data import build_catalogue

    seed_jurisdictions()
    return build_catalogue()


def test_public_pages_in_spanish_have_no_english_interface(live_server, cat):
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    paths = ["/es" + path for path in public_pages(cat) if not path.startswith("/api/")]
    data = data_texts()
    problems = []
    with chromium_page(viewport=PHONE, locale="es-MX") as page:
        for path in paths:
            response = page.goto(live_server.url + path)
            if response.status >= 500:
                problems.append(f"{path}: status {response.status}")
                continue
            page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
            problems += check(page, path, data, axe)
    assert problems == [], "\n".join(problems)


def test_staff_pages_in_spanish_have_no_english_interface(live_server, staff_scene):
    from axe_playwright_python.sync_playwright import Axe

    from tests.staff_pages import PASSWORD

    axe = Axe()
    data = data_texts()
    problems = []
    for email, paths in staff_scene.pages.items():
        with chromium_page(viewport=PHONE, locale="es-MX") as page:
            if email:
                sign_in(page, live_server.url + "/es", email, PASSWORD)
            for path in paths:
                spanish = path if path.startswith("/es/") else "/es" + path
                response = page.goto(live_server.url + spanish)
                if response.status != 200:
                    problems.append(f"{spanish}: status {response.status}")
                    continue
                problems += check(page, spanish, data, axe)
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["375px", "1280px"])
def test_a_spanish_reader_goes_from_the_home_page_to_a_place(live_server, cat, viewport):
    """A Spanish browser lands on /es/, searches, filters, opens a recommendation and the
    place that acted on it; the switcher takes it back to the same page in English."""
    from playwright.sync_api import expect

    shots = Path(os.environ.get("SCREENSHOT_DIR", "")) if os.environ.get("SCREENSHOT_DIR") else None
    width = f"{viewport['width']}px"

    def snap(page, name):
        if shots:
            shots.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(shots / f"es-{width}-{name}.png"), full_page=True)

    with chromium_page(viewport=viewport, locale="es-MX") as page:
        page.goto(live_server.url + "/")
        assert page.url == live_server.url + "/es/"
        expect(page.locator("html")).to_have_attribute("lang", "es")
        expect(page.locator("h1")).to_contain_text("Recomendaciones de la ONU")
        snap(page, "1-home")

        page.get_by_label("Buscar en las recomendaciones").fill("death penalty")
        with page.expect_navigation():
            page.get_by_role("button", name="Buscar", exact=True).first.click()
        assert "/es/recommendations/?q=death+penalty" in page.url
        expect(page.locator("#results-heading")).to_contain_text("recomendaci")
        snap(page, "2-search")

        # Narrowed to the recommendations the United States supported.
        page.goto(page.url + "&response=supported")
        expect(page.locator(".chips")).to_contain_text("Respuesta de EE. UU.: Apoyada")
        snap(page, "3-filtered")

        page.locator("ol.results h3 a").first.click()
        expect(page.locator("dl.facts")).to_contain_text("Respuesta de EE. UU.")
        expect(page.locator("dl.facts")).to_contain_text("Apoyada")
        assert "/es/r/" in page.url
        snap(page, "4-recommendation")

        page.locator("section[aria-labelledby=commitments-heading] li a").nth(1).click()
        page.wait_for_url(re.compile(r"/es/jurisdictions/"))
        expect(page.locator("#commitments-heading")).to_contain_text("Compromisos publicados")
        snap(page, "5-place")

        spanish_place = page.url
        page.get_by_role("link", name="English").click()
        page.wait_for_url(spanish_place.replace("/es/", "/", 1))
        expect(page.locator("html")).to_have_attribute("lang", "en")
        expect(page.locator("#commitments-heading")).to_contain_text("Published commitments")
        # English was chosen: the home page stays English for this Spanish browser.
        page.goto(live_server.url + "/")
        assert page.url == live_server.url + "/"
        assert page.evaluate(OVERFLOW) <= 1


def test_the_basket_button_changes_in_spanish(live_server, cat):
    """The script that flips "Add to report" in place takes its words from /es/jsi18n/."""
    from playwright.sync_api import expect

    with chromium_page(viewport=PHONE, locale="es-MX") as page:
        page.goto(live_server.url + "/es/recommendations/")
        first = page.locator("li.result").first
        page.evaluate("window.samePage = true")  # gone if the form posted and reloaded
        first.get_by_role("button", name=re.compile("^Agregar al informe: ")).click()
        button = first.get_by_role("button", name=re.compile(r"^En la canasta \(quitar\): "))
        expect(button).to_have_text("En la canasta (quitar)")
        button.click()
        expect(first.locator("form.add-to-report button")).to_have_text("Agregar al informe")
        assert page.evaluate("window.samePage") is True
