"""The derived data that keeps /recommendations/ fast stays true to the links, whoever
writes them: the facet arrays on each row and the counts read from them, "recommended
again" (computed on write), the facet cache key, the depth limit and the streamed export."""

import io
import random
from collections import Counter
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection, transaction
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext

from jurisdictions.denormalised import repair_theme_counts
from jurisdictions.local_status import refresh_local_status
from recommendations import facets, listing, views
from recommendations.filters import RecommendationFilter, facet_counts
from recommendations.importers.pipeline import import_file
from recommendations.models import Country, Recommendation, Theme
from recommendations.recurrence import refresh_recommended_again
from tests import factories

pytestmark = pytest.mark.django_db
DATA = Path(__file__).parent / "data"


def expected_counts(recs, chosen: dict) -> dict[str, Counter]:
    """Facet counts worked out in Python from loaded rows: for each facet, the rows that
    pass every chosen filter but that facet's own. A recommendation is under each of its
    themes and every broader theme above them."""
    parents = dict(Theme.objects.values_list("slug", "parent__slug"))

    def with_broader(slugs):
        found = set()
        for slug in slugs:
            while slug and slug not in found:
                found.add(slug)
                slug = parents[slug]
        return found

    def values(rec, name):
        if name == "cycle":
            return {str(rec.review.cycle)}
        if name == "response":
            return {rec.response}
        if name == "theme":
            return with_broader(t.slug for t in rec.themes.all())
        if name == "country":
            return {c.iso3 for c in rec.recommending_countries.all() if c.kind == "state"}
        if name == "region":
            return {c.region for c in rec.recommending_countries.all() if c.region}
        if name == "group":
            return {g.slug for g in rec.affected_groups.all()}
        if name == "local_action":
            # Each status, and "any" for every status but none.
            return {rec.local_status} | ({"any"} if rec.local_status != "none" else set())
        if name == "under_review":
            return {rec.review.state_under_review.iso3, "all"}
        raise AssertionError(name)

    names = ["cycle", "response", "theme", "country", "region", "group", "local_action"]
    counts = {}
    for facet in names:
        counts[facet] = Counter()
        for rec in recs:
            if all(values(rec, n) & set(v) for n, v in chosen.items() if n != facet):
                counts[facet].update(values(rec, facet))
    return counts


def shown_counts(params: dict) -> dict[str, dict]:
    query = QueryDict(mutable=True)
    for name, value in params.items():
        query.setlist(name, value)
    filterset = RecommendationFilter(query, queryset=Recommendation.objects.for_list())
    return {
        facet["name"]: {o["value"]: o["count"] for o in facet["options"] if o["count"]}
        for facet in facet_counts(filterset)
    }


def assert_facets_match(chosen: dict):
    recs = list(
        Recommendation.objects.select_related("review__state_under_review").prefetch_related(
            "themes", "recommending_countries", "affected_groups"
        )
    )
    # Without a state under review the list shows the United States' reviews.
    expected = expected_counts(recs, {"under_review": ["USA"], **chosen})
    shown = shown_counts(chosen)
    for facet, counts in expected.items():
        assert shown[facet] == {k: v for k, v in counts.items() if v}, (facet, chosen)


