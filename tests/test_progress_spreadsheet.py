"""The managers' spreadsheet round trip: download, edit as a person would, upload, read
the dry run, apply in one transaction; conflicts are shown, never overwritten."""

import io
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from jurisdictions.models import Commitment
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene(pittsburgh, manager):
    place = pittsburgh
    housing = f.theme(name="Housing")
    shelter = f.commitment(
        jurisdiction=place, title="Shelter guarantee", summary="Beds for every family."
    )
    shelter.themes.add(housing)
    water = f.commitment(jurisdiction=place, title="Water affordability", status="in_progress")
    calm = f.commitment(jurisdiction=place, title="Police review board")
    other = f.commitment(jurisdiction=f.jurisdiction(), title="Not Pittsburgh's")
    return {
        "place": place,
        "shelter": shelter,
        "water": water,
        "calm": calm,
        "other": other,
        "housing": housing,
    }


def _download(client, fmt="xlsx"):
    response = client.get(reverse("staff:spreadsheet-download", args=["pittsburgh", fmt]))
    assert response.status_code == 200
    return response.content


def _upload(client, content, name="pittsburgh-commitments.xlsx"):
    upload = SimpleUploadedFile(name, content)
    return client.post(reverse("staff:spreadsheet", args=["pittsburgh"]), {"file": upload})


def _as_a_person_edits_it(content, scene):
    """Moves the title column to the end, changes a summary and a date (typed the US way
    into a text cell), leaves a blank row, adds a commitment and edits the water row."""
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    header = rows[0]
    title = header.index("title")
    rows = [[*row[:title], *row[title + 1 :], row[title]] for row in rows]
    header = rows[0]
    by_id = {row[0]: row for row in rows[1:]}
    shelter = by_id[scene["shelter"].pk]
    shelter[header.index("summary")] = "Beds and a caseworker for every family."
    shelter[header.index("adopted_on")] = "03/15/2019"
    water = by_id[scene["water"].pk]
    water[header.index("title")] = "Water bills capped by income"
    new = [""] * len(header)
    new[header.index("title")] = "Eviction defence fund"
    new[header.index("kind")] = "budget"
    new[header.index("adopted_on")] = date(2024, 2, 1)
    book = Workbook()
    out_sheet = book.active
    out_sheet.title = "Commitments"
    out_sheet.append(header)
    for row in rows[1:]:
        out_sheet.append(row)
    out_sheet.append([None] * len(header))  # a blank row
    out_sheet.append(new)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_an_edited_workbook_is_checked_then_applied_and_a_newer_edit_is_kept(client, scene):
    edited = _as_a_person_edits_it(_download(client), scene)
    # Meanwhile a colleague saves the water commitment.
    water = Commitment.objects.get(pk=scene["water"].pk)
    water.title, water.version = "Water shutoff moratorium", water.version + 1
    water.save()
    before = sorted(Commitment.objects.values_list("pk", "title", "summary", "version"))

    response = _upload(client, edited)

    page = response.content.decode()
    assert response.status_code == 200
    assert "1 to create · 1 to change · 1 unchanged · 1 in conflict" in page
    assert "<code>summary</code>: “Beds for every family.” → “Beds and a caseworker" in page
    assert "<code>adopted_on</code>: “2020-01-01” → “2019-03-15”" in page
    assert "saved by someone else since you downloaded it" in page
    assert "now “Water shutoff moratorium”, your file “Water bills capped by income”" in page
    assert sorted(Commitment.objects.values_list("pk", "title", "summary", "version")) == before

    token = response.context["token"]
    applied = client.post(reverse("staff:spreadsheet", args=["pittsburgh"]), {"token": token})

    assert applied.status_code == 302
    shelter = Commitment.objects.get(pk=scene["shelter"].pk)
    assert shelter.summary == "Beds and a caseworker for every family."
    assert shelter.adopted_on == date(2019, 3, 15)
    assert list(shelter.themes.all()) == [scene["housing"]]
    assert shelter.publication == "draft"  # a manager's change goes back to review
    assert shelter.history.first().history_change_reason == (
        "Spreadsheet upload: pittsburgh-commitments.xlsx"
    )
    assert Commitment.objects.get(pk=scene["water"].pk).title == "Water shutoff moratorium"
    created = Commitment.objects.get(title="Eviction defence fund")
    assert (created.jurisdiction, created.publication) == (scene["place"], "draft")
    assert Commitment.objects.get(pk=scene["calm"].pk).version == scene["calm"].version
    # The same token applies once.
    again = client.post(reverse("staff:spreadsheet", args=["pittsburgh"]), {"token": token})
    assert again.status_code == 302
    assert Commitment.objects.filter(title="Eviction defence fund").count() == 1


def test_errors_are_reported_by_row_and_column_and_nothing_is_kept(client, scene):
    content = _download(client, "csv").decode()
    lines = content.splitlines()
    lines.append(f"{scene['other'].pk},1,Someone else's,ordinance,adopted,,,,,,,")
    lines.append(",,Bad dates,ordinance,adopted,,,2021-13-45,,,,")
    response = _upload(client, "\n".join(lines).encode(), name="edited.csv")

    assert response.status_code == 400
    rows = [(r, c) for _sheet, r, c, _ in response.context["plan"].errors]
    assert rows == [(len(lines) - 1, "id"), (len(lines), "adopted_on")]
    assert "No commitment number" in response.content.decode()
    assert "token" not in response.context


def test_the_csv_round_trip_changes_one_cell(client, scene):
    content = _download(client, "csv").decode()
    assert content.splitlines()[0].startswith("id,version,title,kind,status")
    edited = content.replace("Police review board", "Civilian police review board")

    response = _upload(client, edited.encode(), name="pittsburgh.csv")

    assert response.context["plan"].counts == {
        "create": 0,
        "change": 1,
        "unchanged": 2,
        "conflict": 0,
    }


def test_only_the_jurisdictions_managers_use_the_spreadsheet(client, scene):
    url = reverse("staff:spreadsheet", args=["pittsburgh"])
    download = reverse("staff:spreadsheet-download", args=["pittsburgh", "xlsx"])
    client.logout()
    assert client.get(url).status_code == 302
    editor = f.user()
    f.membership(editor, scene["place"])
    client.force_login(editor)
    assert client.get(url).status_code == 403
    assert client.get(download).status_code == 403
    stranger = f.user()
    f.membership(stranger, f.jurisdiction(), role="manager")
    client.force_login(stranger)
    assert client.get(url).status_code == 404
    assert client.post(url, {"token": "x"}).status_code == 404
    client.force_login(f.curator())
    assert client.get(download).status_code == 200
