"""Permanent public identifiers of recommendations, their URLs, and the identifiers of
jurisdictions (Census GEOID, Open Civic Data division)."""

import importlib

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from jurisdictions.models import Jurisdiction
from recommendations.models import Recommendation, Review
from tests import factories
from tests.helpers import write_upr_info
from tests.test_export_roundtrip import empty_database

pytestmark = pytest.mark.django_db


def test_a_recommendation_is_named_by_state_cycle_and_paragraph(reference_data):
    rec = factories.recommendation(paragraph="26.49")
    rec.refresh_from_db()
    assert rec.public_id == "USA-3-26.49"
    # The instance knows it straight after the insert (read back with RETURNING).
    assert factories.recommendation(paragraph="26.50").public_id == "USA-3-26.50"


def test_records_without_a_paragraph_are_numbered_within_their_review(reference_data):
    first = factories.recommendation(paragraph="")
    second = factories.recommendation(paragraph="")
    other_cycle = factories.recommendation(paragraph="", review=factories.review(cycle=2))
    assert [first.public_id, second.public_id, other_cycle.public_id] == [
        "USA-3-n1",
        "USA-3-n2",
        "USA-2-n1",
    ]


def test_bulk_inserts_and_odd_paragraphs_get_distinct_identifiers(reference_data):
    review = factories.review()
    objs = Recommendation.objects.bulk_create(
        [
            Recommendation(review=review, paragraph="92.1 bis", text="a"),
            Recommendation(review=review, paragraph="92.1/bis", text="b"),
            Recommendation(review=review, text="c"),
            Recommendation(review=review, text="d"),
        ]
    )
    assert [o.public_id for o in objs] == ["USA-3-92.1_bis", "USA-3-n1", "USA-3-n2", "USA-3-n3"]


def test_the_identifier_never_changes_with_the_record(reference_data):
    rec = factories.recommendation(paragraph="26.7")
    rec.paragraph = "26.8"
    rec.review = factories.review(cycle=2)
    rec.save()
    rec.refresh_from_db()
    assert rec.public_id == "USA-3-26.7"


def test_an_import_gives_every_new_record_an_identifier(reference_data, tmp_path):
    path = write_upr_info(
        tmp_path,
        "United States,WEOG,,Close the camp.,Norway,WEOG,,Accepted,4,Detention,22",
    )
    call_command("import_recommendations", str(path), "--state", "USA")
    assert list(Recommendation.objects.values_list("public_id", flat=True)) == ["USA-2-n1"]


def test_the_migration_names_stored_rows_as_the_trigger_does(reference_data):
    review = factories.review()
    recs = [factories.recommendation(review=review, paragraph=p) for p in ["26.1", "", "26.3", ""]]
    expected = {r.pk: r.public_id for r in recs}
    migration = importlib.import_module("recommendations.migrations.0017_public_id")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE recommendations_recommendation SET public_id = 'old' || id")
        cursor.execute(migration.FILL)
        cursor.execute("UPDATE recommendations_review SET public_numbers = 0")
        cursor.execute(migration.FILL_NUMBERS)
    assert dict(Recommendation.objects.values_list("pk", "public_id")) == expected
    # Numbering goes on after the numbers the migration gave.
    assert factories.recommendation(review=review, paragraph="").public_id == "USA-3-n3"


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_identifiers_survive_export_and_import_into_another_database(reference_data, tmp_path, fmt):
    review = factories.review()
    moved = factories.recommendation(review=review, paragraph="26.2")
    # Corrected after it was first stored: its identifier keeps the first paragraph.
    Recommendation.objects.filter(pk=moved.pk).update(paragraph="26.20")
    factories.recommendation(review=review, paragraph="")
    before = set(Recommendation.objects.values_list("public_id", "paragraph"))
    path = tmp_path / f"all.{fmt}"
    call_command("export_recommendations", "--format", fmt, "--output", str(path))

    empty_database()
    # The other database already holds a record that would take "n1" if derived.
    factories.recommendation(
        review=Review.objects.create(state_under_review=review.state_under_review, cycle=1),
        paragraph="",
    )
    call_command("import_recommendations", str(path))
    after = set(
        Recommendation.objects.exclude(review__cycle=1).values_list("public_id", "paragraph")
    )
    assert after == before == {("USA-3-26.2", "26.20"), ("USA-3-n1", "")}


def test_a_malformed_identifier_in_a_native_file_is_refused(reference_data, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(
        "public_id,state_under_review,cycle,text\nUSA 3 <x>,USA,3,Do something.\n",
        encoding="utf-8",
    )
    with pytest.raises(CommandError):
        call_command("import_recommendations", str(path))
    assert not Recommendation.objects.exists()


def test_the_numeric_address_redirects_to_the_permanent_one(client, reference_data):
    rec = factories.recommendation(paragraph="26.49")
    response = client.get(f"/recommendations/{rec.pk}/")
    assert response.status_code == 301
    assert response["Location"] == "/r/USA-3-26.49/"
    page = client.get("/r/USA-3-26.49/")
    assert page.status_code == 200
    assert "A/HRC/46/15, para. 26.49" in page.content.decode()
    assert client.get("/r/USA-3-99.99/").status_code == 404
    assert client.get("/recommendations/999999/").status_code == 404


def test_jurisdictions_carry_geoid_and_ocd_division(reference_data):
    call_command("seed_demo", verbosity=0)
    wanted = {
        "united-states": ("", "ocd-division/country:us"),
        "pennsylvania": ("42", "ocd-division/country:us/state:pa"),
        "district-of-columbia": ("11", "ocd-division/country:us/district:dc"),
        "puerto-rico": ("72", "ocd-division/country:us/territory:pr"),
        "allegheny-county": ("42003", "ocd-division/country:us/state:pa/county:allegheny"),
        "pittsburgh": ("4261000", "ocd-division/country:us/state:pa/place:pittsburgh"),
    }
    found = {j.slug: (j.geoid, j.ocd_id) for j in Jurisdiction.objects.filter(slug__in=wanted)}
    assert found == wanted
    # Every state and territory has one; no two jurisdictions share one.
    assert not Jurisdiction.objects.filter(kind__in=["state", "territory"], ocd_id="").exists()
