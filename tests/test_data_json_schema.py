"""/data.json against the DCAT-US 1.1 field rules written down in opendata/dcat/: the
catalogue as served, before and after the first bulk set, and proof that the schema
refuses a catalogue missing what the standard requires."""

import copy
import json
from pathlib import Path

import pytest
from django.utils import timezone
from jsonschema import Draft202012Validator

from opendata import bulk
from tests.browse_data import build_catalogue

pytestmark = pytest.mark.django_db

SCHEMA = json.loads(
    (Path(__file__).parent.parent / "opendata" / "dcat" / "dcat-us-1.1.json").read_text()
)
REQUIRED = (
    "title",
    "description",
    "keyword",
    "modified",
    "publisher",
    "contactPoint",
    "identifier",
    "accessLevel",
)


def problems(catalogue: dict) -> list[str]:
    validator = Draft202012Validator(SCHEMA)
    return [
        "/".join(str(p) for p in error.absolute_path) + ": " + error.message
        for error in validator.iter_errors(catalogue)
    ]


@pytest.fixture
def opendata_dir(settings, tmp_path):
    settings.OPEN_DATA_DIR = tmp_path / "opendata"


@pytest.fixture
def served(client, opendata_dir):
    build_catalogue()
    bulk.build()
    return client.get("/data.json").json()


def test_the_schema_is_itself_a_valid_json_schema():
    meta = Draft202012Validator(Draft202012Validator.META_SCHEMA)
    assert [error.message for error in meta.iter_errors(SCHEMA)] == []


def test_the_served_catalogue_meets_dcat_us(served):
    assert problems(served) == []
    (dataset,) = served["dataset"]
    assert len([d for d in dataset["distribution"] if "downloadURL" in d]) > 1


def test_the_catalogue_meets_dcat_us_before_the_first_bulk_set(client, opendata_dir):
    catalogue = client.get("/data.json").json()
    assert problems(catalogue) == []
    (dataset,) = catalogue["dataset"]
    # Only the API is offered, and its data is as of today.
    assert [d["format"] for d in dataset["distribution"]] == ["API"]
    assert dataset["modified"] == timezone.now().date().isoformat()


def test_the_contact_falls_back_to_the_sender_address_only_when_it_is_one(
    client, opendata_dir, settings
):
    settings.OPEN_DATA_CONTACT_EMAIL = ""
    settings.DEFAULT_FROM_EMAIL = "UPR Tracker <news@city.example.org>"
    (dataset,) = client.get("/data.json").json()["dataset"]
    assert dataset["contactPoint"]["hasEmail"] == "mailto:news@city.example.org"
    settings.DEFAULT_FROM_EMAIL = "UPR Tracker <noreply@localhost>"
    catalogue = client.get("/data.json").json()
    assert catalogue["dataset"][0]["contactPoint"]["hasEmail"] == "mailto:contact@example.invalid"
    assert problems(catalogue) == []
    settings.OPEN_DATA_CONTACT_EMAIL = "open.data@pittsburghpa.gov"
    (dataset,) = client.get("/data.json").json()["dataset"]
    assert dataset["contactPoint"]["hasEmail"] == "mailto:open.data@pittsburghpa.gov"


@pytest.mark.parametrize("field", REQUIRED)
def test_a_dataset_without_a_required_field_is_refused(served, field):
    broken = copy.deepcopy(served)
    del broken["dataset"][0][field]
    assert problems(broken) == [f"dataset/0: '{field}' is a required property"]


@pytest.mark.parametrize(
    "where, change, complaint",
    [
        ("catalogue", lambda c: c.pop("conformsTo"), "'conformsTo' is a required property"),
        ("dataset", lambda d: d.update(accessLevel="open"), "accessLevel"),
        ("dataset", lambda d: d.update(modified=""), "modified"),
        ("dataset", lambda d: d.update(keyword=[]), "keyword"),
        (
            "dataset",
            lambda d: d["contactPoint"].update(hasEmail="opendata@city.example"),
            "hasEmail",
        ),
        ("dataset", lambda d: d["contactPoint"].pop("fn"), "'fn' is a required property"),
        ("dataset", lambda d: d["publisher"].pop("name"), "'name' is a required property"),
        ("dataset", lambda d: d.update(license="CC BY 4.0"), "license"),
        ("dataset", lambda d: d.update(accrualPeriodicity="daily"), "accrualPeriodicity"),
        ("dataset", lambda d: d.update(accessLevel="non-public"), "'rights' is a required"),
        ("file", lambda f: f.pop("mediaType"), "distribution/0"),
        ("file", lambda f: f.update(mediaType="zip"), "distribution/0"),
        ("file", lambda f: f.pop("downloadURL"), "distribution/0"),
    ],
)
def test_a_catalogue_breaking_a_field_rule_is_refused(served, where, change, complaint):
    broken = copy.deepcopy(served)
    dataset = broken["dataset"][0]
    change({"catalogue": broken, "dataset": dataset, "file": dataset["distribution"][0]}[where])
    found = problems(broken)
    assert found and any(complaint in p for p in found), found
