"""Clear answers for files that are wrong: what the command prints and how it exits."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from recommendations.importers.pipeline import import_file
from recommendations.models import Recommendation
from tests.helpers import UPR_INFO_HEADER, uhri_row, write_xlsx

pytestmark = pytest.mark.django_db

UPR_HEADER = UPR_INFO_HEADER + "\n"


def test_a_file_with_a_header_and_no_rows_exits_non_zero_with_no_data_rows(
    reference_data, tmp_path, capsys
):
    path = tmp_path / "empty.csv"
    path.write_text(UPR_HEADER, encoding="utf-8")

    with pytest.raises(CommandError, match="nothing was written"):
        call_command("import_recommendations", str(path))

    assert "file: The file has a header but no data rows." in capsys.readouterr().err


def test_format_native_checks_the_native_columns_before_reading_rows(reference_data, tmp_path):
    path = tmp_path / "upr.csv"
    path.write_text(
        UPR_HEADER + "Canada,WEOG,,Hold elections.,France,WEOG,,Accepted,5,Elections,3\n",
        encoding="utf-8",
    )

    report = import_file(path, format="native")

    assert [e["message"] for e in report.errors] == [
        "Not a UPR Tracker export: the native columns state_under_review, cycle, text are "
        "missing from the header."
    ]
    assert Recommendation.objects.count() == 0


def test_one_row_with_three_faults_is_one_invalid_row_with_three_reasons(
    reference_data, tmp_path, capsys
):
    path = tmp_path / "bad.csv"
    path.write_text(
        UPR_HEADER
        + "Canada,WEOG,,Hold elections.,France,WEOG,,Accepted,5,Elections,3\n"
        + "Canada,WEOG,,Hold elections.,Atlantis,WEOG,,Maybe,9,Elections,3\n",
        encoding="utf-8",
    )

    with pytest.raises(CommandError, match=r"^1 invalid rows \(3 problems\); nothing"):
        call_command("import_recommendations", str(path))

    err = capsys.readouterr().err
    assert err.count("line 3,") == 3


def test_uhri_errors_about_position_and_recommending_states_name_the_column(
    reference_data, tmp_path
):
    row = uhri_row(**{"UPR Position": "- Perhaps", "UPR Reccomending States": "- Atlantis"})

    report = import_file(write_xlsx(tmp_path / "u.xlsx", [row]))

    columns = {e["column"] for e in report.errors}
    assert columns == {"UPR Position (column 12)", "UPR Reccomending States (column 10)"}


def test_the_command_reports_rows_per_state_and_says_when_nothing_was_imported(
    reference_data, tmp_path, capsys
):
    path = tmp_path / "world.csv"
    path.write_text(
        UPR_HEADER
        + "Canada,WEOG,,Hold elections.,France,WEOG,,Accepted,5,Elections,3\n"
        + "Chile,GRULAC,,Ratify the treaty.,France,WEOG,,Noted,5,Elections,3\n",
        encoding="utf-8",
    )

    call_command("import_recommendations", str(path), "--state", "USA", "--dry-run")

    out = capsys.readouterr().out
    assert "CAN: 1 rows read, 0 imported, 1 skipped" in out
    assert "CHL: 1 rows read, 0 imported, 1 skipped" in out
    assert (
        "Nothing would be imported: all 2 rows are about states under review that were not chosen."
    ) in out

    call_command("import_recommendations", str(path), "--state", "CAN")
    out = capsys.readouterr().out
    assert "CAN: 1 rows read, 1 imported, 0 skipped; records 1 created" in out
    assert "Nothing" not in out
