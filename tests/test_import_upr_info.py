"""Importing UPR Info exports: merging rows, mapping names, all-or-nothing, idempotence."""

from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from recommendations.importers.pipeline import import_file
from recommendations.models import Recommendation, Review
from tests.helpers import write_upr_info

DATA = Path(__file__).parent / "data"
pytestmark = pytest.mark.django_db


def snapshot():
    """Everything an import writes, in comparable form."""
    return sorted(
        (
            r.review.state_under_review.iso3,
            r.review.cycle,
            r.text,
            r.response,
            r.action_category,
            r.upr_info_key,
            tuple(sorted(c.iso3 for c in r.recommending_countries.all())),
            tuple(sorted(t.name for t in r.themes.all())),
            r.updated_at,
        )
        for r in Recommendation.objects.for_export()
    )


def test_rows_of_one_text_become_one_recommendation_with_every_recommending_state(
    reference_data,
):
    report = import_file(DATA / "upr_info_original.csv")

    assert report.ok, report.errors
    assert report.format == "upr_info"
    assert report.counts == {
        "created": 4,
        "updated": 0,
        "unchanged": 0,
        "skipped": 0,
        "errors": 0,
    }
    crc = Recommendation.objects.get(text__startswith="Ratify the convention")
    assert sorted(crc.recommending_countries.values_list("iso3", flat=True)) == [
        "BHS",
        "CHE",
        "RWA",
    ]
    assert crc.response == "supported"
    assert crc.action_category == 5
    assert sorted(crc.themes.values_list("name", flat=True)) == [
        "International instruments",
        "Rights of the Child",
    ]
    assert crc.review.cycle == 1 and crc.review.wg_session == 9
    assert crc.paragraph == ""
    assert len(crc.upr_info_key) == 40


def test_an_accepted_row_and_a_noted_row_of_one_text_make_it_supported_in_part(
    reference_data,
):
    import_file(DATA / "upr_info_original.csv")

    rec = Recommendation.objects.get(text__startswith="Abolish the death penalty")
    assert rec.response == "supported_in_part"
    assert set(rec.recommending_countries.values_list("iso3", flat=True)) == {"FRA", "NOR"}


def test_upr_info_short_names_map_to_the_reference_countries(reference_data):
    import_file(DATA / "upr_info_original.csv")

    vietnam = Recommendation.objects.get(review__state_under_review__iso3="VNM")
    assert list(vietnam.recommending_countries.values_list("iso3", flat=True)) == ["PRK"]
    assert vietnam.response == "noted"
    bolivia = Recommendation.objects.get(review__state_under_review__iso3="BOL")
    assert list(bolivia.recommending_countries.values_list("iso3", flat=True)) == ["TTO"]
    assert bolivia.review.cycle == 1


def test_a_mac_roman_re_save_with_cr_endings_and_entities_imports(reference_data):
    report = import_file(DATA / "upr_info_resave_macroman_cr.csv")

    assert report.ok, report.errors
    texts = sorted(Recommendation.objects.values_list("text", flat=True))
    assert texts[0] == "Protect the rights of indigenous peoples in the Québec north – in law."
    assert "technical help & training" in texts[1]
    unknown = Recommendation.objects.get(text__startswith="Protect")
    assert unknown.recommending_countries.count() == 0  # "(Unknown)" names nobody
    ivory = Recommendation.objects.get(text__startswith="Support")
    assert list(ivory.recommending_countries.values_list("iso3", flat=True)) == ["CIV"]


def test_windows_1252_and_mac_roman_re_saves_give_the_same_records(reference_data):
    import_file(DATA / "upr_info_resave_macroman_cr.csv")
    report = import_file(DATA / "upr_info_resave_cp1252.csv")

    assert report.counts["unchanged"] == 2
    assert report.counts["created"] == 0


def test_every_bad_row_is_reported_with_line_column_and_reason_and_nothing_is_written(
    reference_data,
):
    report = import_file(DATA / "upr_info_bad_rows.csv")

    assert not report.ok
    found = {(e["line"], e["column"].split(" (")[0]) for e in report.errors}
    assert found == {
        (3, "RS"),
        (4, "Session"),
        (5, "Recommendation"),
        (6, "Response"),
        (7, "Action"),
        (7, "Issue"),
    }
    messages = " ".join(e["message"] for e in report.errors)
    assert "Atlantis" in messages and "ninth" in messages and "Astrology" in messages
    # Line 7 has two faults: five invalid rows, six problems.
    assert report.counts["errors"] == 5
    assert report.problems == 6
    assert report.counts["created"] == 0
    assert Recommendation.objects.count() == 0
    assert Review.objects.count() == 0


def test_an_unknown_state_under_review_is_an_error_not_a_new_country(reference_data, tmp_path):
    path = write_upr_info(
        tmp_path, "Freedonia,WEOG,,Hold elections.,France,WEOG,,Accepted,4,Elections,9"
    )

    report = import_file(path)

    [error] = report.errors
    assert (error["line"], error["column"], error["state_name"]) == (
        2,
        "To (column 1)",
        "Freedonia",
    )
    assert error["message"].startswith("Unknown state 'Freedonia'; closest known names: ")
    assert Recommendation.objects.count() == 0


def test_the_command_prints_bad_rows_and_exits_non_zero(reference_data, capsys):
    with pytest.raises(CommandError, match=r"5 invalid rows \(6 problems\)"):
        call_command("import_recommendations", str(DATA / "upr_info_bad_rows.csv"))

    err = capsys.readouterr().err
    assert "line 3, RS (column 5): Unknown state 'Atlantis'; closest known names: " in err
    assert Recommendation.objects.count() == 0


