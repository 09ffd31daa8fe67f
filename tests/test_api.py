"""The read API (/api/v1/): its OpenAPI document, the same rows and counts as the web pages
under every filter they accept, and only published records whoever asks."""

import json
import re
from pathlib import Path

import pytest
from django.urls import URLResolver, get_resolver
from drf_spectacular.generators import SchemaGenerator
from openapi_spec_validator import validate
from rest_framework_api_key.models import APIKey

from api.filtering import api_filterset
from jurisdictions.filters import CommitmentFilter, JurisdictionFilter
from jurisdictions.models import Network, NetworkMembership
from recommendations.filters import CountryFilter, RecommendationFilter
from tests import factories

pytestmark = pytest.mark.django_db

API = "/api/v1"
COMMITTED = Path(__file__).resolve().parent.parent / "api" / "openapi.json"
LISTS = [
    "recommendations",
    "reviews",
    "countries",
    "themes",
    "affected-groups",
    "sdg-targets",
    "jurisdictions",
    "commitments",
    "progress-updates",
    "links",
]


@pytest.fixture(autouse=True)
def _generous_limit(settings):
    # These tests send many requests; the rate limit has its own tests.
    settings.API_RATE_ANONYMOUS = "100000/m"


def read_all(client, endpoint, params=(), **headers):
    """Every row of a list, following the cursors, and the count the first page gave."""
    url, rows, count = f"{API}/{endpoint}/", [], None
    params = [*params, ("page_size", "2")]
    while url:
        response = client.get(url, params, **headers)
        assert response.status_code == 200, response.content
        data = response.json()
        count = data["count"] if count is None else count
        rows += data["results"]
        url, params = data["next"], ()
    return rows, count


# --- The document ----------------------------------------------------------------------


def test_the_committed_document_is_the_one_the_code_generates():
    generated = SchemaGenerator().get_schema(request=None, public=True)
    committed = json.loads(COMMITTED.read_text(encoding="utf-8"))
    assert json.loads(json.dumps(generated)) == committed, (
        "api/openapi.json is out of date: run "
        "`manage.py spectacular --format openapi-json --file api/openapi.json`"
    )


def test_the_document_is_valid_openapi_and_lists_every_route(client):
    document = client.get(f"{API}/openapi.json").json()
    validate(document)

    def routes(patterns, prefix):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                yield from routes(entry.url_patterns, prefix + str(entry.pattern))
            else:
                yield prefix + str(entry.pattern)

    # The router's patterns (regular expressions) as OpenAPI writes paths.
    served = set()
    for route in routes(get_resolver().url_patterns, "/"):
        if route.startswith("/api/v1/^"):
            path = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"{\1}", route.replace("^", "").rstrip("$"))
            served.add(path.replace("{pk}", "{id}"))  # as drf-spectacular names it
    assert len(served) == 2 * len(LISTS)
    assert served == set(document["paths"])
    for name in LISTS:
        assert f"{API}/{name}/" in served


def test_the_documentation_page_lists_every_endpoint_without_script(client):
    response = client.get(f"{API}/")
    html = response.content.decode()
    assert response.status_code == 200
    for name in LISTS:
        assert f"GET {API}/{name}/</code>" in html
    assert "<script" not in html.split("<main", 1)[-1].split("</main>")[0]
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


# --- The same rows as the web pages ----------------------------------------------------


def recommendation_values(cat):
    return {
        "q": "police",
        "under_review": "all",
        "cycle": "3",
        "review": str(cat.cycle2.pk),
        "response": "supported",
        "theme": cat.death.slug,
        "group": "children",
        "sdg": "16.3",
        "country": "FRA",
        "region": "weog",
        "action": "5",
        "jurisdiction": "pittsburgh",
        "local_action": "any",
    }


def test_every_recommendation_filter_gives_the_web_pages_rows_and_count(client, cat):
    values = recommendation_values(cat)
    # A filter added to the page without a value here fails this test.
    assert set(api_filterset(RecommendationFilter).base_filters) == set(values)
    by_pk = {r.pk: r.public_id for r in (cat.abolish, cat.moratorium, cat.training, cat.excessive)}
    cases = [[]] + [[(name, value)] for name, value in values.items()]
    cases += [
        [("theme", cat.death.slug), ("response", "noted")],
        [("region", "weog"), ("cycle", "2")],
    ]
    for params in cases:
        page = client.get("/recommendations/", params)
        web_ids = {by_pk[r.pk] for r in page.context["page_obj"].object_list}
        rows, count = read_all(client, "recommendations", params)
        assert {r["id"] for r in rows} == web_ids, params
        assert count == page.context["page_obj"].paginator.count == len(rows), params


