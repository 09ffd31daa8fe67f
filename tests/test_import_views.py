"""The curators' upload screen at /manage/imports/."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from jurisdictions.permissions import make_curator
from recommendations.models import ImportRun, Recommendation

from . import factories

DATA = Path(__file__).parent / "data"
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def curator(client):
    user = factories.user()
    make_curator(user)
    client.force_login(user)
    return user


@pytest.fixture
def upload(client, django_capture_on_commit_callbacks):
    """Posts a test file; the queued task runs (eagerly) when the request's work commits."""

    def post(name, **data):
        payload = {"file": SimpleUploadedFile(name, (DATA / name).read_bytes()), **data}
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
    response = upload("upr_info_original.csv")

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
    assert '<th scope="row">Created</th><td>4</td>' in page

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
    assert "Unknown recommending state &#x27;Atlantis&#x27;." in page
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
