"""What a report says (issue 19): citations of public facts only, one state under review,
a local report counting its own jurisdiction's action, and Word and PDF files fit to send
to the UN as they come (A4, one caption per table, a plain footer)."""

import csv
import io

import docx
import pytest
from docx.oxml.ns import qn
from pypdf import PdfReader

from jurisdictions.reports.models import Report
from tests import factories
from tests.test_reports_documents import CITATIONS

pytestmark = pytest.mark.django_db


def docx_of(response):
    assert response.status_code == 200, response.content[:300]
    return docx.Document(io.BytesIO(response.content))


def headings(document, level=2):
    return [p.text for p in document.paragraphs if p.style.name == f"Heading {level}"]


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


# Point 2: citations


def test_a_citation_without_a_paragraph_names_the_review_and_its_recommenders(
    client, report_data, without_paragraph
):
    rec = without_paragraph
    cuba = rec.recommending_countries.get(iso3="CUB")
    expected = (
        "A/HRC/16/11 (United States, cycle 1, session 9, 2010), recommended by Cuba and France"
        f"; UPR Tracker {rec.public_id}"
    )
    assert rec.citation == expected and rec.public_id == "USA-1-n1"
    unnamed = factories.review(
        state_under_review=cuba, cycle=2, wg_session=16, report_symbol="", review_date=None
    )
    alone = factories.recommendation(review=unnamed, paragraph="")
    alone.refresh_from_db()
    assert alone.citation == (
        "Cuba, cycle 2, session 16, 2013, recommending state not recorded; UPR Tracker CUB-2-n1"
    )

    document = docx_of(client.get(f"/reports/submission.docx?ids={rec.pk}"))
    assert headings(document) == [expected]
    assert f"recommendation {rec.pk}" not in "\n".join(p.text for p in document.paragraphs)
    # The export (its fast path) writes the same citation.
    exported = client.get("/recommendations/export.csv?cycle=1")
    rows = list(csv.DictReader(io.StringIO(b"".join(exported.streaming_content).decode())))
    assert [row["citation"] for row in rows] == [expected]


# Point 4: one state under review


def test_a_report_from_every_state_is_about_one_and_says_which(client, report_data, cuban):
    response = client.get("/reports/new/?under_review=all")
    document = response.context["document"]
    assert document.state.iso3 == "USA"
    assert document.citations == CITATIONS
    assert document.title.startswith("Stakeholder submission on the United States")
    assert [s.iso3 for s in document.state_options] == ["USA", "CUB"]
    notes = " ".join(messages_of(response))
    assert "made to 2 states under review" in notes and "leaves out Cuba (1)" in notes
    html = response.content.decode()
    assert '<option value="CUB">Cuba (1)</option>' in html

    cuba = client.get("/reports/new/?under_review=all&state=CUB").context["document"]
    assert cuba.citations == ["A/HRC/39/16, para. 24.1"]
    assert cuba.title == "Stakeholder submission on Cuba: implementation of UPR recommendations"
    text = " ".join(block.text for block in cuba.blocks)
    assert "made to Cuba" in text and "Response of Cuba: noted." in text
    assert "US response" not in text and "United States" not in text


def test_a_mixed_basket_keeps_every_state_and_asks_which_one(client, report_data, cuban):
    client.post("/reports/basket/", {"add": [report_data.shelter.pk]})
    added = client.post("/reports/basket/", {"add": [cuban.pk]}, follow=True)
    assert any("2 states under review" in note for note in messages_of(added))
    response = client.get("/reports/new/?basket=1")
    notes = " ".join(messages_of(response))
    assert "unknown" not in notes and "leaves out Cuba (1)" in notes
    assert response.context["document"].citations == [CITATIONS[0]]
    chosen = client.get("/reports/new/?basket=1&state=CUB").context["document"]
    assert chosen.citations == ["A/HRC/39/16, para. 24.1"]


# Point 6: the Word and PDF files


def test_the_word_file_is_a4_with_one_caption_per_table_and_a_plain_footer(client, report_data):
    document = docx_of(client.get("/reports/submission.docx?cycle=3"))
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    captions = [p.text for p in document.paragraphs if p.style.name == "Caption"]
    assert captions == ["Recommendations by US response", "Recommendations by local action"]
    footer = section.footer.paragraphs[0]
    assert footer.text.strip() in ("", "1")
    assert "PAGE" in "".join(t.text or "" for t in footer._p.iter(qn("w:instrText")))
    assert "Counted" not in footer.text and "words" not in footer.text
    # Nothing typed: no empty "Introduction" heading.
    assert "Introduction" not in headings(document, level=1)
    none_yet = next(p for p in document.paragraphs if p.text.startswith("No published"))
    assert none_yet._p.pPr is None or none_yet._p.pPr.numPr is None

    typed = docx_of(
        client.post(
            "/reports/new/",
            {"ids": [report_data.shelter.pk], "introduction": "Our view.", "action": "docx"},
        )
    )
    assert "Introduction" in headings(typed, level=1)