def test_facet_counts_are_the_web_pages(client, cat):
    for params in [[], [("theme", cat.death.slug)], [("q", "police"), ("region", "weog")]]:
        page = client.get("/recommendations/", params)
        data = client.get(f"{API}/recommendations/", [*params, ("facets", "true")]).json()
        web = {
            f["name"]: {o["value"]: o["count"] for o in f["options"]}
            for f in page.context["facets"]
            if not f.get("hidden")
        }
        api = {f["name"]: {o["value"]: o["count"] for o in f["options"]} for f in data["facets"]}
        assert api == web
    # Counted another way: the supported recommendations to the United States.
    data = client.get(f"{API}/recommendations/", {"facets": "true"}).json()
    response = next(f for f in data["facets"] if f["name"] == "response")
    assert {o["value"]: o["count"] for o in response["options"]}["supported"] == 2


def test_every_commitment_filter_gives_the_web_pages_rows_and_count(client, cat):
    network = Network.objects.create(name="Cities for CEDAW", slug="cedaw")
    NetworkMembership.objects.create(network=network, jurisdiction=cat.pittsburgh)
    other = factories.commitment(jurisdiction=cat.erie, title="Published plan on housing")
    values = {
        "q": "capital punishment",
        "jurisdiction": "pittsburgh",
        "state": "PA",
        "kind": other.kind,
        "status": "adopted",
        "theme": cat.death.slug,
        "network": "cedaw",
        "year": str(other.adopted_on.year) if other.adopted_on else "2020",
    }
    assert set(api_filterset(CommitmentFilter).base_filters) == set(values)
    for params in [[]] + [[(k, v)] for k, v in values.items()]:
        page = client.get("/commitments/", params)
        web_ids = {c.pk for c in page.context["page_obj"].object_list}
        rows, count = read_all(client, "commitments", params)
        assert {r["id"] for r in rows} == web_ids, params
        assert count == page.context["page_obj"].paginator.count, params
    page = client.get("/commitments/")
    data = client.get(f"{API}/commitments/", {"facets": "true"}).json()
    assert data["facets"] == json.loads(json.dumps(page.context["facets"]))


def test_every_jurisdiction_and_country_filter_gives_the_web_pages_rows(client, cat):
    values = {"q": "pitts", "kind": "city", "state": "PA"}
    assert set(api_filterset(JurisdictionFilter).base_filters) == set(values)
    for params in [[]] + [[(k, v)] for k, v in values.items()]:
        page = client.get("/jurisdictions/", params)
        rows, count = read_all(client, "jurisdictions", params)
        assert {r["slug"] for r in rows} == {j.slug for j in page.context["page_obj"].object_list}
        assert count == page.context["page_obj"].paginator.count
    assert set(api_filterset(CountryFilter).base_filters) == {"q"}
    for params in [[], [("q", "ran")]]:
        page = client.get("/countries/", params)
        rows, count = read_all(client, "countries", params)
        assert {r["iso3"] for r in rows} == {c.iso3 for c in page.context["countries"]}
        assert count == len(rows)


# --- Nothing unpublished, whoever asks ---------------------------------------------------


