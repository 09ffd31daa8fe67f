"""The daily bulk files: what they hold (only published data), their manifest, the job
that builds them, and the round trip into an empty instance."""

import csv
import datetime
import gzip
import hashlib
import io
import json
import zipfile

import pytest
from django.core.cache import cache
from django.core.management import call_command

from jurisdictions.models import Commitment, Network, NetworkMembership
from opendata import bulk, load
from opendata.tables import TABLES
from tests import factories
from tests.browse_data import build_catalogue
from tests.test_api import API
from tests.test_api import LISTS as API_LISTS

pytestmark = pytest.mark.django_db


@pytest.fixture
def data_dir(settings, tmp_path):
    settings.OPEN_DATA_DIR = tmp_path / "opendata"
    return settings.OPEN_DATA_DIR


@pytest.fixture
def scene(db):
    """The browsing catalogue, with a theme hierarchy, a county above the city, updates
    published and not, and text a spreadsheet would run as a formula."""
    cat = build_catalogue()
    state = factories.jurisdiction(name="Pennsylvania", slug="pa", kind="state", fips="42")
    cat.pittsburgh.parent = state
    cat.pittsburgh.ocd_id = "ocd-division/country:us/state:pa/place:pittsburgh"
    cat.pittsburgh.save()
    cat.death.parent = factories.theme(vocabulary="project", name="Right to life")
    cat.death.save()
    cat.published.summary = '=HYPERLINK("x") opposes executions; ünïcode'
    cat.published.target_date = datetime.date(2030, 1, 1)
    cat.published.save()
    factories.update(cat.published, summary="Hearing held.", status="in_progress")
    factories.update(cat.published, summary="Unpublished note.", publication="draft")
    factories.update(cat.draft, summary="Draft's own update.")
    return cat


def api_snapshot(client) -> dict:
    """Every public record the API gives, keyed by list."""
    snapshot = {}
    for name in API_LISTS:
        params = {"page_size": 100}
        if name == "recommendations":
            params["under_review"] = "all"
        rows = client.get(f"{API}/{name}/", params).json()["results"]
        for row in rows:
            # The moment of the last write, which a load is; every other field must match.
            if name == "recommendations":
                row.pop("updated_at")
        snapshot[name] = rows
    return snapshot


def table_rows() -> dict:
    return {t.name: list(t.rows("http://testserver")) for t in TABLES}


def test_the_set_holds_every_table_with_its_checksums_and_row_counts(scene, data_dir):
    counts = bulk.build()
    day = counts["day"]
    manifest = json.loads((data_dir / day / "manifest.json").read_text())
    names = {entry["name"] for entry in manifest["files"]}
    assert names == {"upr-tracker-csv.zip"} | {f"{t.name}.jsonl.gz" for t in TABLES}
    for entry in manifest["files"]:
        raw = (data_dir / day / entry["name"]).read_bytes()
        assert entry["sha256"] == hashlib.sha256(raw).hexdigest()
        assert entry["bytes"] == len(raw)
        if entry["format"] == "jsonl":
            lines = gzip.decompress(raw).decode().splitlines()
            assert len(lines) == entry["rows"]
    archive = zipfile.ZipFile(data_dir / day / "upr-tracker-csv.zip")
    for member in manifest["files"][0]["tables"]:
        content = archive.read(member["name"])
        assert hashlib.sha256(content).hexdigest() == member["sha256"]
        rows = list(csv.reader(io.StringIO(content.decode())))
        assert len(rows) - 1 == member["rows"]
    # Counted another way: what the database holds in public.
    tables = {t["name"]: t["rows"] for t in manifest["tables"]}
    assert tables["recommendations"] == 4
    assert tables["commitments"] == Commitment.objects.filter(publication="published").count() == 1
    assert tables["commitment_links"] == 1
    assert tables["progress_updates"] == 1
    assert tables["jurisdictions"] == 3


def test_no_draft_or_unpublished_record_is_in_any_file(scene, data_dir):
    day = bulk.build()["day"]
    everything = b""
    for path in (data_dir / day).iterdir():
        if path.suffix == ".gz":
            everything += gzip.decompress(path.read_bytes())
    with zipfile.ZipFile(data_dir / day / "upr-tracker-csv.zip") as archive:
        for name in archive.namelist():
            everything += archive.read(name)
    text = everything.decode()
    assert "Resolution against capital punishment" in text
    for secret in ("Draft police training plan", "Unpublished note.", "Draft's own update."):
        assert secret not in text


