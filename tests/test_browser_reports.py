"""Reports in Chromium, on one live server and one page for the module (issue 19, points 1
to 8): the advocate's journey (filter, build, write, download), the builder on a phone,
typed text surviving every change, one state under review, the basket buttons, each kind's
files as the builder downloads them (A4, plain, every link answering on this server),
citations of public facts only, and a local report counting its own jurisdiction's action."""

import io
import re
import urllib.request
from urllib.parse import urlsplit

import docx
import pytest
from pypdf import PdfReader

from tests import factories
from tests.browser import check_facet, chromium_page, serious_axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}
PASSWORD = "a-long-test-password"


@pytest.fixture(scope="module")
def page():
    with chromium_page(accept_downloads=True) as shared:
        yield shared


@pytest.fixture
def fresh(page):
    """The shared page with no cookies (an empty basket) at desktop width."""
    page.context.clear_cookies()
    page.set_viewport_size(DESKTOP)
    return page


def test_an_advocate_filters_builds_writes_and_downloads(live_server, report_data, fresh, tmp_path):
    page = fresh
    introduction = "Shelter is a right. Boston shows it can be kept."
    page.goto(live_server.url + "/recommendations/")
    check_facet(page, "response", "Supported")
    assert page.get_by_role("heading", name="1 recommendation").is_visible()

    page.get_by_role("link", name="Build a report").click()
    page.wait_for_url(re.compile(r"/reports/new/\?.*response=supported"))
    assert page.get_by_role("heading", name="A/HRC/46/15, para. 26.181").is_visible()
    count = page.locator("[data-wordcount]")
    before = int(count.inner_text())

    # The introduction's heading prints once there is an introduction: 10 + 1 words.
    page.get_by_label("Introduction").fill(introduction)
    assert int(count.inner_text()) == before + 11
    assert page.locator("[data-over]").is_hidden()
    shown = int(count.inner_text())

    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download Word (.docx)").click()
    target = tmp_path / "report.docx"
    download_info.value.save_as(target)

    # Without a reload the count came from the script; the server agrees.
    page.get_by_role("button", name="Update preview").click()
    page.wait_for_load_state()
    assert int(page.locator("[data-wordcount]").inner_text()) == shown

    document = docx.Document(target)
    paragraphs = document.paragraphs
    texts = [p.text for p in paragraphs]
    assert introduction in texts
    intro = paragraphs[texts.index(introduction)]
    assert intro._p.pPr.numPr is not None
    assert [p.text for p in paragraphs if p.style.name == "Heading 2"] == [
        "A/HRC/46/15, para. 26.181"
    ]
    body = "\n".join(texts)
    assert "Family shelter guarantee" in body and "Homeless bill of rights" in body


# Point 3: the builder on a phone


def sticky_height(page) -> float:
    """How much of the screen stays covered while one scrolls: every sticky or fixed
    element's visible part."""
    return page.evaluate(
        """() => {
          let covered = 0;
          for (const el of document.querySelectorAll("body *")) {
            const position = getComputedStyle(el).position;
            if (position !== "sticky" && position !== "fixed") continue;
            const box = el.getBoundingClientRect();
            covered += Math.max(0, Math.min(box.bottom, innerHeight) - Math.max(box.top, 0));
          }
          return covered;
        }"""
    )


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_builder_leaves_two_thirds_of_the_screen_for_the_document(
    live_server, report_data, fresh, viewport
):
    page = fresh
    page.set_viewport_size(viewport)
    page.goto(live_server.url + "/reports/new/?cycle=3")
    field = page.get_by_label(re.compile("^Assessment of A/HRC/46/15, para. 26.300"))
    field.scroll_into_view_if_needed()
    field.fill("Typed while scrolling.")
    covered = sticky_height(page)
    assert 0 < covered <= viewport["height"] / 3, covered
    # The count and the downloads stay in reach; the field is not under the bar.
    assert page.locator("[data-wordcount]").is_visible()
    assert page.get_by_role("button", name="Download Word (.docx)").is_visible()
    page.screenshot(path=f"/tmp/builder-{viewport['width']}.png")
    assert serious_axe_violations(page) == []


# Point 5: typed text survives every change of kind, limit or filter