def test_no_unpublished_record_appears_for_anyone(client, cat):
    published, draft = cat.published, cat.draft
    factories.update(published, summary="Published step", publication="published")
    factories.update(published, summary="Draft step", publication="draft")
    factories.update(published, summary="Returned step", publication="rejected")
    factories.update(draft, summary="Step of a draft", publication="published")
    submitted = factories.commitment(jurisdiction=cat.erie, title="Sent", publication="submitted")
    rejected = factories.commitment(jurisdiction=cat.erie, title="Back", publication="rejected")
    factories.link(rejected, cat.moratorium)
    hidden = {draft.pk, submitted.pk, rejected.pk}

    erie_editor = factories.user()
    factories.membership(erie_editor, cat.erie, role="manager")
    _, key = APIKey.objects.create_key(name="researcher")
    as_editor = type(client)()
    as_editor.force_login(erie_editor)
    for who, c, headers in [
        ("anonymous", client, {}),
        ("another jurisdiction's editor", as_editor, {}),
        ("key", client, {"HTTP_AUTHORIZATION": f"Api-Key {key}"}),
    ]:
        commitments, _ = read_all(c, "commitments", **headers)
        assert {r["id"] for r in commitments} == {published.pk}, who
        updates, _ = read_all(c, "progress-updates", **headers)
        assert [u["summary"] for u in updates] == ["Published step"], who
        links, _ = read_all(c, "links", **headers)
        assert {link["commitment"] for link in links} == {published.pk}, who
        for pk in hidden:
            response = c.get(f"{API}/commitments/{pk}/", **headers)
            assert response.status_code == 404, who
            assert response.json()["error"]["code"] == "not_found"
        recs, _ = read_all(c, "recommendations", [("jurisdiction", "erie")], **headers)
        assert recs == [], who


# --- Good citizenship -------------------------------------------------------------------


