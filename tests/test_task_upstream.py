"""Upstream sync: download an export when it changed and run the importer on it."""

from pathlib import Path

import pytest

from recommendations.models import ImportRun, Recommendation, UpstreamSource
from recommendations.tasks import sync_upstream
from tests.test_task_links import LocalServer

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data"
ORIGINAL = (DATA / "upr_info_original.csv").read_bytes()
EXTRA_ROW = (
    b"United States,WEOG,,Fund legal aid for tenants facing eviction.,"
    b"Norway,WEOG,,Accepted,4,Right to housing,9\n"
)


@pytest.fixture
def server(settings):
    # Served from 127.0.0.1, which production refuses to fetch.
    settings.FETCH_ALLOW_LOOPBACK = True
    with LocalServer() as running:
        running.routes["/export.csv"] = (200, ORIGINAL, {"ETag": '"v1"'})
        yield running


@pytest.fixture
def source(server, reference_data, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return UpstreamSource.objects.create(
        name="UPR Info", url=server.url("/export.csv"), format="upr_info"
    )


def test_the_first_sync_imports_the_file_and_records_it_in_the_import_history(source):
    counts = sync_upstream()

    assert counts["imported"] == 1
    run = ImportRun.objects.get()
    assert run.status == "succeeded"
    assert run.created > 0
    assert Recommendation.objects.filter(text__startswith="Abolish the death penalty").exists()
    source.refresh_from_db()
    assert (source.etag, len(source.last_hash), source.last_error) == ('"v1"', 64, "")
    assert Path(run.file_path).read_bytes() == ORIGINAL


def test_an_unchanged_export_is_not_imported_again(source, server):
    sync_upstream()
    counts = sync_upstream()

    assert counts["unchanged"] == 1
    assert ImportRun.objects.count() == 1
    # The second request carried the stored ETag and got 304 Not Modified.
    assert server.requests[-1][0] == "GET"


def test_the_same_bytes_under_a_new_etag_are_recognised_by_their_hash(source, server):
    sync_upstream()
    server.routes["/export.csv"] = (200, ORIGINAL, {"ETag": '"v2"'})

    assert sync_upstream()["unchanged"] == 1
    assert ImportRun.objects.count() == 1


def test_a_changed_export_updates_the_recommendations(source, server):
    sync_upstream()
    server.routes["/export.csv"] = (200, ORIGINAL + EXTRA_ROW, {"ETag": '"v2"'})

    assert sync_upstream()["imported"] == 1

    assert Recommendation.objects.filter(text__startswith="Fund legal aid").exists()
    assert ImportRun.objects.count() == 2


def test_a_server_error_is_kept_on_the_source_and_retried_next_time(source, server):
    server.routes["/export.csv"] = (500, b"oops", {})

    assert sync_upstream()["failed"] == 1

    source.refresh_from_db()
    assert source.last_error == "HTTP 500"
    assert source.last_hash == ""


def test_disabled_sources_are_left_alone(source, server):
    UpstreamSource.objects.update(enabled=False)

    assert sync_upstream()["checked"] == 0
    assert server.requests == []
