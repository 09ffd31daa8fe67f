""" "Cite this" on recommendation and commitment pages: plain text, CSL-JSON, BibTeX and
RIS saying the same thing, and schema.org JSON-LD in the page."""

import json
import re

import pytest

pytestmark = pytest.mark.django_db


def json_ld(html: str) -> dict:
    found = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert found, "no JSON-LD block"
    return json.loads(found.group(1))


def test_a_recommendation_offers_four_formats_that_agree(client, cat):
    rec = cat.abolish  # A/HRC/46/15, para. 26.1, France
    page = client.get(rec.get_absolute_url())
    html = page.content.decode()
    url = f"http://testserver/r/{rec.public_id}/"
    assert "Cite this" in html
    assert (
        "UN Human Rights Council, Working Group on the Universal Periodic Review (2020). "
        "Recommendation 26.1 to United States: Abolish the death penalty in every state. "
        "Report of the Working Group on the Universal Periodic Review: United States. "
        f"A/HRC/46/15, para. 26.1. UPR Tracker, {url}."
    ) in html
    for fmt in ["txt", "json", "bib", "ris"]:
        assert f'href="/r/{rec.public_id}/cite.{fmt}"' in html

    text = client.get(f"/r/{rec.public_id}/cite.txt")
    assert text["Content-Type"].startswith("text/plain")
    assert text.content.decode() in html

    csl = client.get(f"/r/{rec.public_id}/cite.json").json()
    assert csl[0]["id"] == "USA-3-26.1"
    assert csl[0]["number"] == "A/HRC/46/15" and csl[0]["locator"] == "para. 26.1"
    assert csl[0]["URL"] == url

    bib = client.get(f"/r/{rec.public_id}/cite.bib").content.decode()
    assert bib.startswith("@misc{USA-3-26.1,\n")
    assert "  howpublished = {A/HRC/46/15, para. 26.1}" in bib
    assert f"  url = {{{url}}}" in bib
    assert bib.count("{") == bib.count("}")

    ris = client.get(f"/r/{rec.public_id}/cite.ris").content.decode()
    lines = ris.split("\r\n")
    assert lines[0] == "TY  - GOVDOC" and lines[-2] == "ER  - "
    assert f"UR  - {url}" in lines and "ID  - USA-3-26.1" in lines
    assert all(re.fullmatch(r"[A-Z][A-Z0-9]  - .*", line) for line in lines[:-1])

    ld = json_ld(html)
    assert ld["identifier"] == "USA-3-26.1" and ld["url"] == url
    assert ld["isPartOf"]["identifier"] == "A/HRC/46/15"
    assert [c["identifier"] for c in ld["contributor"]] == ["FRA"]


def test_bibtex_and_ris_survive_awkward_text(client, cat):
    rec = cat.training
    rec.text = "End {100%} of #stops & $fines_\nfor good"
    rec.save()
    bib = client.get(f"/r/{rec.public_id}/cite.bib").content.decode()
    assert r"End \{100\%\} of \#stops \& \$fines\_ for good" in bib
    ris = client.get(f"/r/{rec.public_id}/cite.ris").content.decode()
    assert "TI  - Recommendation 26.3 to United States: End {100%} of #stops" in ris
    assert len([line for line in ris.split("\r\n") if line.startswith("TI")]) == 1


def test_a_published_commitment_is_citable_and_a_draft_is_not(client, cat):
    commitment = cat.published
    commitment.instrument_ref = "Resolution 12-2020"
    commitment.save()
    html = client.get(commitment.get_absolute_url()).content.decode()
    url = f"http://testserver/commitments/{commitment.pk}/"
    assert "Cite this" in html and url in html
    csl = client.get(f"/commitments/{commitment.pk}/cite.json").json()[0]
    assert csl["type"] == "legislation"
    assert csl["author"] == [{"literal": "Pittsburgh, PA"}]
    assert csl["number"] == "Resolution 12-2020"
    assert csl["issued"] == {"date-parts": [[2020, 1, 1]]}
    ris = client.get(f"/commitments/{commitment.pk}/cite.ris").content.decode()
    assert ris.startswith("TY  - BILL\r\nAU  - Pittsburgh, PA\r\n")
    ld = json_ld(html)
    assert ld["@type"] == "Legislation"
    assert ld["legislationIdentifier"] == "Resolution 12-2020"
    assert ld["citation"] == [f"http://testserver/r/{cat.abolish.public_id}/"]

    for fmt in ["txt", "json", "bib", "ris"]:
        assert client.get(f"/commitments/{cat.draft.pk}/cite.{fmt}").status_code == 404
    assert client.get(f"/commitments/{commitment.pk}/cite.docx").status_code == 404
    assert client.get(f"/r/{cat.abolish.public_id}/cite.pdf").status_code == 404


def test_json_ld_cannot_close_its_script_element(client, cat):
    cat.abolish.text = "</script><script>alert(1)</script>"
    cat.abolish.save()
    html = client.get(cat.abolish.get_absolute_url()).content.decode()
    assert "<script>alert(1)" not in html
    assert json_ld(html)["text"] == "</script><script>alert(1)</script>"