def test_the_pdf_is_a4_and_ends_with_the_report_not_a_word_count(client, report_data):
    reader = PdfReader(io.BytesIO(client.get("/reports/submission.pdf?cycle=3").content))
    box = reader.pages[0].mediabox
    assert (round(float(box.width) / 72 * 25.4), round(float(box.height) / 72 * 25.4)) == (
        210,
        297,
    )
    last = " ".join(reader.pages[-1].extract_text().split())
    assert "-word limit" not in last and " words" not in last[-60:]


def test_the_builder_says_the_files_are_a4(client, report_data):
    assert "A4" in client.get("/reports/new/?cycle=3").content.decode()


# Point 8: a local report counts its own jurisdiction's action


def test_a_local_report_counts_the_jurisdictions_own_action(client, report_data):
    # Boston implements the shelter recommendation; Providence only partly addresses it.
    assert report_data.shelter.local_status == "implemented"
    document = client.get("/reports/new/?kind=local&jurisdiction=providence").context["document"]
    table = next(b for b in document.blocks if b.kind == "table" and "Providence" in b.label)
    counts = dict(table.rows)
    assert counts == {
        "No published action": 0,
        "Addressed": 1,
        "Implemented": 0,
        "Contested (contradicted or rolled back)": 0,
    }
    boston = client.get("/reports/new/?kind=local&jurisdiction=boston").context["document"]
    table = next(b for b in boston.blocks if b.kind == "table" and "Boston" in b.label)
    assert dict(table.rows)["Implemented"] == 1


# Points 5 and 7 without JavaScript


def test_without_javascript_a_change_of_kind_keeps_the_typed_text(client, report_data):
    post = {
        "cycle": "3",
        "kind": "local",
        "limit": "none",
        "introduction": "Kept across kinds.",
        "organisations": "Shelter Watch",
        f"assessment-{report_data.quiet.pk}": "Kept although Providence does not answer it.",
        "action": "preview",
    }
    page = client.post("/reports/new/", post).content.decode()
    assert "choose it under “Jurisdiction”" in page
    assert ">Kept across kinds.</textarea>" in page and 'value="Shelter Watch"' in page
    assert '<option value="providence">Providence, RI</option>' in page
    chosen = client.post("/reports/new/", {**post, "jurisdiction": "providence"})
    html = chosen.content.decode()
    assert chosen.context["document"].citations == [CITATIONS[0]]
    # The assessment of a recommendation the selection leaves out rides along, hidden.
    assert (
        f'<input type="hidden" name="assessment-{report_data.quiet.pk}" '
        'value="Kept although Providence does not answer it.">'
    ) in html
    back = client.post(
        "/reports/new/", {**post, "kind": "submission", "limit": "individual"}
    ).context["document"]
    assessment = next(b for b in back.blocks if b.field == f"assessment-{report_data.quiet.pk}")
    assert assessment.paragraphs == ["Kept although Providence does not answer it."]


def test_without_javascript_add_to_report_comes_back_to_the_item(client, report_data):
    listing = client.get("/recommendations/?cycle=3").content.decode()
    assert f'id="rec-{report_data.shelter.pk}"' in listing
    next_field = f'name="next" value="/recommendations/?cycle=3#rec-{report_data.shelter.pk}"'
    assert next_field in listing
    back = client.post(
        "/reports/basket/",
        {
            "add": report_data.shelter.pk,
            "next": f"/recommendations/?cycle=3#rec-{report_data.shelter.pk}",
        },
    )
    assert back["Location"].endswith(f"#rec-{report_data.shelter.pk}")
    listing = client.get("/recommendations/?cycle=3").content.decode()
    assert f'name="remove" value="{report_data.shelter.pk}"' in listing
    assert (
        "In basket (remove)</button>" in listing
        and "Report basket<span data-basket-count> (1)" in listing
    )
    answer = client.post(
        "/reports/basket/", {"add": report_data.water_rec.pk}, HTTP_ACCEPT="application/json"
    ).json()
    assert answer == {"count": 2, "message": "Added 1 recommendation to the report basket."}


def test_saved_reports_are_linked_for_people_signed_in(client, report_data):
    assert 'href="/reports/"' not in client.get("/reports/basket/").content.decode()
    client.force_login(factories.user(email="someone@example.org"))
    nav = client.get("/recommendations/").content.decode()
    assert '<a href="/reports/">Saved reports</a>' in nav


def test_a_saved_report_keeps_the_state_under_review_chosen_in_the_builder(
    client, report_data, cuban
):
    person = factories.user()
    factories.membership(person, report_data.boston)
    client.force_login(person)
    client.post(
        "/reports/new/",
        {"kind": "submission", "under_review": "all", "state": "CUB", "action": "save"},
    )
    report = Report.objects.get()
    assert report.state == "CUB"
    document = client.get(f"/reports/{report.token}/").context["document"]
    assert document.state.iso3 == "CUB"
    assert document.citations == ["A/HRC/39/16, para. 24.1"]
