"""The spreadsheet round trip's further sheets: indicators, measurements and links are
uploaded from the same workbook the manager downloaded, checked row by row, applied in one
transaction, and a record someone else saved since the download is never overwritten."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from jurisdictions.models import Commitment, CommitmentLink, Indicator, Measurement
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene(pittsburgh, manager):
    place = pittsburgh
    shelter = f.commitment(jurisdiction=place, title="Shelter guarantee", publication="published")
    beds = f.indicator(shelter, name="Families in shelter beds", baseline_value=100)
    first = f.measurement(beds, measured_on=date(2022, 1, 1), value=150)
    rec = f.recommendation(paragraph="26.230")
    other_rec = f.recommendation(paragraph="26.231")
    link = f.link(shelter, rec, relation="partial", rationale="Housing first.")
    elsewhere = f.commitment(jurisdiction=f.jurisdiction(), title="Not Pittsburgh's")
    foreign = f.indicator(elsewhere, name="Someone else's indicator")
    return {
        "place": place,
        "manager": manager,
        "shelter": shelter,
        "beds": beds,
        "first": first,
        "rec": rec,
        "other_rec": other_rec,
        "link": link,
        "foreign": foreign,
    }


def _download(client):
    response = client.get(reverse("staff:spreadsheet-download", args=["pittsburgh", "xlsx"]))
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.content))


def _save(book) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _upload(client, content, name="pittsburgh-commitments.xlsx"):
    upload = SimpleUploadedFile(name, content)
    return client.post(reverse("staff:spreadsheet", args=["pittsburgh"]), {"file": upload})


def _apply(client, response):
    url = reverse("staff:spreadsheet", args=["pittsburgh"])
    return client.post(url, {"token": response.context["token"]})


def _rows(sheet):
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    return rows[0], rows[1:]


def _append(sheet, **values):
    """Adds a row as a person types one: each value under its column, the rest empty."""
    header, _ = _rows(sheet)
    row = [None] * len(header)
    for name, value in values.items():
        row[header.index(name)] = value
    sheet.append(row)
    return row


def _edit_as_a_person(book, scene):
    """Raises the indicator's target, records a new measurement typed the US way, rewrites
    the link's rationale, links a second recommendation and adds an indicator; moves a
    column and leaves a blank row on the way."""
    indicators = book["Indicators"]
    header, rows = _rows(indicators)
    row = next(r for r in rows if r[header.index("indicator_id")] == scene["beds"].pk)
    row[header.index("target_value")] = 400
    new = _append(
        indicators,
        commitment_id=scene["shelter"].pk,
        name="Nights families spent unsheltered",
        unit="nights",
        direction="down",
        baseline_value=900,
        baseline_date=date(2021, 1, 1),
        target_value=0,
        target_date="12/31/2027",
    )
    indicators.delete_rows(1, indicators.max_row)
    # The name column moved to the front, as a person tidying the sheet would.
    order = [header.index("name")] + [i for i in range(len(header)) if header[i] != "name"]
    for values in [header, row, [None] * len(header), new]:
        indicators.append([values[i] for i in order])

    _append(
        book["Measurements"],
        indicator_id=scene["beds"].pk,
        measured_on="06/30/2023",
        value=210,
        source_url="https://example.org/shelter-2023",
    )

    links = book["Links"]
    header, _ = _rows(links)
    for cells in links.iter_rows(min_row=2):
        if cells[header.index("link_id")].value == scene["link"].pk:
            cells[header.index("rationale")].value = "Housing first, with caseworkers."
    _append(
        links,
        commitment_id=scene["shelter"].pk,
        recommendation=scene["other_rec"].public_id,
        relation="implements",
    )
    return book


def test_the_downloaded_workbook_has_every_sheet_with_ids_and_versions(client, scene):
    book = _download(client)

    assert book.sheetnames == ["Commitments", "Indicators", "Measurements", "Links"]
    header, rows = _rows(book["Measurements"])
    assert header[:4] == ["indicator_id", "measurement_id", "version", "measured_on"]
    assert rows == [
        [scene["beds"].pk, scene["first"].pk, 1, rows[0][3], 150, rows[0][5], "published"]
    ]
    header, rows = _rows(book["Links"])
    assert rows[0][header.index("recommendation")] == scene["rec"].public_id
    # Only Pittsburgh's records.
    _, rows = _rows(book["Indicators"])
    assert [r[1] for r in rows] == [scene["beds"].pk]


def test_an_edited_workbook_uploads_indicators_measurements_and_links(client, scene):
    content = _save(_edit_as_a_person(_download(client), scene))

    response = _upload(client, content)

    page = response.content.decode()
    assert response.status_code == 200, page
    assert "Commitments: 0 to create · 0 to change · 1 unchanged · 0 in conflict" in page
    assert "Indicators: 1 to create · 1 to change · 0 unchanged · 0 in conflict" in page
    assert "Measurements: 1 to create · 0 to change · 1 unchanged · 0 in conflict" in page
    assert "Links: 1 to create · 1 to change · 0 unchanged · 0 in conflict" in page
    assert "<code>target_value</code>: “300” → “400”" in page
    assert Indicator.objects.count() == 2  # the dry run writes nothing
    assert Measurement.objects.count() == 1

    applied = _apply(client, response)

    assert applied.status_code == 302
    beds = Indicator.objects.get(pk=scene["beds"].pk)
    assert (beds.target_value, beds.publication, beds.version) == (Decimal(400), "draft", 2)
    assert beds.history.first().history_change_reason == (
        "Spreadsheet upload: pittsburgh-commitments.xlsx"
    )
    nights = Indicator.objects.get(name="Nights families spent unsheltered")
    assert (nights.commitment, nights.direction, nights.target_date) == (
        scene["shelter"],
        "down",
        date(2027, 12, 31),
    )
    assert (nights.publication, nights.author) == ("draft", scene["manager"])
    added = Measurement.objects.get(measured_on=date(2023, 6, 30))
    assert (added.indicator, added.value, added.publication) == (
        scene["beds"],
        Decimal(210),
        "draft",
    )
    link = CommitmentLink.objects.get(pk=scene["link"].pk)
    assert link.rationale == "Housing first, with caseworkers."
    second = CommitmentLink.objects.get(recommendation=scene["other_rec"])
    assert (second.commitment, second.relation) == (scene["shelter"], "implements")
    assert second.history.first().history_change_reason.startswith("Spreadsheet upload")
    # A link change by a manager takes the public commitment back to review, once.
    shelter = Commitment.objects.get(pk=scene["shelter"].pk)
    assert (shelter.publication, shelter.version) == ("draft", scene["shelter"].version + 1)


def test_a_record_saved_since_the_download_is_shown_and_kept(client, scene):
    book = _download(client)
    header, _ = _rows(book["Measurements"])
    for cells in book["Measurements"].iter_rows(min_row=2):
        cells[header.index("value")].value = 175
    content = _save(book)
    # Meanwhile a colleague corrects the same measurement on its form.
    colleague = f.user()
    f.membership(colleague, scene["place"])
    client.force_login(colleague)
    url = reverse("staff:measurement-edit", args=[scene["beds"].pk, scene["first"].pk])
    data = {"measured_on": "2022-01-01", "value": "160", "source_url": "https://example.org/x"}
    assert client.post(url, data).status_code == 302
    client.force_login(scene["manager"])

    response = _upload(client, content)

    page = response.content.decode()
    assert "Measurements: 0 to create · 0 to change · 0 unchanged · 1 in conflict" in page
    assert "saved by someone else since you downloaded it</strong> (version 2 now)" in page
    assert "<code>value</code>: now “160”, your file “175”" in page
    _apply(client, response)
    assert Measurement.objects.get(pk=scene["first"].pk).value == Decimal(160)


def test_a_change_made_between_the_check_and_the_apply_stops_the_whole_apply(client, scene):
    book = _download(client)
    header, _ = _rows(book["Indicators"])
    for cells in book["Indicators"].iter_rows(min_row=2):
        cells[header.index("unit")].value = "families"
    header, _ = _rows(book["Links"])
    for cells in book["Links"].iter_rows(min_row=2):
        cells[header.index("relation")].value = "implements"
    response = _upload(client, _save(book))
    assert response.status_code == 200
    # A colleague edits the link's indicator after the check was read.
    beds = Indicator.objects.get(pk=scene["beds"].pk)
    beds.unit, beds.version = "households", beds.version + 1
    beds.save()

    applied = _apply(client, response)

    assert applied.status_code == 409
    assert "nothing was applied" in applied.content.decode()
    assert "Indicators: 0 to create · 0 to change · 0 unchanged · 1 in conflict" in (
        applied.content.decode()
    )
    # Nothing half-written: the link row, which had no conflict, waits too.
    assert CommitmentLink.objects.get(pk=scene["link"].pk).relation == "partial"
    assert Indicator.objects.get(pk=scene["beds"].pk).unit == "households"
    # Applying the new check writes the link and leaves the indicator alone.
    assert _apply(client, applied).status_code == 302
    assert CommitmentLink.objects.get(pk=scene["link"].pk).relation == "implements"
    assert Indicator.objects.get(pk=scene["beds"].pk).unit == "households"


def test_a_bad_file_is_reported_by_sheet_row_and_column_and_nothing_is_written(client, scene):
    book = _download(client)
    indicators = book["Indicators"]
    _append(indicators, indicator_id=scene["foreign"].pk, name="Taken over")  # row 3
    _append(  # row 4
        indicators,
        commitment_id=scene["shelter"].pk,
        name="Shelter beds",
        direction="up",
        baseline_value=50,
        baseline_date=date(2021, 1, 1),
        target_value=10,
        target_date=date(2025, 1, 1),
    )
    _append(  # row 3
        book["Measurements"],
        indicator_id=scene["foreign"].pk,
        measured_on="2023-01-01",
        value="about twelve",
    )
    _append(  # row 3
        book["Links"],
        commitment_id=scene["shelter"].pk,
        recommendation="USA-9-99.99",
        relation="maybe",
    )
    # A good change alongside, which must not be written either.
    for cells in book["Commitments"].iter_rows(min_row=2):
        cells[2].value = "Shelter guarantee for every family"
    before = sorted(Indicator.objects.values_list("pk", "name", "target_value", "version"))

    response = _upload(client, _save(book))

    assert response.status_code == 400
    errors = {(s, r, c) for s, r, c, _ in response.context["plan"].errors}
    assert errors == {
        ("Indicators", 3, "indicator_id"),
        ("Indicators", 4, "target_value"),
        ("Measurements", 3, "indicator_id"),
        ("Links", 3, "recommendation"),
        ("Links", 3, "relation"),
    }
    page = response.content.decode()
    assert "No indicator number" in page
    assert "When up is good, the target must be above the baseline." in page
    assert "token" not in response.context
    assert sorted(Indicator.objects.values_list("pk", "name", "target_value", "version")) == (
        before
    )
    assert Commitment.objects.get(pk=scene["shelter"].pk).title == "Shelter guarantee"
    assert Measurement.objects.count() == 1 and CommitmentLink.objects.count() == 1


def test_one_sheet_as_csv_round_trips(client, scene):
    url = reverse("staff:spreadsheet-download", args=["pittsburgh", "measurements.csv"])
    content = client.get(url).content.decode()
    assert content.splitlines()[0].startswith("indicator_id,measurement_id,version")
    content += f"{scene['beds'].pk},,,2024-01-31,260,https://example.org/2024,\r\n"

    response = _upload(client, content.encode(), name="measurements.csv")

    assert response.context["plan"].sheet_counts == [
        ("Measurements", {"create": 1, "change": 0, "unchanged": 1, "conflict": 0})
    ]
    _apply(client, response)
    assert Measurement.objects.get(measured_on=date(2024, 1, 31)).value == Decimal(260)


def test_a_curators_link_change_keeps_the_commitment_public(client, scene):
    client.force_login(f.curator())
    book = _download(client)
    header, _ = _rows(book["Links"])
    for cells in book["Links"].iter_rows(min_row=2):
        cells[header.index("rationale")].value = "Checked by a curator."

    _apply(client, _upload(client, _save(book)))

    assert CommitmentLink.objects.get(pk=scene["link"].pk).rationale == "Checked by a curator."
    assert Commitment.objects.get(pk=scene["shelter"].pk).publication == "published"


@pytest.mark.parametrize("who", ["anonymous", "editor", "other manager"])
def test_only_the_jurisdictions_managers_and_curators_upload_further_sheets(client, scene, who):
    content = _save(_edit_as_a_person(_download(client), scene))
    csv_url = reverse("staff:spreadsheet-download", args=["pittsburgh", "links.csv"])
    client.logout()
    if who == "editor":
        editor = f.user()
        f.membership(editor, scene["place"])
        client.force_login(editor)
    elif who == "other manager":
        stranger = f.user()
        f.membership(stranger, f.jurisdiction(), role="manager")
        client.force_login(stranger)
    expected = {"anonymous": 302, "editor": 403, "other manager": 404}[who]

    assert _upload(client, content).status_code == expected
    assert client.get(csv_url).status_code == expected
    assert Indicator.objects.count() == 2 and CommitmentLink.objects.count() == 1


def test_a_record_changed_while_the_apply_runs_rolls_the_whole_file_back(client, scene):
    """The last guard: the apply locks each row and compares versions once more."""
    from jurisdictions.commitment_import import PlanOutdated, apply_plan, plan_upload

    content = _save(_edit_as_a_person(_download(client), scene))
    plan = plan_upload(content, "pittsburgh.xlsx", scene["place"])
    assert plan.ok
    # A colleague saves the link after the plan was made, before it is written.
    CommitmentLink.objects.filter(pk=scene["link"].pk).update(version=5)
    before = (Indicator.objects.count(), Measurement.objects.count())

    with pytest.raises(PlanOutdated):
        apply_plan(plan, scene["place"], scene["manager"], keep_public=False)

    assert (Indicator.objects.count(), Measurement.objects.count()) == before
    assert Indicator.objects.get(pk=scene["beds"].pk).target_value == Decimal(300)
    assert CommitmentLink.objects.count() == 1


def test_the_same_check_applies_once(client, scene):
    response = _upload(client, _save(_edit_as_a_person(_download(client), scene)))

    assert _apply(client, response).status_code == 302
    again = _apply(client, response)

    assert again.status_code == 302
    assert Indicator.objects.filter(name="Nights families spent unsheltered").count() == 1
    assert Measurement.objects.count() == 2
