"""The curators' upload screen at /manage/imports/."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from recommendations.importers.pipeline import import_file
from recommendations.models import Country, ImportRun, Recommendation

from . import factories

DATA = Path(__file__).parent / "data"
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def upload(client, django_capture_on_commit_callbacks):
    """Posts a test file; the queued task runs (eagerly) when the request's work commits."""

    def post(name, **data):
        # The form starts at the United States, as a browser would send it.
        payload = {"file": SimpleUploadedFile(name, (DATA / name).read_bytes()), "states": "USA"}
        payload.update(data)
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(reverse("imports:list"), payload)

    return post


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(reverse("imports:list"))

    assert response.status_code == 302
    assert "login" in response["Location"]


def test_staff_who_are_not_curators_are_refused(client, upload):
    client.force_login(factories.user(is_staff=True))

    assert client.get(reverse("imports:list")).status_code == 403
    assert upload("upr_info_original.csv").status_code == 403
    assert ImportRun.objects.count() == 0


def test_a_superuser_may_import(client):
    client.force_login(factories.user(is_superuser=True))

    assert client.get(reverse("imports:list")).status_code == 200


def test_a_curator_uploads_a_file_and_sees_the_report(client, curator, reference_data, upload):
    response = upload("upr_info_original.csv", all_states="on")

    run = ImportRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == run.get_absolute_url()
    assert run.status == "succeeded"
    assert run.user == curator
    assert run.file_name == "upr_info_original.csv"
    assert Path(run.file_path).exists()
    assert (run.created, run.rows_done, run.rows_total) == (4, 7, 7)
    assert Recommendation.objects.count() == 4

    page = client.get(run.get_absolute_url()).content.decode()
    assert "Succeeded" in page
    assert 'http-equiv="refresh"' not in page
    assert '<th scope="row">Recommendations created</th><td>4</td>' in page

    listing = client.get(reverse("imports:list")).content.decode()
    assert "upr_info_original.csv" in listing
    assert curator.username in listing


def test_a_failed_import_shows_its_error_rows_and_changes_nothing(
    client, curator, reference_data, upload
):
    upload("upr_info_bad_rows.csv")

    run = ImportRun.objects.get()
    assert run.status == "failed"
    assert run.errors == 5  # invalid rows; line 7 has two problems
    assert Recommendation.objects.count() == 0
    page = client.get(run.get_absolute_url()).content.decode()
    assert "Nothing was changed" in page
    assert "Unknown state &#x27;Atlantis&#x27;; closest known names:" in page
    assert "<td>3</td><td>RS (column 5)</td>" in page


def test_a_dry_run_upload_counts_but_writes_nothing(client, curator, reference_data, upload):
    upload("upr_info_original.csv", dry_run="on", states="USA")

    run = ImportRun.objects.get()
    assert run.status == "succeeded"
    assert (run.created, run.skipped) == (2, 2)
    assert Recommendation.objects.count() == 0
    assert "Dry run" in client.get(run.get_absolute_url()).content.decode()


def test_a_running_import_page_refreshes_itself_and_reports_progress(client, curator):
    run = ImportRun.objects.create(
        file_name="big.csv", file_path="/nowhere", status="running", rows_total=200, rows_done=50
    )

    page = client.get(run.get_absolute_url()).content.decode()
    status = client.get(reverse("imports:status", args=[run.pk])).json()

    assert 'http-equiv="refresh"' in page
    assert "50 of 200 rows checked" in page
    assert status["percent"] == 25 and status["finished"] is False


def test_a_file_of_another_type_is_refused_by_the_form(client, curator):
    response = client.post(
        reverse("imports:list"), {"file": SimpleUploadedFile("notes.txt", b"hello")}
    )

    assert response.status_code == 200
    assert "Upload a .csv, .xlsx, .xls or .json file." in response.content.decode()
    assert ImportRun.objects.count() == 0


def test_the_list_of_past_imports_runs_a_bounded_number_of_queries(
    client, curator, django_assert_max_num_queries
):
    for n in range(5):
        ImportRun.objects.create(file_name=f"f{n}.csv", file_path="/x", user=curator)

    with django_assert_max_num_queries(8):
        assert client.get(reverse("imports:list")).status_code == 200


def test_the_import_task_runs_a_queued_run_once(reference_data, curator):
    from recommendations.tasks import run_import

    run = ImportRun.objects.start(path=DATA / "upr_info_original.csv", user=curator)

    assert run_import(run.pk) == {
        "created": 4,
        "updated": 0,
        "unchanged": 0,
        "skipped": 0,
        "errors": 0,
    }
    assert run_import(run.pk) is None  # already claimed: a second delivery does nothing
    run.refresh_from_db()
    assert run.status == "succeeded" and run.finished_at and run.started_at
    assert Recommendation.objects.count() == 4


def test_the_upload_form_starts_at_the_united_states(client, curator):
    page = client.get(reverse("imports:list")).content.decode()

    assert 'name="states" value="USA"' in page
    assert 'name="all_states"' in page


