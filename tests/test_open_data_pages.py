"""/data/, the bulk files at their dated and latest addresses, and /data.json."""

import hashlib
import io
import json

import pytest

from opendata import bulk
from tests.browse_data import build_catalogue

pytestmark = pytest.mark.django_db


@pytest.fixture
def built(settings, tmp_path, db):
    settings.OPEN_DATA_DIR = tmp_path / "opendata"
    build_catalogue()
    return bulk.build()["day"]


def test_the_index_lists_each_set_its_files_and_the_licence(client, built):
    page = client.get("/data/")
    assert page.status_code == 200
    html = page.content.decode()
    assert f"{built} (latest)" in html
    assert 'href="/data/latest/upr-tracker-csv.zip"' in html
    assert 'href="/data/latest/recommendations.jsonl.gz"' in html
    assert "https://creativecommons.org/licenses/by/4.0/" in html
    assert 'id="licence"' in html


def test_the_index_says_when_nothing_is_built_yet(client, settings, tmp_path):
    settings.OPEN_DATA_DIR = tmp_path / "none"
    assert "No set has been built yet" in client.get("/data/").content.decode()


def test_a_file_is_served_whole_with_its_length_and_validators(client, built, settings):
    path = settings.OPEN_DATA_DIR / built / "recommendations.jsonl.gz"
    for url in (f"/data/latest/{path.name}", f"/data/{built}/{path.name}"):
        response = client.get(url)
        body = b"".join(response.streaming_content)
        assert response.status_code == 200
        assert body == path.read_bytes()
        assert response["Content-Length"] == str(len(body))
        assert response["Content-Type"] == "application/gzip"
        assert response["ETag"] == f'"{hashlib.sha256(body).hexdigest()[:32]}"'
        assert response["Last-Modified"]
        again = client.get(url, HTTP_IF_NONE_MATCH=response["ETag"])
        assert again.status_code == 304
        since = client.get(url, HTTP_IF_MODIFIED_SINCE=response["Last-Modified"])
        assert since.status_code == 304
    assert "max-age=2592000" in client.get(f"/data/{built}/{path.name}")["Cache-Control"]


def test_the_manifest_is_served_as_json(client, built):
    response = client.get("/data/latest/manifest.json")
    manifest = json.loads(b"".join(response.streaming_content))
    assert manifest["date"] == built
    assert response["Content-Type"] == "application/json"


@pytest.mark.parametrize(
    "url",
    [
        "/data/latest/../../settings.py",
        "/data/latest/%2e%2e%2fmanifest.json",
        "/data/latest/secret.txt",
        "/data/1999-01-01/manifest.json",
        "/data/2026-13-99/manifest.json",
    ],
)
def test_only_listed_files_of_listed_sets_are_served(client, built, url):
    assert client.get(url).status_code == 404


def test_nothing_is_served_before_the_first_set(client, settings, tmp_path):
    settings.OPEN_DATA_DIR = tmp_path / "none"
    assert client.get("/data/latest/manifest.json").status_code == 404


def test_data_json_is_a_dcat_us_catalogue_of_the_latest_files(client, built, settings):
    catalogue = client.get("/data.json").json()
    assert catalogue["conformsTo"] == "https://project-open-data.cio.gov/v1.1/schema"
    (dataset,) = catalogue["dataset"]
    # Every field DCAT-US requires is checked in test_data_json_schema.py.
    assert dataset["modified"] == built
    assert dataset["license"] == "https://creativecommons.org/licenses/by/4.0/"
    assert dataset["contactPoint"]["hasEmail"].startswith("mailto:")
    downloads = {d["downloadURL"]: d for d in dataset["distribution"] if "downloadURL" in d}
    manifest = bulk.manifest(built)
    assert set(downloads) == {
        f"http://testserver/data/latest/{f['name']}" for f in manifest["files"]
    }
    for url, distribution in downloads.items():
        response = client.get(url.removeprefix("http://testserver"))
        assert response.status_code == 200
        assert response["Content-Type"] == distribution["mediaType"]
    assert any(d.get("format") == "API" for d in dataset["distribution"])


def test_the_licence_has_an_address_of_its_own(client):
    response = client.get("/data/licence/")
    assert response.status_code == 302
    assert response["Location"] == "/data/#licence"


def test_the_commands_build_and_refuse_to_load_over_data(built, settings):
    from django.core.management import CommandError, call_command

    out = io.StringIO()
    call_command("build_bulk_data", stdout=out)
    assert "exists already" in out.getvalue()
    with pytest.raises(CommandError, match="empty instance"):
        call_command("load_bulk_data", str(settings.OPEN_DATA_DIR / built))
    with pytest.raises(CommandError, match="manifest.json"):
        call_command("load_bulk_data", str(settings.OPEN_DATA_DIR / "nowhere"))


def test_a_second_build_waits_for_none_and_is_skipped(built, settings):
    """While one run holds the lock, another records itself as skipped."""
    from django.db import connections

    from opendata.tasks import build_bulk_data
    from recommendations.models import TaskRun

    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(hashtext('opendata.build_bulk_data'))")
        build_bulk_data()
    finally:
        other.close()
    run = TaskRun.objects.get(task="opendata.tasks.build_bulk_data")
    assert run.outcome == "skipped"
