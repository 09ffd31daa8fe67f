"""The Word and PDF files: real Word numbering, every citation, the published commitments
and nothing unpublished, and the word count the builder showed."""

import io
import re

import docx
import pytest
from docx.oxml.ns import qn
from docx.text.run import Run
from pypdf import PdfReader

pytestmark = pytest.mark.django_db

CITATIONS = ["A/HRC/46/15, para. 26.181", "A/HRC/46/15, para. 26.230", "A/HRC/46/15, para. 26.300"]


def words(text: str) -> int:
    return sum(1 for token in text.split() if re.search(r"[^\W_]", token))


def docx_word_count(document) -> int:
    """Body text as the builder counts it: not the table captions, endnote markers or the
    endnotes themselves (tables are not in .paragraphs)."""
    total = 0
    for paragraph in document.paragraphs:
        if paragraph.style.name.startswith("Heading") and paragraph.text == "Endnotes":
            break
        if paragraph.style.name == "Caption":
            continue
        for item in paragraph.iter_inner_content():
            if isinstance(item, Run) and item.font.superscript:
                continue
            total += words(item.text)
    return total


def shown_count(html: str) -> int:
    return int(re.search(r"data-wordcount>(\d+)<", html).group(1))


def numbering_format(document, paragraph) -> str:
    num_pr = paragraph._p.pPr.numPr
    num_id = num_pr.numId.val
    numbering = document.part.numbering_part.element
    num = next(n for n in numbering.findall(qn("w:num")) if n.get(qn("w:numId")) == str(num_id))
    abstract_id = num.find(qn("w:abstractNumId")).get(qn("w:val"))
    abstract = next(
        a
        for a in numbering.findall(qn("w:abstractNum"))
        if a.get(qn("w:abstractNumId")) == abstract_id
    )
    return abstract.find(qn("w:lvl")).find(qn("w:numFmt")).get(qn("w:val"))


def builder_post(report_data, **texts):
    ids = [report_data.shelter.pk, report_data.water_rec.pk, report_data.quiet.pk]
    return {"kind": "submission", "limit": "individual", "ids": ids, **texts}


def test_the_word_file_numbers_paragraphs_with_word_numbering_and_cites_every_choice(
    client, report_data
):
    texts = {
        "title": "Housing and water in the United States",
        "organisations": "Coalition for Shelter, Water Justice Network",
        "introduction": "We track local action.\n\nThis submission covers three points.",
        f"assessment-{report_data.shelter.pk}": "Boston shows the guarantee works at scale.",
    }
    page = client.post("/reports/new/", {**builder_post(report_data, **texts), "action": "preview"})
    assert page.status_code == 200
    shown = shown_count(page.content.decode())

    response = client.post(
        "/reports/new/", {**builder_post(report_data, **texts), "action": "docx"}
    )
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    document = docx.Document(io.BytesIO(response.content))
    paragraphs = document.paragraphs
    text = "\n".join(p.text for p in paragraphs)

    numbered = [p for p in paragraphs if p._p.pPr is not None and p._p.pPr.numPr is not None]
    assert numbered, "no paragraph carries Word numbering"
    assert {numbering_format(document, p) for p in numbered} == {"decimal"}
    assert not any(re.match(r"^\d+\.\s", p.text) for p in numbered), "numbers typed in text"
    # Introduction (2), per recommendation: its text and each commitment (the remark "none
    # yet" takes no number), then the assessment (1): 2 + (1 + 2 + 1) + 1 + 1 = 8.
    assert len(numbered) == 8
    assert numbered[0].text == "We track local action."

    headings = [p.text for p in paragraphs if p.style.name == "Heading 2"]
    assert headings == CITATIONS
    assert "Family shelter guarantee" in text and "(Chapter 450)" in text
    assert "Homeless bill of rights" in text and "target date 1 January 2027" in text
    assert "Outreach teams now visit every encampment weekly." in text
    assert "Unpublished" not in text and "secret-draft" not in text
    assert "https://example.org/shelter-law" in text  # the endnotes
    assert [p.style.name for p in paragraphs[:2]] == ["Title", "Subtitle"]

    assert docx_word_count(document) == shown
    assert shown > 100


def test_citations_link_to_the_official_document(client, report_data):
    response = client.get(f"/reports/submission.docx?ids={report_data.shelter.pk}")
    document = docx.Document(io.BytesIO(response.content))
    targets = {rel.target_ref for rel in document.part.rels.values() if rel.is_external}
    assert "https://docs.un.org/en/A/HRC/46/15" in targets


