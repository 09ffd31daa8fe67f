"""The issue's browser journey: filter the list, "Build a report", write the
introduction (the word count follows as you type), download the Word file."""

import re

import docx
import pytest

from tests.browser import check_facet, chromium_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_advocate_filters_builds_writes_and_downloads(live_server, report_data, tmp_path):
    introduction = "Shelter is a right. Boston shows it can be kept."
    with chromium_page(accept_downloads=True) as page:
        page.goto(live_server.url + "/recommendations/")
        check_facet(page, "response", "Supported")
        assert page.get_by_role("heading", name="1 recommendation").is_visible()

        page.get_by_role("link", name="Build a report").click()
        page.wait_for_url(re.compile(r"/reports/new/\?.*response=supported"))
        assert page.get_by_role("heading", name="A/HRC/46/15, para. 26.181").is_visible()
        count = page.locator("[data-wordcount]")
        before = int(count.inner_text())

        page.get_by_label("Introduction").fill(introduction)
        assert int(count.inner_text()) == before + 10
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