def test_a_formula_is_neutralised_in_csv_and_kept_in_json_lines(scene, data_dir):
    day = bulk.build()["day"]
    with zipfile.ZipFile(data_dir / day / "upr-tracker-csv.zip") as archive:
        rows = list(csv.DictReader(io.StringIO(archive.read("commitments.csv").decode())))
    assert rows[0]["summary"].startswith("'=HYPERLINK")
    line = gzip.decompress((data_dir / day / "commitments.jsonl.gz").read_bytes()).decode()
    assert json.loads(line)["summary"].startswith("=HYPERLINK")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_a_set_loaded_into_an_empty_instance_gives_the_same_public_data(client, data_dir, fmt):
    from jurisdictions.seed import seed_jurisdictions

    seed_jurisdictions()
    scene = build_catalogue()
    network = Network.objects.create(name="Cities for CEDAW", slug="cities-for-cedaw")
    NetworkMembership.objects.create(
        network=network, jurisdiction=scene.pittsburgh, joined_on=datetime.date(2016, 12, 6)
    )
    factories.update(scene.published, summary="Hearing held.", status="in_progress")
    factories.update(scene.published, summary="Unpublished.", publication="draft")
    before_api = api_snapshot(client)
    before_rows = table_rows()
    public_ids = sorted(r["id"] for r in before_api["recommendations"])
    day = bulk.build()["day"]

    call_command("flush", interactive=False, verbosity=0)
    cache.clear()
    assert api_snapshot(client)["recommendations"] == []

    counts = load.load(data_dir / day, fmt)
    cache.clear()

    assert counts["recommendations"] == 4
    after_api = api_snapshot(client)
    assert sorted(r["id"] for r in after_api["recommendations"]) == public_ids
    for name in API_LISTS:
        assert after_api[name] == before_api[name], name
    assert before_rows["network_memberships"] == [
        ("cities-for-cedaw", "pittsburgh", "2016-12-06", "")
    ]
    assert table_rows() == before_rows
    # The identifiers stay permanent after the load: a new record is numbered after them.
    new = factories.commitment(jurisdiction=factories.jurisdiction(), title="New")
    assert new.pk > max(r["id"] for r in before_api["commitments"])


def test_a_set_is_not_loaded_into_a_database_with_data(scene, data_dir):
    day = bulk.build()["day"]
    with pytest.raises(load.LoadError, match="empty instance"):
        load.load(data_dir / day, "jsonl")


def test_a_file_that_fails_its_checksum_is_refused(scene, data_dir):
    day = bulk.build()["day"]
    path = data_dir / day / "recommendations.jsonl.gz"
    path.write_bytes(path.read_bytes() + b"x")
    with pytest.raises(load.LoadError, match="SHA-256"):
        load.load(data_dir / day, "jsonl")


def test_the_job_builds_once_a_day_and_keeps_thirty_days(scene, data_dir, settings):
    from opendata.tasks import build_bulk_data
    from recommendations.models import TaskRun

    first = build_bulk_data()
    second = build_bulk_data()
    assert first["built"] == 1 and second["built"] == 0
    old = data_dir / "2000-01-01"
    old.mkdir()
    (old / "manifest.json").write_text("{}")
    assert bulk.days()[-1] == "2000-01-01"
    assert build_bulk_data()["pruned"] == 1
    assert not old.exists()
    assert list(TaskRun.objects.values_list("outcome", flat=True)) == ["succeeded"] * 3


def test_a_half_built_set_is_never_listed(scene, data_dir):
    data_dir.mkdir(parents=True)
    (data_dir / ".building-2026-01-01-abc").mkdir()
    (data_dir / "2026-01-02").mkdir()  # no manifest: not complete
    assert bulk.days() == []
    day = bulk.build()["day"]
    assert bulk.days() == [day]
    assert not [p for p in data_dir.iterdir() if p.name.startswith(".building-20")][1:]
