"""export.csv and export.json beside every list: same filters, every row, public URLs."""

import csv
import io
import json

import pytest

from recommendations import native
from tests import factories

pytestmark = pytest.mark.django_db


def body(response) -> str:
    assert response.status_code == 200
    assert response.streaming
    return b"".join(response.streaming_content).decode()


def csv_rows(client, url, **params):
    return list(csv.DictReader(io.StringIO(body(client.get(url, params)))))


def json_rows(client, url, **params):
    return json.loads(body(client.get(url, params)))


def test_recommendations_csv_has_the_native_columns_and_public_urls(client, cat):
    rows = csv_rows(client, "/recommendations/export.csv", theme=cat.death.slug)
    assert list(rows[0].keys()) == native.FIELDS
    assert {row["citation"] for row in rows} == {
        "A/HRC/46/15, para. 26.1",
        "A/HRC/46/15, para. 26.2",
    }
    by_paragraph = {row["paragraph"]: row for row in rows}
    assert by_paragraph["26.1"]["url"].endswith(f"/r/{cat.abolish.public_id}/")
    assert rows[0]["url"].startswith("http")


def test_recommendations_json_takes_the_same_filters(client, cat):
    rows = json_rows(client, "/recommendations/export.json", response="supported", region="weog")
    assert [row["paragraph"] for row in rows] == ["26.1"]
    assert rows[0]["recommending_states"] == "FRA"
    assert rows[0]["themes"] == "Death penalty"
    assert rows[0]["theme_vocabularies"] == "upr_info"


def test_exports_return_every_matching_row_not_one_page(client, cat):
    for n in range(60):
        factories.recommendation(review=cat.cycle3, paragraph=f"99.{n}", response="pending")
    assert len(csv_rows(client, "/recommendations/export.csv", response="pending")) == 60
    assert (
        len(json_rows(client, "/recommendations/export.json", response="pending", page="2")) == 60
    )


def test_export_query_count_does_not_grow_with_rows(client, cat, django_assert_max_num_queries):
    for n in range(50):
        factories.recommendation(
            review=cat.cycle3, paragraph=f"98.{n}", recommending_countries=[cat.france]
        )
    with django_assert_max_num_queries(8):
        rows = csv_rows(client, "/recommendations/export.csv")
    assert len(rows) == 54


def test_commitment_exports_hold_only_published_commitments(client, cat):
    for publication in ["draft", "submitted", "rejected"]:
        factories.commitment(
            jurisdiction=cat.pittsburgh, title=f"Hidden {publication}", publication=publication
        )
    rows = csv_rows(client, "/commitments/export.csv")
    assert [row["title"] for row in rows] == ["Resolution against capital punishment"]
    assert rows[0]["url"].endswith(f"/commitments/{cat.published.pk}/")
    assert rows[0]["recommendations"].endswith(f"/r/{cat.abolish.public_id}/")
    assert rows[0]["themes"] == cat.death.slug
    data = json_rows(client, "/commitments/export.json")
    assert [row["title"] for row in data] == ["Resolution against capital punishment"]


def test_commitment_exports_take_the_list_filters(client, cat):
    factories.commitment(jurisdiction=cat.erie, title="Erie plan", status="proposed")
    rows = json_rows(client, "/commitments/export.json", status="proposed")
    assert [row["title"] for row in rows] == ["Erie plan"]
    assert rows[0]["jurisdiction_url"].endswith("/jurisdictions/erie/")


def test_jurisdiction_exports_take_the_list_filters(client, cat):
    factories.jurisdiction(name="Austin", slug="austin", state_code="TX")
    rows = csv_rows(client, "/jurisdictions/export.csv", state="PA")
    assert {row["slug"] for row in rows} == {"pittsburgh", "erie"}
    assert all(row["url"].endswith(f"/jurisdictions/{row['slug']}/") for row in rows)
    data = json_rows(client, "/jurisdictions/export.json", state="TX")
    assert [row["name"] for row in data] == ["Austin"]


def test_an_unknown_export_format_is_a_404(client, cat):
    assert client.get("/recommendations/export.xml").status_code == 404
    assert client.get("/commitments/export.txt").status_code == 404


def test_the_fast_postgres_export_writes_exactly_what_native_row_writes(cat):
    from recommendations.exports import recommendation_rows
    from recommendations.models import Recommendation

    cat.excessive.uhri_id = "0b7e6f4e-5d7a-4a8e-9a57-3f1c2d4e5f60"
    cat.excessive.response_note = "Only in part."
    cat.excessive.save()
    factories.recommendation(review=cat.cycle3, paragraph="", text="No paragraph number.")
    queryset = Recommendation.objects.for_export().order_by("pk")
    expected = [native.row(rec) for rec in queryset]
    assert list(recommendation_rows(queryset)) == expected


@pytest.mark.parametrize("extra", [9, 10])
def test_an_export_read_in_small_ranges_gives_every_row_once_in_order(cat, monkeypatch, extra):
    """Recommendation exports read one primary-key range per query (exports.in_pk_order):
    across the ranges' edges, whether the last range is full or not, nothing is lost or
    repeated."""
    from recommendations import exports
    from recommendations.models import Recommendation

    monkeypatch.setattr(exports, "FIRST_RANGE", 2)
    monkeypatch.setattr(exports, "RANGE", 3)
    for n in range(extra):
        factories.recommendation(review=cat.cycle3, paragraph=f"97.{n}")
    queryset = Recommendation.objects.for_export().order_by("pk")
    expected = [native.row(rec) for rec in queryset]
    assert len(expected) > 2 + 3 * 2
    assert list(exports.recommendation_rows(queryset)) == expected


@pytest.mark.parametrize("url", ["/jurisdictions/export.csv", "/commitments/export.json"])
def test_the_other_exports_read_in_small_ranges_give_the_same_rows(client, cat, monkeypatch, url):
    """The jurisdiction and commitment exports read the same primary-key ranges: with
    ranges of two and three rows the download equals the one read in a single range."""
    from recommendations import exports

    for n in range(8):
        factories.commitment(title=f"Range plan {n}")  # each in a town of its own
    whole = body(client.get(url))
    monkeypatch.setattr(exports, "FIRST_RANGE", 2)
    monkeypatch.setattr(exports, "RANGE", 3)
    ranged = body(client.get(url))
    assert ranged == whole
    rows = json.loads(whole) if url.endswith(".json") else list(csv.DictReader(io.StringIO(whole)))
    assert len(rows) > 2 + 3 * 2  # past the edges of three ranges
    assert len({row["url"] for row in rows}) == len(rows)