def test_the_pdf_holds_the_same_citations_and_commitments(client, report_data):
    response = client.get("/reports/submission.pdf?cycle=3")
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    for citation in CITATIONS:
        assert citation in text
    assert "Family shelter guarantee" in text
    assert "Unpublished" not in text


def test_a_local_report_shows_only_that_jurisdictions_commitments(client, report_data):
    response = client.get("/reports/local.docx?jurisdiction=providence")
    document = docx.Document(io.BytesIO(response.content))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Providence" in document.paragraphs[0].text
    assert "Homeless bill of rights" in text
    assert "Family shelter guarantee" not in text
    assert [p.text for p in document.paragraphs if p.style.name == "Heading 2"] == [CITATIONS[0]]
    pdf = client.get("/reports/local.pdf?jurisdiction=providence")
    reader = PdfReader(io.BytesIO(pdf.content))
    assert CITATIONS[0] in " ".join(reader.pages[0].extract_text().split())


def test_a_briefing_from_a_theme_has_no_limit(client, report_data):
    page = client.get("/reports/new/?kind=briefing&theme=upr-info-right-to-water")
    html = page.content.decode()
    assert "Briefing" in html and "<span data-limit-line hidden>" in html
    response = client.get("/reports/briefing.docx?theme=upr-info-right-to-water")
    document = docx.Document(io.BytesIO(response.content))
    assert [p.text for p in document.paragraphs if p.style.name == "Heading 2"] == [CITATIONS[1]]


def test_typed_text_is_escaped_in_html_and_pdf_and_stored_plain(
    client, report_data, django_user_model
):
    hostile = '<script>alert("x")</script> & <b>bold</b>'
    post = builder_post(report_data, title=hostile, introduction=hostile)
    page = client.post("/reports/new/", {**post, "action": "preview"}).content.decode()
    assert "<script>alert" not in page and "&lt;script&gt;" in page
    printed = client.post("/reports/new/", {**post, "action": "print"}).content.decode()
    assert "<script>alert" not in printed and "&lt;b&gt;bold&lt;/b&gt;" in printed
    pdf = client.post("/reports/new/", {**post, "action": "pdf"})
    text = " ".join(PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text().split())
    assert '<script>alert("x")</script> & <b>bold</b>' in text


def test_going_over_the_limit_is_allowed_with_a_warning(client, report_data):
    long_text = "word " * 3000
    post = builder_post(report_data, introduction=long_text)
    html = client.post("/reports/new/", {**post, "action": "preview"}).content.decode()
    assert re.search(r"<strong class=\"over\" data-over>Over the limit by <span", html)
    assert client.post("/reports/new/", {**post, "action": "docx"}).status_code == 200
    quiet = client.post("/reports/new/", {**builder_post(report_data), "action": "preview"})
    assert "data-over hidden" in quiet.content.decode()


def test_the_builder_costs_the_same_queries_for_three_or_thirty(
    client, report_data, django_assert_max_num_queries
):
    from tests import factories

    with django_assert_max_num_queries(12):
        client.get("/reports/new/?cycle=3")
    for n in range(27):
        rec = factories.recommendation(review=report_data.review, paragraph=f"26.{400 + n}")
        factories.link(factories.commitment(), rec)
    with django_assert_max_num_queries(12):
        page = client.get("/reports/new/?cycle=3")
    assert page.content.decode().count("<h3>") == 30


def test_a_recommendation_answered_by_many_places_lists_ten_and_links_the_rest(client, report_data):
    from jurisdictions.reports.document import MAX_LINKS
    from tests import factories

    many = MAX_LINKS + 3 - 2  # the shelter recommendation has two already
    for n in range(many):
        place = factories.jurisdiction(name=f"Town {n:02d}", slug=f"town-{n:02d}")
        factories.link(
            factories.commitment(jurisdiction=place, title=f"Plan {n:02d}"), report_data.shelter
        )
    response = client.get(f"/reports/submission.docx?ids={report_data.shelter.pk}")
    document = docx.Document(io.BytesIO(response.content))
    text = "\n".join(p.text for p in document.paragraphs)
    listed = ["Boston", "Providence"] + [f"Plan {n:02d}" for n in range(many)]
    shown = [name for name in listed if name in text]
    assert len(shown) == MAX_LINKS
    assert "3 more published commitments answer it: see A/HRC/46/15, para. 26.181." in text
    targets = {rel.target_ref for rel in document.part.rels.values() if rel.is_external}
    assert any(t.endswith(report_data.shelter.get_absolute_url()) for t in targets)
