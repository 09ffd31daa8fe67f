"""The bitmap facet index (PostgreSQL) gives the very counts SQL gives, under any filter
state, and is never used once a write has made it out of date."""

import io
import random

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext

from jurisdictions.local_status import refresh_local_status
from recommendations import facet_index, facets
from recommendations.filters import RecommendationFilter
from recommendations.models import (
    AffectedGroup,
    Country,
    FacetVersion,
    Recommendation,
    Review,
    SdgGoal,
    SdgTarget,
)
from tests import factories
from tests.test_browse_denormalised import assert_facets_match

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


@pytest.fixture(autouse=True)
def no_held_index():
    facet_index.forget_held()
    yield
    facet_index.forget_held()


@pytest.fixture
def bench_data():
    call_command(
        "generate_benchmark_data",
        recommendations=400,
        commitments=150,
        jurisdictions=200,
        stdout=io.StringIO(),
    )
    refresh_local_status()


def cleaned(params: dict) -> dict:
    query = QueryDict(mutable=True)
    for name, values in params.items():
        query.setlist(name, values)
    filterset = RecommendationFilter(query, queryset=Recommendation.objects.for_list())
    assert filterset.is_valid(), filterset.errors
    return filterset.form.cleaned_data


def both_ways(params: dict):
    """The counts from the index and from SQL for one filter state."""
    data = cleaned(params)
    names = facets_asked()
    top = set(RecommendationFilter.extra_facets)
    assert facet_index.current() is not None
    indexed = facets.compute(data, names, top)
    original = facet_index.current
    facet_index.current = lambda: None
    try:
        counted = facets.compute(data, names, top)
    finally:
        facet_index.current = original
    return indexed, counted


def facets_asked():
    from recommendations.filters import FACETS

    return FACETS + list(RecommendationFilter.extra_facets)


def random_state(rng, pools) -> dict:
    params = {}
    for name in rng.sample(sorted(pools), rng.randint(0, 5)):
        pool = pools[name]
        params[name] = rng.sample(pool, min(len(pool), rng.choice([1, 1, 2])))
        if name in ("local_action", "under_review", "q"):
            params[name] = params[name][:1]
    return params


def test_the_index_counts_what_sql_counts_under_random_filter_states(bench_data):
    facet_index.build()
    rng = random.Random(5)
    themes = list(Recommendation.themes.through.objects.values_list("theme__slug", flat=True))
    pools = {
        "cycle": ["1", "2", "3", "4"],
        "response": list(Recommendation.Response.values),
        "action": ["1", "2", "3", "4", "5"],
        "local_action": ["any", "none"],
        "theme": sorted(set(themes)),
        "country": list(Country.objects.filter(kind="state").values_list("iso3", flat=True)),
        "region": ["african", "asia_pacific", "eeg", "grulac", "weog"],
        "group": list(AffectedGroup.objects.values_list("slug", flat=True)),
        "sdg": [str(n) for n in SdgGoal.objects.values_list("number", flat=True)]
        + list(SdgTarget.objects.values_list("code", flat=True)[:10]),
        "under_review": ["all"]
        + sorted(set(Review.objects.values_list("state_under_review__iso3", flat=True)))[:5],
        "q": ["police", "housing", "death penalty", "children"],
    }
    states = [{}, {"under_review": ["all"]}, {"under_review": ["all"], "local_action": ["any"]}]
    states += [random_state(rng, pools) for _ in range(60)]
    for params in states:
        indexed, counted = both_ways(params)
        assert indexed == counted, params


def test_the_page_shows_the_recounted_facets_when_the_index_is_used(bench_data):
    facet_index.build()
    assert facet_index.current() is not None
    for chosen in [{}, {"response": ["supported"]}, {"cycle": ["2"], "region": ["weog"]}]:
        assert_facets_match(chosen)
        assert_facets_match({"under_review": ["all"], **chosen})