def test_unchanged_answers_are_304_with_etag_and_last_modified(client, cat):
    first = client.get(f"{API}/recommendations/")
    assert first["ETag"] and first["Last-Modified"]
    again = client.get(f"{API}/recommendations/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304 and again.content == b""
    since = client.get(
        f"{API}/commitments/{cat.published.pk}/",
    )
    later = client.get(
        f"{API}/commitments/{cat.published.pk}/", HTTP_IF_MODIFIED_SINCE=since["Last-Modified"]
    )
    assert later.status_code == 304
    # A change changes the tag.
    cat.moratorium.text = "Stop executions for now."
    cat.moratorium.save()
    changed = client.get(f"{API}/recommendations/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200 and changed["ETag"] != first["ETag"]


def test_any_origin_may_read_the_api_and_nothing_else(client, cat):
    api = client.get(f"{API}/themes/", HTTP_ORIGIN="https://news.example")
    assert api["Access-Control-Allow-Origin"] == "*"
    assert "ETag" in api["Access-Control-Expose-Headers"]
    page = client.get("/themes/", HTTP_ORIGIN="https://news.example")
    assert "Access-Control-Allow-Origin" not in page
    preflight = client.options(
        f"{API}/themes/",
        HTTP_ORIGIN="https://news.example",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization",
    )
    assert preflight.status_code == 200
    assert "GET" in preflight["Access-Control-Allow-Methods"]


def test_the_published_limit_answers_429_with_retry_after_and_a_key_raises_it(
    client, cat, settings
):
    settings.API_RATE_ANONYMOUS = "2/m"
    settings.API_RATE_WITH_KEY = "4/m"
    assert [client.get(f"{API}/themes/").status_code for _ in range(3)] == [200, 200, 429]
    refused = client.get(f"{API}/themes/")
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert refused.json()["error"]["code"] == "rate_limited"

    key_obj, key = APIKey.objects.create_key(name="newsroom")
    auth = {"HTTP_AUTHORIZATION": f"Api-Key {key}"}
    codes = [client.get(f"{API}/themes/", **auth).status_code for _ in range(5)]
    assert codes == [200, 200, 200, 200, 429]
    # Revoked, the key is refused outright.
    key_obj.revoked = True
    key_obj.save()
    refused = client.get(f"{API}/themes/", **auth)
    assert refused.status_code == 401
    assert refused.json()["error"]["parameter"] == "Authorization"
    unknown = client.get(f"{API}/themes/", HTTP_AUTHORIZATION="Api-Key nope.nope")
    assert unknown.status_code == 401


# --- Bad input --------------------------------------------------------------------------

JUNK = [
    ("no_such_filter=1", "no_such_filter"),
    ("cursor=bm90LWEtY3Vyc29y", "cursor"),
    ("cursor=cD1hYmM%3D", "cursor"),
    ("page_size=100000", "page_size"),
    ("page_size=-1", "page_size"),
    ("q=a%00b", "q"),
    ("q=%ff%fe", "q"),
    ("%ff=1", "\ufffd"),
]


@pytest.mark.parametrize("endpoint", LISTS)
def test_junk_parameters_are_a_400_naming_the_parameter(client, cat, endpoint):
    for query, parameter in JUNK:
        response = client.get(f"{API}/{endpoint}/?{query}")
        assert response.status_code == 400, (endpoint, query, response.content)
        error = response.json()["error"]
        assert error["parameter"] == parameter, (endpoint, query)
        assert set(error) == {"status", "code", "message", "parameter"}


def test_invalid_filter_values_are_a_400_naming_the_filter(client, cat):
    for endpoint, query, parameter in [
        ("recommendations", "cycle=99", "cycle"),
        ("recommendations", "review=99999999999999999999999", "review"),
        ("recommendations", "theme=no-such-theme", "theme"),
        ("recommendations", "q=" + "x" * 301, "q"),
        ("recommendations", "facets=maybe", "facets"),
        ("commitments", "year=99999999999999999999", "year"),
        ("jurisdictions", "state=ZZ", "state"),
    ]:
        response = client.get(f"{API}/{endpoint}/?{query}")
        assert response.status_code == 400, (endpoint, query)
        assert response.json()["error"]["parameter"] == parameter


def test_records_that_do_not_exist_and_other_methods_answer_in_json(client, cat):
    for path in [
        f"{API}/recommendations/USA-9-0.0/",
        f"{API}/commitments/99999999999999999999999/",
        f"{API}/countries/%00/",
        f"{API}/no-such-list/",
    ]:
        response = client.get(path)
        assert response.status_code == 404, path
        assert response.json()["error"]["status"] == 404
    post = client.post(f"{API}/themes/")
    assert post.status_code == 405
    assert post.json()["error"]["code"] == "method_not_allowed"


# --- Keys -------------------------------------------------------------------------------


def test_curators_issue_and_revoke_keys_and_nobody_else_can(client, cat):
    editor = factories.user()
    factories.membership(editor, cat.pittsburgh, role="manager")
    client.force_login(editor)
    assert client.get("/manage/api-keys/").status_code == 403
    assert client.post("/manage/api-keys/", {"name": "x"}).status_code == 403
    client.logout()
    assert client.get("/manage/api-keys/").status_code == 302  # to sign in

    client.force_login(factories.curator())
    page = client.post("/manage/api-keys/", {"name": "City Herald data desk"})
    key = page.context["issued"]
    assert key in page.content.decode()
    auth = {"HTTP_AUTHORIZATION": f"Api-Key {key}"}
    assert client.get(f"{API}/themes/", **auth).status_code == 200
    # Listed afterwards by name and prefix, never in full.
    listing = client.get("/manage/api-keys/").content.decode()
    assert "City Herald data desk" in listing and key not in listing

    prefix = key.split(".")[0]
    client.post(f"/manage/api-keys/{prefix}/revoke/")
    assert client.get(f"{API}/themes/", **auth).status_code == 401
    assert APIKey.objects.get(prefix=prefix).revoked


# --- Query counts -----------------------------------------------------------------------


def test_lists_and_details_take_a_fixed_number_of_queries(
    client, cat, django_assert_max_num_queries
):
    for n in range(6):
        factories.recommendation(review=cat.cycle3, paragraph=f"30.{n}", themes=[cat.death])
        factories.link(factories.commitment(jurisdiction=cat.erie), cat.moratorium)
    client.get(f"{API}/recommendations/")  # builds the facet index once
    # Facet version, names of the arrays (3), the page; the count comes from the index.
    with django_assert_max_num_queries(8):
        data = client.get(f"{API}/recommendations/", {"theme": cat.death.slug}).json()
    assert len(data["results"]) == 8
    # The page, its themes and links (prefetched), the count.
    with django_assert_max_num_queries(5):
        data = client.get(f"{API}/commitments/").json()
    assert len(data["results"]) == 7
    # The record, the names of its arrays (3).
    with django_assert_max_num_queries(4):
        client.get(f"{API}/recommendations/{cat.abolish.public_id}/")


def test_a_record_is_found_whatever_the_lists_default_filters(client, cat):
    mexico = factories.review(state_under_review=cat.brazil, cycle=1)
    rec = factories.recommendation(review=mexico, paragraph="90.1")
    assert rec.public_id == "BRA-1-90.1"
    data = client.get(f"{API}/recommendations/BRA-1-90.1/").json()
    assert data["state_under_review"] == "BRA" and data["id"] == rec.public_id
    rows, _ = read_all(client, "recommendations")
    assert rec.public_id not in {r["id"] for r in rows}  # as on the page: the US by default
