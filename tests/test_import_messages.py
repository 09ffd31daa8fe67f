"""What a curator reads when a file cannot be imported: one clear message per fault, with
its line, in words that fit the command line and the upload page alike."""

import csv

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from recommendations.importers import readers
from recommendations.importers.pipeline import import_file
from recommendations.models import ImportRun, Recommendation
from tests.helpers import UHRI_HEADER, write_upr_info
from tests.shared_exports import shared_files

pytestmark = pytest.mark.django_db


def swapped_to_and_from(tmp_path):
    """The real sessions 1-5 export with its To and From columns (1 and 5) swapped."""
    [path] = [p for p in shared_files("upr-info") if p.name == "upr_info_sessions_1-5.csv"]
    out = tmp_path / "swapped.csv"
    with out.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        for _, cells in readers.iter_rows(path):
            cells[0], cells[4] = cells[4], cells[0]
            writer.writerow(cells)
    return out


@pytest.mark.parametrize("fmt", ["upr-info", None])
def test_a_real_export_with_to_and_from_swapped_is_refused(reference_data, tmp_path, fmt):
    report = import_file(swapped_to_and_from(tmp_path), format=fmt)

    assert not report.ok
    assert Recommendation.objects.count() == 0
    [error] = report.errors
    if fmt:
        assert "column 1 is 'From' where a UPR Info export has 'SuR' or 'To'" in error["message"]
    else:  # the header no longer reads as UPR Info's
        assert "Cannot tell the format" in error["message"]


def test_the_command_refuses_the_swapped_export_with_a_non_zero_exit(reference_data, tmp_path):
    with pytest.raises(CommandError, match="cannot be imported"):
        call_command(
            "import_recommendations", str(swapped_to_and_from(tmp_path)), "--format", "upr-info"
        )


def test_a_missing_file_is_a_message_not_a_traceback(reference_data, tmp_path, capsys):
    with pytest.raises(CommandError, match="cannot be imported"):
        call_command("import_recommendations", str(tmp_path / "nowhere.csv"))

    assert f"file: No file at {tmp_path / 'nowhere.csv'}." in capsys.readouterr().err


def test_a_row_with_too_many_cells_is_one_error_that_names_the_cause(reference_data, tmp_path):
    path = write_upr_info(
        tmp_path,
        "Canada,WEOG,,Hold elections.,France,WEOG,,Accepted,5,Elections,3",
        "Canada,WEOG,,Hold free, fair elections.,France,WEOG,,Accepted,5,Elections,3",
    )

    report = import_file(path)

    [error] = report.errors
    assert error["line"] == 3
    assert "12 or more cells where the header has 11" in error["message"]
    assert "not quoted" in error["message"]


def test_a_cell_over_the_csv_field_limit_names_its_line(reference_data, tmp_path):
    huge = "x" * 200_000
    path = write_upr_info(
        tmp_path,
        "Canada,WEOG,,Hold elections.,France,WEOG,,Accepted,5,Elections,3",
        f'Canada,WEOG,,"{huge}",France,WEOG,,Accepted,5,Elections,3',
    )

    report = import_file(path)

    [error] = report.errors
    assert "the row that starts on line 3" in error["message"]
    assert "field larger than field limit" in error["message"]


def test_a_missing_uhri_column_is_a_file_fault_not_an_invalid_row(reference_data, tmp_path, capsys):
    path = tmp_path / "uhri.csv"
    header = [name for name in UHRI_HEADER if name != "OHCHR Annotation Id"]
    path.write_text(",".join(header) + "\n" + ",".join(["- x"] * len(header)) + "\n")

    report = import_file(path, format="uhri")

    assert report.counts["errors"] == 0  # no row is at fault
    [error] = report.errors
    assert error["line"] == 0
    assert "no 'ohchr annotation id' column" in error["message"]
    with pytest.raises(CommandError) as refused:
        call_command("import_recommendations", str(path), "--format", "uhri")
    assert "invalid rows" not in str(refused.value)


def test_an_issue_typed_with_a_curly_apostrophe_is_found(reference_data, tmp_path):
    path = write_upr_info(
        tmp_path, "Canada,WEOG,,Protect women.,France,WEOG,,Accepted,5,Women\u2019s rights,3"
    )

    report = import_file(path)

    assert report.ok, report.errors
    rec = Recommendation.objects.get()
    assert [t.name for t in rec.themes.all()] == ["Women's rights"]


def test_the_upload_page_does_not_speak_command_line(
    client, curator, reference_data, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path / "media"
    client.force_login(curator)
    notes = SimpleUploadedFile("notes.csv", b"name,email\nAda,ada@example.org\n")

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("imports:list"), {"file": notes, "states": "USA"})

    page = client.get(ImportRun.objects.get().get_absolute_url()).content.decode()
    assert "choose the format the file is in" in page
    assert "--format" not in page