def test_typed_text_survives_every_change_and_the_limit_updates_at_once(
    live_server, report_data, fresh
):
    page = fresh
    page.goto(live_server.url + "/reports/new/?cycle=3")
    intro = "Our coalition has followed these points since 2020."
    page.get_by_label("Introduction").fill(intro)
    page.get_by_label("Submitting organisations").fill("Shelter Watch")
    limit_text = page.locator("[data-limit-text]")
    assert limit_text.inner_text() == "2815"

    url = page.url
    page.get_by_label("Word limit").select_option("joint")
    assert limit_text.inner_text() == "5630" and page.url == url
    page.get_by_label("Word limit").select_option("none")
    assert page.locator("[data-limit-line]").is_hidden()

    # A local report needs its jurisdiction: the builder asks, by the name it shows.
    with page.expect_navigation():
        page.get_by_label("Kind").select_option("local")
    assert page.get_by_label("Introduction").input_value() == intro
    assert page.get_by_label("Submitting organisations").input_value() == "Shelter Watch"
    assert page.get_by_text("choose it under “Jurisdiction”").is_visible()
    assert "Acted on by" not in page.content()
    with page.expect_navigation():
        page.get_by_label("Jurisdiction", exact=True).select_option("providence")
    assert (
        page.get_by_label("Title").input_value().startswith("Providence, RI: local implementation")
    )
    assert page.get_by_label("Introduction").input_value() == intro

    # The title left as the builder filled it follows the kind.
    with page.expect_navigation():
        page.get_by_label("Kind").select_option("briefing")
    assert page.get_by_label("Title").input_value().startswith("Briefing:")
    assert page.get_by_label("Introduction").input_value() == intro

    # Removing a filter keeps the text too.
    with page.expect_navigation():
        page.get_by_role("button", name=re.compile(r"^Remove Review cycle: Cycle 3")).click()
    assert page.get_by_label("Introduction").input_value() == intro
    assert page.get_by_label("Submitting organisations").input_value() == "Shelter Watch"


# Point 4: one state under review, which the builder names and lets one change


def test_the_builder_names_its_state_under_review_and_offers_the_others(
    live_server, report_data, cuban, fresh
):
    page = fresh
    page.goto(live_server.url + "/reports/new/?under_review=all")
    assert page.get_by_text("leaves out Cuba (1)").is_visible()
    assert (
        page.get_by_label("Title")
        .input_value()
        .startswith("Stakeholder submission on the United States")
    )
    page.get_by_label("Introduction").fill("About Cuba.")
    with page.expect_navigation():
        page.get_by_label("State under review").select_option("CUB")
    assert page.get_by_label("Title").input_value() == (
        "Stakeholder submission on Cuba: implementation of UPR recommendations"
    )
    assert page.get_by_role("heading", name="A/HRC/39/16, para. 24.1").is_visible()
    assert page.get_by_label("Introduction").input_value() == "About Cuba."
    assert "US response" not in page.locator("article.report-document").inner_text()


def test_a_basket_of_two_states_says_so_and_the_builder_asks_which(
    live_server, report_data, cuban, fresh
):
    page = fresh
    page.goto(live_server.url + "/recommendations/?under_review=all&cycle=3")
    for rec in (report_data.shelter, cuban):
        item = page.locator(f"#rec-{rec.pk}")
        item.get_by_role("button", name=re.compile("^Add to report")).click()
        item.get_by_role("button", name=re.compile(r"^In basket")).wait_for()
    assert "made to 2 states under review" in (page.locator("[data-basket-status]").text_content())
    page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Report basket (2)"
    ).click()
    page.wait_for_url(live_server.url + "/reports/basket/")
    assert page.get_by_text("were made to 2 states under review").is_visible()
    page.get_by_role("button", name="Build a report").click()
    page.wait_for_url(re.compile(r"/reports/new/\?.*basket=1"))
    assert page.get_by_text("leaves out Cuba (1)").is_visible()
    assert page.get_by_role("heading", name="A/HRC/46/15, para. 26.181").is_visible()
    assert page.get_by_role("heading", name="A/HRC/39/16, para. 24.1").count() == 0
    with page.expect_navigation():
        page.get_by_label("State under review").select_option("CUB")
    assert page.get_by_role("heading", name="A/HRC/39/16, para. 24.1").is_visible()
    assert page.get_by_role("heading", name="A/HRC/46/15, para. 26.181").count() == 0


# Point 7: the basket