def test_importing_the_same_file_twice_changes_nothing(reference_data):
    import_file(DATA / "upr_info_original.csv")
    before = snapshot()
    history = Recommendation.history.count()

    report = import_file(DATA / "upr_info_original.csv")

    assert report.counts == {
        "created": 0,
        "updated": 0,
        "unchanged": 4,
        "skipped": 0,
        "errors": 0,
    }
    assert snapshot() == before
    assert Recommendation.history.count() == history


def test_a_changed_row_updates_its_recommendation_and_records_history(reference_data, tmp_path):
    row = "United States,WEOG,,Close the detention camp.,Cuba,GRULAC,,{},4,Detention,9"
    import_file(write_upr_info(tmp_path, row.format("Noted")))
    rec = Recommendation.objects.get()

    report = import_file(write_upr_info(tmp_path, row.format("Accepted"), name="second.csv"))

    assert report.counts["updated"] == 1
    rec.refresh_from_db()
    assert rec.response == "supported"
    assert [h.response for h in rec.history.order_by("history_date", "history_id")] == [
        "noted",
        "supported",
    ]
    assert rec.history.latest().history_type == "~"


def test_a_new_recommending_state_counts_as_an_update(reference_data, tmp_path):
    row = "United States,WEOG,,Close the detention camp.,{},GRULAC,,Noted,4,Detention,9"
    import_file(write_upr_info(tmp_path, row.format("Cuba")))

    report = import_file(
        write_upr_info(tmp_path, row.format("Cuba"), row.format("Mexico"), name="b.csv")
    )

    assert report.counts["updated"] == 1
    assert Recommendation.objects.get().recommending_countries.count() == 2


def test_a_dry_run_counts_but_writes_nothing(reference_data):
    report = import_file(DATA / "upr_info_original.csv", dry_run=True)

    assert report.ok
    assert report.counts["created"] == 4
    assert Recommendation.objects.count() == 0
    assert Review.objects.count() == 0


def test_the_state_filter_skips_other_states_rows(reference_data):
    report = import_file(DATA / "upr_info_original.csv", states=["usa"])

    assert report.counts["created"] == 2
    assert report.counts["skipped"] == 2
    assert set(
        Recommendation.objects.values_list("review__state_under_review__iso3", flat=True)
    ) == {"USA"}


def test_the_command_imports_with_a_state_filter(reference_data, capsys):
    call_command(
        "import_recommendations", str(DATA / "upr_info_original.csv"), "--state", "VNM", "BOL"
    )

    assert "created 2" in capsys.readouterr().out
    assert Recommendation.objects.count() == 2


def test_a_spreadsheet_export_with_the_original_header_imports(reference_data, tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "UPR Info database export"
    sheet.append(
        ["SuR", "Rgrp", "Org", "Recommendation", "RS", "Rgrp", "Org"]
        + ["Response", "Action", "Issue", "Session"]
    )
    sheet.append(
        ["Canada", "WEOG", "", "Fund shelters.", "Chile", "GRULAC", "", "Accepted", 4]
        + ["Right to housing", 4]
    )
    book.save(tmp_path / "export.xlsx")

    report = import_file(tmp_path / "export.xlsx")

    assert report.ok, report.errors
    rec = Recommendation.objects.get()
    assert (rec.text, rec.action_category, rec.review.wg_session) == ("Fund shelters.", 4, 4)


def test_an_empty_or_unrecognised_file_is_reported_as_a_file_error(reference_data, tmp_path):
    path = tmp_path / "notes.csv"
    path.write_text("name,email\nAda,ada@example.org\n", encoding="utf-8")

    report = import_file(path)

    assert not report.ok
    assert "Cannot tell the format" in report.errors[0]["message"]


def test_progress_is_reported_while_rows_are_read(reference_data, tmp_path):
    rows = [
        f"Canada,WEOG,,Take measure {n}.,Chile,GRULAC,,Accepted,4,General,4" for n in range(1200)
    ]
    seen = []

    report = import_file(
        write_upr_info(tmp_path, *rows), progress=lambda done, total: seen.append((done, total))
    )

    assert report.counts["created"] == 1200
    assert seen[0] == (0, 1200)
    assert (500, 1200) in seen and (1000, 1200) in seen
    assert seen[-1] == (1200, 1200)


def test_imported_recommendations_are_full_text_searchable(reference_data):
    from django.contrib.postgres.search import SearchQuery

    import_file(DATA / "upr_info_original.csv")

    found = Recommendation.objects.filter(search_vector=SearchQuery("abolish"))
    assert [r.text for r in found] == ["Abolish the death penalty and commute existing sentences."]


def test_the_old_binary_xls_export_imports_like_its_csv_re_save(reference_data, tmp_path):
    import csv

    import xlwt

    with open(DATA / "upr_info_original.csv", encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    book = xlwt.Workbook()
    sheet = book.add_sheet("UPR Info database export")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            # The original export stored Action and Session as numbers.
            sheet.write(r, c, int(value) if r and c in (8, 10) and value.isdigit() else value)
    path = tmp_path / "export.xls"
    book.save(str(path))

    from_xls = import_file(path)
    assert from_xls.ok, from_xls.errors
    assert from_xls.counts["created"] == Recommendation.objects.count() > 0

    from_csv = import_file(DATA / "upr_info_original.csv")
    assert from_csv.counts["created"] == 0
    assert from_csv.counts["updated"] == 0
    assert from_csv.counts["unchanged"] == Recommendation.objects.count()
