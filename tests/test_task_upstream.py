"""Upstream sync: download an export when it changed and run the importer on it."""

from pathlib import Path

import pytest

from recommendations.models import ImportRun, Recommendation, UpstreamSource
from recommendations.tasks import sync_upstream
from tests.helpers import EXTRA_ROW, ORIGINAL

pytestmark = pytest.mark.django_db


def test_the_first_sync_imports_the_file_and_records_it_in_the_import_history(upstream_source):
    counts = sync_upstream()

    assert counts["imported"] == 1
    run = ImportRun.objects.get()
    assert run.status == "succeeded"
    assert run.created > 0
    assert Recommendation.objects.filter(text__startswith="Abolish the death penalty").exists()
    upstream_source.refresh_from_db()
    assert (upstream_source.etag, len(upstream_source.last_hash), upstream_source.last_error) == (
        '"v1"',
        64,
        "",
    )
    assert Path(run.file_path).read_bytes() == ORIGINAL


def test_an_unchanged_export_is_not_imported_again(upstream_source, server):
    sync_upstream()
    counts = sync_upstream()

    assert counts["unchanged"] == 1
    assert ImportRun.objects.count() == 1
    # The second request carried the stored ETag and got 304 Not Modified.
    assert server.requests[-1][0] == "GET"


def test_the_same_bytes_under_a_new_etag_are_recognised_by_their_hash(upstream_source, server):
    sync_upstream()
    server.routes["/export.csv"] = (200, ORIGINAL, {"ETag": '"v2"'})

    assert sync_upstream()["unchanged"] == 1
    assert ImportRun.objects.count() == 1


def test_a_changed_export_updates_the_recommendations(upstream_source, server):
    sync_upstream()
    server.routes["/export.csv"] = (200, ORIGINAL + EXTRA_ROW, {"ETag": '"v2"'})

    assert sync_upstream()["imported"] == 1

    assert Recommendation.objects.filter(text__startswith="Fund legal aid").exists()
    assert ImportRun.objects.count() == 2


def test_a_server_error_is_kept_on_the_source_and_retried_next_time(upstream_source, server):
    server.routes["/export.csv"] = (500, b"oops", {})

    assert sync_upstream()["failed"] == 1

    upstream_source.refresh_from_db()
    assert upstream_source.last_error == "HTTP 500"
    assert upstream_source.last_hash == ""


def test_disabled_sources_are_left_alone(upstream_source, server):
    UpstreamSource.objects.update(enabled=False)

    assert sync_upstream()["checked"] == 0
    assert server.requests == []