def test_add_to_report_stays_in_place_says_in_basket_and_counts_in_the_nav(
    live_server, report_data, fresh
):
    page = fresh
    page.set_viewport_size({"width": 375, "height": 420})
    page.goto(live_server.url + "/recommendations/?cycle=3")
    nav = page.get_by_role("navigation", name="Main")
    assert nav.get_by_role("link", name="Report basket", exact=True).is_visible()
    last = page.locator("li.result").last
    last.scroll_into_view_if_needed()
    before = page.evaluate("scrollY")
    assert before > 0
    button = last.get_by_role("button", name=re.compile("^Add to report"))
    button.click()
    in_basket = last.get_by_role("button", name=re.compile(r"^In basket \(remove\)"))
    in_basket.wait_for()
    assert page.evaluate("scrollY") == before
    assert nav.get_by_role("link", name="Report basket (1)").is_visible()
    assert page.locator("[data-basket-status]").text_content().startswith("Added 1 recommendation")

    page.reload()
    last = page.locator("li.result").last
    assert last.get_by_role("button", name=re.compile(r"^In basket")).is_visible()
    assert nav.get_by_role("link", name="Report basket (1)").is_visible()
    assert serious_axe_violations(page) == []
    last.get_by_role("button", name=re.compile(r"^In basket")).click()
    last.get_by_role("button", name=re.compile("^Add to report")).wait_for()
    assert nav.get_by_role("link", name="Report basket", exact=True).is_visible()


def test_someone_signed_in_finds_their_saved_reports_in_the_menu(live_server, report_data, fresh):
    from tests.browser import sign_in

    page = fresh
    factories.user(email="advocate@example.org", password=PASSWORD)
    sign_in(page, live_server.url, "advocate@example.org", PASSWORD)
    page.goto(live_server.url + "/recommendations/")
    nav = page.get_by_role("navigation", name="Main")
    nav.get_by_role("link", name="Saved reports").click()
    page.wait_for_url(live_server.url + "/reports/")
    assert page.get_by_role("heading", name="Saved reports", level=1).is_visible()


# Point 1 and the done-when: every link in every file answers on this server


def links_in(body: bytes, fmt: str) -> set[str]:
    if fmt == "docx":
        document = docx.Document(io.BytesIO(body))
        return {r.target_ref for r in document.part.rels.values() if r.is_external}
    links = set()
    for pdf_page in PdfReader(io.BytesIO(body)).pages:
        for annotation in pdf_page.get("/Annots") or []:
            action = annotation.get_object().get("/A")
            if action and "/URI" in action:
                links.add(str(action["/URI"]))
    return links