def test_a_write_to_a_counted_column_retires_the_index(bench_data):
    facet_index.build()
    assert facet_index.current() is not None
    before = FacetVersion.objects.get().n
    rec = Recommendation.objects.order_by("pk").first()
    # Text is not counted: the index stays.
    Recommendation.objects.filter(pk=rec.pk).update(text="Protect the press.")
    assert FacetVersion.objects.get().n == before
    assert facet_index.current() is not None
    # A response is counted: the index is out of date and SQL counts until a rebuild.
    new = "noted" if rec.response != "noted" else "supported"
    Recommendation.objects.filter(pk=rec.pk).update(response=new)
    assert FacetVersion.objects.get().n != before
    assert facet_index.current() is None
    assert_facets_match({"under_review": ["all"]})
    facet_index.build()
    indexed, counted = both_ways({"under_review": ["all"], "response": [new]})
    assert indexed == counted


def test_new_links_and_deleted_rows_retire_the_index_too(bench_data):
    rec = factories.recommendation(text="Protect the press.")
    facet_index.build()
    rec.themes.add(factories.theme(name="Press freedom"))
    assert facet_index.current() is None
    facet_index.build()
    assert facet_index.current() is not None
    rec.delete()
    assert facet_index.current() is None
    facet_index.build()
    indexed, counted = both_ways({"under_review": ["all"]})
    assert indexed == counted
    assert sum(indexed["response"].values()) == Recommendation.objects.count()


def test_an_out_of_date_index_asks_for_one_rebuild_on_a_large_table(
    bench_data, monkeypatch, django_capture_on_commit_callbacks
):
    asked = []
    monkeypatch.setattr(facet_index, "MIN_ROWS", 0)
    monkeypatch.setattr(facet_index.build_task, "delay", lambda: asked.append(1))
    cache.delete(facet_index.BUILD_REQUEST_KEY)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE recommendations_recommendation")
    with django_capture_on_commit_callbacks(execute=True):
        assert facet_index.current() is None
        assert facet_index.current() is None
    assert asked == [1]  # the second request finds the first one's ask
    facet_index.build()  # what the task runs; it clears the ask
    assert facet_index.current() is not None
    assert cache.get(facet_index.BUILD_REQUEST_KEY) is None


def test_a_small_table_never_asks_for_an_index(
    reference_data, monkeypatch, django_capture_on_commit_callbacks
):
    asked = []
    monkeypatch.setattr(facet_index.build_task, "delay", lambda: asked.append(1))
    cache.delete(facet_index.BUILD_REQUEST_KEY)
    factories.recommendation(text="Protect journalists.")
    with django_capture_on_commit_callbacks(execute=True):
        assert facet_index.current() is None
    assert asked == []


def test_the_build_task_records_its_run(bench_data):
    from recommendations.models import TaskRun

    counts = facet_index.build_task.apply().get()
    run = TaskRun.objects.get(task="recommendations.facet_index.build")
    assert run.outcome == TaskRun.Outcome.SUCCEEDED
    assert counts["version"] == FacetVersion.objects.get().n
    assert run.counts["bytes"] > 0


def test_with_a_current_index_the_list_query_count_does_not_grow_with_the_page(client, bench_data):
    facet_index.build()
    params = {"under_review": "all", "response": "supported", "region": "weog"}
    cache.clear()
    with CaptureQueriesContext(connection) as small:
        client.get("/recommendations/", params)
    cache.clear()
    with CaptureQueriesContext(connection) as large:
        response = client.get("/recommendations/", {**params, "page": 2})
    assert response.status_code == 200
    assert len(large.captured_queries) == len(small.captured_queries)
    sql = " ".join(q["sql"] for q in small.captured_queries)
    # No facet statement and no kept-count read: the index counted.
    assert "SET LOCAL work_mem" not in sql
    assert "recommendations_facetcount" not in sql


def test_the_busiest_values_break_ties_alike_both_ways(bench_data, monkeypatch):
    # Twenty places listed: the cut falls among the many places with equal counts, and
    # both ways must keep the same ones (the lower ids).
    monkeypatch.setattr(facets, "TOP", 20)
    facet_index.build()
    every = sorted(facet_index.current().counts("jurisdiction", None).values(), reverse=True)
    assert every[19] == every[20]  # a tie at the cut
    for params in [
        {"under_review": ["all"]},
        {"under_review": ["all"], "response": ["noted"]},
        {"under_review": ["all"], "local_action": ["any"]},
        {"under_review": ["all"], "cycle": ["2"], "q": ["rights"]},
    ]:
        indexed, counted = both_ways(params)
        assert indexed == counted, params