def assert_arrays_in_sync():
    """Every kept array equals its link rows (the recommendations' facet arrays, the
    commitments' theme_ids), the kept theme counts equal a count over the arrays, and the
    facet counts equal a recount of the links."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT recommendations_stale_arrays(), jurisdictions_stale_theme_ids()")
        assert cursor.fetchone() == ([], [])
        cursor.execute(
            """
            SELECT count(*) FROM recommendations_recommendation r WHERE
              r.theme_ids <> COALESCE((SELECT array_agg(theme_id ORDER BY theme_id)
                FROM recommendations_recommendation_themes
                WHERE recommendation_id = r.id)::integer[], '{}')
              OR r.country_ids <> COALESCE((SELECT array_agg(country_id ORDER BY country_id)
                FROM recommendations_recommendation_recommending_countries
                WHERE recommendation_id = r.id)::integer[], '{}')
            """
        )
        assert cursor.fetchone()[0] == 0
    with transaction.atomic():
        assert repair_theme_counts() == 0
        transaction.set_rollback(True)
    counted = facets.counts_of("theme", under_review="all")
    through = Recommendation.themes.through.objects.values_list("theme_id", flat=True)
    assert {int(k): v for k, v in counted.items() if v} == dict(Counter(through))
    assert {k: v for k, v in facets.counts_of("response", under_review="all").items() if v} == (
        dict(Counter(Recommendation.objects.values_list("response", flat=True)))
    )


@pytest.fixture
def bench_data():
    call_command(
        "generate_benchmark_data",
        recommendations=150,
        commitments=60,
        jurisdictions=120,
        stdout=io.StringIO(),
    )


def test_facets_count_what_each_filter_combination_would_show(bench_data):
    rng = random.Random(3)
    themes = list(Recommendation.themes.through.objects.values_list("theme__slug", flat=True))
    countries = list(
        Recommendation.recommending_countries.through.objects.values_list(
            "country__iso3", flat=True
        )
    )
    combinations = [
        {},
        {"response": ["supported"]},
        {"local_action": ["none"]},  # broad: counted as the rows it leaves out
        {"local_action": ["any"]},
        {"cycle": ["2"], "response": ["noted", "supported"]},
        {"region": ["weog"], "theme": [rng.choice(themes)]},
        {"theme": [rng.choice(themes)], "country": [rng.choice(countries)], "cycle": ["3"]},
    ]
    for chosen in combinations:
        assert_facets_match(chosen)
        assert_facets_match({"under_review": ["all"], **chosen})
    assert_arrays_in_sync()


def test_the_benchmark_generator_keeps_the_derived_data_in_step(bench_data):
    assert_arrays_in_sync()
    assert Recommendation.objects.filter(recommended_again__isnull=False).exists()


def test_an_admin_edit_of_themes_and_states_moves_the_counts(admin_client, reference_data):
    rec = factories.recommendation(text="Protect journalists.")
    theme = factories.theme(name="Press freedom")
    france = Country.objects.get(iso3="FRA")
    response = admin_client.post(
        f"/admin/recommendations/recommendation/{rec.pk}/change/",
        {
            "review": rec.review_id,
            "paragraph": rec.paragraph,
            "text": rec.text,
            "response": "noted",
            "response_note": "",
            "action_category": "",
            "recommending_countries": [france.pk],
            "themes": [theme.pk],
            "uhri_id": "",
            "upr_info_key": "",
            "body": "",
            # The jurisdictions app adds an inline of commitment links (empty here).
            "commitment_links-TOTAL_FORMS": "0",
            "commitment_links-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, [
        (f.formset.prefix, f.formset.errors, f.formset.non_form_errors())
        for f in response.context.get("inline_admin_formsets", [])
    ] or response.context["errors"]
    assert_facets_match({"theme": [theme.slug]})
    assert_facets_match({"region": ["weog"]})
    assert_arrays_in_sync()


def test_the_curator_form_keeps_themes_and_recommended_again_in_step(client, reference_data):
    review2 = factories.review(cycle=2)
    review3 = factories.review(state_under_review=review2.state_under_review, cycle=3)
    earlier = factories.recommendation(review=review2, text="End solitary confinement of minors.")
    rec = factories.recommendation(review=review3, text="Build more prisons.")
    theme = factories.theme(name="Detention")
    client.force_login(factories.curator())
    response = client.post(
        f"/manage/recommendations/{rec.pk}/edit/",
        {
            "paragraph": rec.paragraph,
            "text": "End the solitary confinement of minors.",
            "response": "supported",
            "response_note": "",
            "action_category": "",
            "themes": [theme.pk],
        },
    )
    assert response.status_code == 302
    assert_facets_match({"theme": [theme.slug]})
    assert_arrays_in_sync()
    page = client.get(rec.get_absolute_url())
    assert [r.pk for r in page.context["similar"]] == [earlier.pk]


def test_an_import_keeps_the_arrays_counts_and_recommended_again_in_step(reference_data):
    import_file(DATA / "upr_info_original.csv")
    assert Recommendation.objects.exists()
    assert_facets_match({})
    assert_facets_match({"region": ["weog"]})
    assert_arrays_in_sync()


def test_the_demo_seed_keeps_the_derived_data_in_step(reference_data):
    call_command("seed_demo", stdout=io.StringIO())
    assert_facets_match({})
    assert_arrays_in_sync()


def test_recommended_again_is_only_for_the_same_state_under_review(reference_data):
    usa2 = factories.review(cycle=2)
    usa3 = factories.review(state_under_review=usa2.state_under_review, cycle=3)
    other = factories.review(state_under_review=Country.objects.get(iso3="BRA"))
    first = factories.recommendation(review=usa2, text="Abolish the death penalty.")
    again = factories.recommendation(review=usa3, text="Abolish the death penalty now.")
    factories.recommendation(review=other, text="Abolish the death penalty.")
    same_cycle = factories.recommendation(review=usa2, text="Abolish the death penalty today.")
    refresh_recommended_again(Recommendation.objects.all())
    assert [r.pk for r in first.repeats()] == [again.pk]
    assert {r.pk for r in again.repeats()} == {first.pk, same_cycle.pk}


def test_unknown_parameters_and_respellings_reuse_the_cached_facets(client, reference_data):
    factories.recommendation(text="Protect the right to vote.", response="noted")
    with CaptureQueriesContext(connection) as first:
        client.get("/recommendations/", {"response": "noted", "q": "Vote"})
    keys = cache_keys()
    assert len(keys) == 1
    with CaptureQueriesContext(connection) as again:
        response = client.get("/recommendations/?q=+vote+&response=noted&utm_source=x&zz=1&page=1")
    assert response.status_code == 200
    assert cache_keys() == keys
    assert len(again.captured_queries) < len(first.captured_queries)  # no facet queries


def cache_keys():
    if hasattr(cache, "_cache") and isinstance(cache._cache, dict):  # local memory
        return {key for key in cache._cache if "facets:" in key}
    client = cache._cache.get_client()
    return set(client.keys(cache.make_key("*facets:*")))  # this run's keys only


def test_an_oversized_facet_entry_is_not_cached(client, reference_data, monkeypatch):
    factories.recommendation(text="Protect the right to vote.")
    monkeypatch.setattr(views, "FACET_CACHE_MAX_BYTES", 10)
    client.get("/recommendations/")
    assert not cache_keys()


def test_a_page_past_the_depth_limit_says_so_and_shows_the_last_listed_page(
    client, bench_data, monkeypatch
):
    monkeypatch.setattr(listing, "MAX_PAGES", 2)
    response = client.get("/recommendations/", {"page": 5, "under_review": "all"})
    assert response.status_code == 200
    assert response.context["page_obj"].number == 2
    html = response.content.decode()
    assert "That page is too deep to list" in html
    assert "narrow the results with the filters or a search" in html
    assert "150 recommendations" in html  # the count still covers every match


def test_the_csv_export_sends_its_header_before_reading_rows(client, bench_data):
    response = client.get("/recommendations/export.csv", {"under_review": "all"})
    chunks = iter(response.streaming_content)
    first = next(chunks).decode()
    assert first.startswith("url,") and first.count("\n") == 1
    rows = sum(chunk.count(b"\n") for chunk in chunks)
    assert rows == Recommendation.objects.count()


def test_the_list_query_count_does_not_grow_with_the_page(
    client, bench_data, django_assert_max_num_queries
):
    refresh_local_status()
    params = {"response": "supported", "region": "weog", "q": "rights"}
    cache.clear()
    with django_assert_max_num_queries(25) as small:
        client.get("/recommendations/", params)
    factories.recommendation(text="Protect human rights defenders.", response="supported")
    cache.clear()
    with django_assert_max_num_queries(25) as large:
        client.get("/recommendations/", {**params, "page": 2})
    assert len(large.captured_queries) == len(small.captured_queries)