def fetch(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 - the live server
        return response.status, response.read()


def test_every_link_in_every_report_file_answers_on_the_server_that_built_it(
    live_server, report_data, monkeypatch, settings, tmp_path
):
    from jurisdictions.reports import builder

    settings.MEDIA_ROOT = tmp_path
    base = live_server.url
    assert urlsplit(base).port != 8000
    external = {
        "https://docs.un.org/en/A/HRC/46/15",
        "https://example.org/shelter-law",
        "https://example.org/outreach-2024",
    }
    paths = {
        "submission": "/reports/submission.{fmt}?cycle=3",
        "local": "/reports/local.{fmt}?jurisdiction=providence",
        "briefing": "/reports/briefing.{fmt}?cycle=3",
    }
    for kind, path in paths.items():
        for fmt in ("docx", "pdf"):
            status, body = fetch(base + path.format(fmt=fmt))
            assert status == 200, (kind, fmt)
            links = links_in(body, fmt)
            own = {link for link in links if link.startswith(base + "/")}
            assert own, (kind, fmt, links)
            assert links - own <= external, (kind, fmt, links - own - external)
            for link in own:
                assert fetch(link)[0] == 200, link

    # A background build keeps the host it was asked on.
    monkeypatch.setattr(builder, "TASK_THRESHOLD", 0)
    for fmt in ("docx", "pdf"):
        with urllib.request.urlopen(base + paths["submission"].format(fmt=fmt)) as response:
            assert "/reports/builds/" in response.url
        token = response.url.rstrip("/").rsplit("/", 1)[-1]
        status, body = fetch(f"{base}/reports/builds/{token}/file")
        own = {link for link in links_in(body, fmt) if link.startswith(base + "/")}
        assert own and all(fetch(link)[0] == 200 for link in own)
        assert not any("127.0.0.1:8000" in link for link in links_in(body, fmt))


# Points 1 and 6: each kind, downloaded from the builder, is fit to send as it comes


def download(page, button: str, target):
    with page.expect_download() as download_info:
        page.get_by_role("button", name=button).click()
    download_info.value.save_as(target)
    return target.read_bytes()


@pytest.mark.parametrize(
    "query",
    ["cycle=3", "cycle=3&kind=local&jurisdiction=providence", "cycle=3&kind=briefing"],
    ids=["submission", "local", "briefing"],
)
def test_a_file_downloaded_from_the_builder_is_a4_plain_and_its_links_answer_here(
    live_server, report_data, fresh, tmp_path, query
):
    page = fresh
    base = live_server.url
    assert urlsplit(base).port != 8000
    page.goto(base + "/reports/new/?" + query)
    word = download(page, "Download Word (.docx)", tmp_path / "report.docx")
    pdf = download(page, "Download PDF", tmp_path / "report.pdf")

    # Point 1: every link to this site points at the server the report was built on.
    for fmt, body in (("docx", word), ("pdf", pdf)):
        links = links_in(body, fmt)
        own = {link for link in links if link.startswith(base + "/")}
        assert own and not any("127.0.0.1:8000" in link for link in links), links
        page_of = {link: page.request.get(link).status for link in own}
        assert set(page_of.values()) == {200}, page_of

    # Point 6: A4, each caption once, a footer with the page number only, no empty
    # "Introduction" heading, and a PDF that ends with the report, not a word count.
    document = docx.Document(io.BytesIO(word))
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    captions = [p.text for p in document.paragraphs if p.style.name == "Caption"]
    assert captions and len(captions) == len(set(captions)), captions
    assert section.footer.paragraphs[0].text.strip() in ("", "1")
    assert "Introduction" not in [
        p.text for p in document.paragraphs if p.style.name == "Heading 1"
    ]
    # "No published ... answers it yet" is a note, not a numbered paragraph.
    notes = [p for p in document.paragraphs if p.text.startswith("No published")]
    assert all(p._p.pPr is None or p._p.pPr.numPr is None for p in notes)
    reader = PdfReader(io.BytesIO(pdf))
    box = reader.pages[0].mediabox
    assert (round(float(box.width) / 72 * 25.4), round(float(box.height) / 72 * 25.4)) == (210, 297)
    last = " ".join(reader.pages[-1].extract_text().split())
    assert "-word limit" not in last and " words" not in last[-60:]


# Point 2: a citation names public facts only


def test_a_recommendation_without_a_paragraph_is_cited_by_its_review_not_a_row_id(
    live_server, without_paragraph, fresh, tmp_path
):
    page = fresh
    rec = without_paragraph
    citation = (
        "A/HRC/16/11 (United States, cycle 1, session 9, 2010), recommended by Cuba and France"
        f"; UPR Tracker {rec.public_id}"
    )
    page.goto(live_server.url + "/recommendations/?cycle=1")
    page.get_by_role("link", name="Build a report").click()
    page.wait_for_url(re.compile(r"/reports/new/\?.*cycle=1"))
    assert page.get_by_role("heading", name=citation).is_visible()
    assert f"recommendation {rec.pk}" not in page.locator("main").inner_text()
    word = docx.Document(io.BytesIO(download(page, "Download Word (.docx)", tmp_path / "r.docx")))
    texts = [p.text for p in word.paragraphs]
    assert citation in texts
    assert not any(f"recommendation {rec.pk}" in text for text in texts)


# Point 8: a local report counts its own jurisdiction's action


def test_a_local_report_counts_what_its_own_jurisdiction_did(live_server, report_data, fresh):
    page = fresh
    page.goto(live_server.url + "/reports/new/?cycle=3")
    with page.expect_navigation():
        page.get_by_label("Kind").select_option("local")
    with page.expect_navigation():
        page.get_by_label("Jurisdiction", exact=True).select_option("providence")
    # Boston implements the shelter recommendation; Providence only partly addresses it.
    table = page.locator("table.report-table", has=page.locator("caption", has_text="Providence"))
    rows = dict(
        row.split("\t") for row in table.locator("tbody tr").all_inner_texts() if "\t" in row
    )
    assert rows == {
        "No published action": "0",
        "Addressed": "1",
        "Implemented": "0",
        "Contested (contradicted or rolled back)": "0",
    }
    assert serious_axe_violations(page) == []