def test_a_form_with_no_state_and_no_all_states_choice_is_refused(client, curator, upload):
    response = upload("upr_info_original.csv", states="")

    assert response.status_code == 200
    assert "Name a state under review, or tick every state." in response.content.decode()
    assert ImportRun.objects.count() == 0


def test_the_report_gives_rows_read_imported_and_skipped_per_state(
    client, curator, reference_data, upload
):
    upload("upr_info_original.csv")  # the default: the United States only

    run = ImportRun.objects.get()
    assert (run.created, run.skipped) == (2, 2)
    assert run.report["states"]["USA"] == {
        "rows": 5,
        "skipped": 0,
        "imported": 5,
        "created": 2,
        "updated": 0,
        "unchanged": 0,
    }
    assert run.report["states"]["VNM"]["skipped"] == 1
    page = client.get(run.get_absolute_url()).content.decode()
    assert "Rows per state under review" in page
    assert '<th scope="row">USA</th><td>5</td><td>5</td><td>0</td><td>2</td>' in page
    assert '<th scope="row">BOL</th><td>1</td><td>0</td><td>1</td>' in page


def test_an_import_that_imported_nothing_says_so(client, curator, reference_data, upload):
    upload("upr_info_original.csv", states="CAN", dry_run="on")

    run = ImportRun.objects.get()
    assert run.status == "succeeded" and run.skipped == 7
    page = client.get(run.get_absolute_url()).content.decode()
    assert (
        "Nothing would be imported: all 7 rows are about states under review that were not chosen."
    ) in page


def test_a_curator_records_an_unknown_spelling_and_runs_the_file_again(
    client, curator, reference_data, tmp_path, django_capture_on_commit_callbacks
):
    rows = (DATA / "upr_info_original.csv").read_text(encoding="utf-8-sig").splitlines()
    rows[1] = rows[1].replace(",Switzerland,", ",Confoederatio Helvetica,")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("imports:list"),
            {
                "file": SimpleUploadedFile("spelling.csv", "\n".join(rows).encode()),
                "states": "USA",
            },
        )
    failed = ImportRun.objects.get()
    assert failed.status == "failed"
    page = client.get(failed.get_absolute_url()).content.decode()
    assert "State names this import did not know" in page
    assert "“Confoederatio Helvetica”" in page

    response = client.post(
        reverse("imports:alias", args=[failed.pk]),
        {"spelling": "Confoederatio Helvetica", "country": "CHE"},
    )
    assert response.status_code == 302
    assert "Confoederatio Helvetica" in Country.objects.get(iso3="CHE").aliases
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(reverse("imports:rerun", args=[failed.pk]))

    run = ImportRun.objects.exclude(pk=failed.pk).get()
    assert again["Location"] == run.get_absolute_url()
    assert run.status == "succeeded" and run.created == 2
    assert run.file_path == failed.file_path


@pytest.mark.parametrize("role", ["anonymous", "staff", "manager"])
def test_only_curators_may_add_an_alias_or_run_a_file_again(client, reference_data, role):
    run = ImportRun.objects.start(path="/nonexistent.csv", file_name="x.csv")
    if role != "anonymous":
        user = factories.user(is_staff=role == "staff")
        if role == "manager":
            factories.membership(user, factories.jurisdiction(), role="manager")
        client.force_login(user)

    alias = client.post(
        reverse("imports:alias", args=[run.pk]), {"spelling": "Helvetia", "country": "CHE"}
    )
    rerun = client.post(reverse("imports:rerun", args=[run.pk]))

    expected = 302 if role == "anonymous" else 403
    assert (alias.status_code, rerun.status_code) == (expected, expected)
    assert "Helvetia" not in Country.objects.get(iso3="CHE").aliases
    assert ImportRun.objects.count() == 1


def test_an_upload_over_the_size_limit_is_refused_before_it_is_stored(client, curator, settings):
    settings.IMPORT_MAX_UPLOAD_MB = 1
    big = b"To,To-Rgrp\n" + b"x" * (1024 * 1024 + 60_000)

    response = client.post(
        reverse("imports:list"),
        {"file": SimpleUploadedFile("big.csv", big), "states": "USA"},
    )

    assert "The file is 1.1 MB; the limit is 1 MB." in response.content.decode()
    assert ImportRun.objects.count() == 0
    assert not (Path(settings.MEDIA_ROOT) / "imports").exists()


def test_a_spreadsheet_that_unpacks_past_the_cap_is_refused(client, curator, settings, tmp_path):
    import zipfile

    settings.IMPORT_MAX_UNPACKED_MB = 1
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (3 * 1024 * 1024))
    assert bomb.stat().st_size < 50_000

    response = client.post(
        reverse("imports:list"),
        {"file": SimpleUploadedFile("bomb.xlsx", bomb.read_bytes()), "states": "USA"},
    )
    page = response.content.decode()

    assert "The spreadsheet unpacks to 3 MB, more than the 1 MB allowed" in page
    assert ImportRun.objects.count() == 0
    report = import_file(bomb)  # the command checks the same before reading
    assert not report.ok
    assert "unpacks to 3 MB" in report.errors[0]["message"]
