"""The bitmap facet index, the one way facets are counted: its counts equal a recount in
Python from the link tables under any filter state, a write to a counted column makes the
next read use a fresh index, and what is stored is its own layout, never a pickle."""

import io
import random
from collections import Counter

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext

from jurisdictions.local_status import refresh_local_status
from jurisdictions.models import CommitmentLink, Publication
from recommendations import facet_index, facets
from recommendations.filters import FACETS, RecommendationFilter
from recommendations.models import (
    AffectedGroup,
    Country,
    FacetIndex,
    FacetVersion,
    Recommendation,
    Review,
    SdgGoal,
    SdgTarget,
)
from tests import factories

pytestmark = pytest.mark.django_db


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


def filterset_for(params: dict) -> RecommendationFilter:
    query = QueryDict(mutable=True)
    for name, values in params.items():
        query.setlist(name, values)
    filterset = RecommendationFilter(query, queryset=Recommendation.objects.all())
    assert filterset.is_valid(), filterset.errors
    return filterset


def recount(filterset, facet: str) -> dict[str, int]:
    """The counts of one facet, from the link tables (not the facet arrays): the rows every
    other filter keeps, then their values counted in Python."""
    ids = set(filterset.qs_without(facet).values_list("id", flat=True))
    through = {
        "theme": (Recommendation.themes.through, "theme_id"),
        "group": (Recommendation.affected_groups.through, "affectedgroup_id"),
        "country": (Recommendation.recommending_countries.through, "country_id"),
    }
    if facet in through:
        model, column = through[facet]
        rows = model.objects.filter(recommendation_id__in=ids).values_list(column, flat=True)
        return {str(k): n for k, n in Counter(rows).items()}
    if facet == "region":
        links = Recommendation.recommending_countries.through.objects.filter(
            recommendation_id__in=ids
        ).exclude(country__region="")
        pairs = set(links.values_list("recommendation_id", "country__region"))
        return dict(Counter(region for _, region in pairs))
    if facet == "sdg":
        links = Recommendation.sdg_targets.through.objects.filter(recommendation_id__in=ids)
        pairs = set()
        for rec, code, goal in links.values_list(
            "recommendation_id", "sdgtarget__code", "sdgtarget__goal__number"
        ):
            pairs |= {(rec, code), (rec, str(goal))}
        return dict(Counter(code for _, code in pairs))
    if facet == "jurisdiction":
        links = CommitmentLink.objects.filter(
            recommendation_id__in=ids, commitment__publication=Publication.PUBLISHED
        )
        pairs = set(links.values_list("recommendation_id", "commitment__jurisdiction_id"))
        return {str(k): n for k, n in Counter(j for _, j in pairs).items()}
    column = {
        "cycle": "review__cycle",
        "under_review": "review__state_under_review__iso3",
        "review": "review_id",
        "response": "response",
        "action": "action_category",
        "local_action": "local_status",
    }[facet]
    values = Recommendation.objects.filter(id__in=ids).values_list(column, flat=True)
    return {("" if v is None else str(v)): n for v, n in Counter(values).items()}


def busiest(counts: dict[str, int], top: int) -> dict[str, int]:
    ranked = sorted(counts.items(), key=lambda item: (-item[1], int(item[0])))
    return dict(ranked[:top])


def assert_counts_match(params: dict):
    filterset = filterset_for(params)
    extra = set(RecommendationFilter.extra_facets)
    names = FACETS + sorted(extra)
    indexed = facets.compute(filterset.form.cleaned_data, names, extra)
    for facet in names:
        expected = recount(filterset, facet)
        if facet in extra:
            expected = busiest(expected, facets.TOP)
        assert indexed[facet] == expected, (facet, params)


def random_state(rng, pools) -> dict:
    params = {}
    for name in rng.sample(sorted(pools), rng.randint(0, 5)):
        pool = pools[name]
        params[name] = rng.sample(pool, min(len(pool), rng.choice([1, 1, 2])))
        if name in ("local_action", "under_review", "q"):
            params[name] = params[name][:1]
    return params


def test_the_index_counts_what_a_recount_finds_under_random_filter_states(bench_data):
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
    states += [random_state(rng, pools) for _ in range(40)]
    for params in states:
        assert_counts_match(params)


def test_a_write_to_a_counted_column_brings_a_fresh_index(bench_data):
    held = facet_index.current()
    before = FacetVersion.objects.get().n
    rec = Recommendation.objects.order_by("pk").first()
    # Text is not counted: the stamp and the held index stay.
    Recommendation.objects.filter(pk=rec.pk).update(text="Protect the press.")
    assert FacetVersion.objects.get().n == before
    assert facet_index.current() is held
    # A response is counted: the next read builds an index that has the change.
    new = "noted" if rec.response != "noted" else "supported"
    Recommendation.objects.filter(pk=rec.pk).update(response=new)
    assert FacetVersion.objects.get().n != before
    fresh = facet_index.current()
    assert fresh is not held and fresh.version == FacetVersion.objects.get().n
    assert rec.pk in fresh.rows("response", [new])
    assert_counts_match({"under_review": ["all"], "response": [new]})


def test_new_links_and_deleted_rows_are_counted_at_once(bench_data):
    rec = factories.recommendation(text="Protect the press.")
    facet_index.current()
    theme = factories.theme(name="Press freedom")
    rec.themes.add(theme)
    assert facet_index.current().counts("theme", None)[str(theme.pk)] == 1
    rec.delete()
    assert str(theme.pk) not in facet_index.current().counts("theme", None)
    assert_counts_match({"under_review": ["all"]})
    assert sum(facets.counts_of("response", under_review="all").values()) == (
        Recommendation.objects.count()
    )


def test_another_process_loads_the_stored_index_instead_of_building(bench_data):
    built = facet_index.current()
    facet_index.forget_held()  # as a second web process starts
    with CaptureQueriesContext(connection) as queries:
        loaded = facet_index.current()
    assert len(queries.captured_queries) == 2  # the stamp, then the stored index
    assert loaded.version == built.version
    assert loaded.bitmaps == built.bitmaps


def test_the_stored_index_is_its_own_layout_not_a_pickle(bench_data):
    facet_index.current()
    data = bytes(FacetIndex.objects.get().data)
    assert not data.startswith(b"\x80")  # pickle's protocol marker
    assert facet_index.load(data) == facet_index.current().bitmaps
    assert FacetIndex.objects.count() == 1  # older builds are dropped


def test_the_build_task_records_its_run(bench_data):
    from recommendations.models import TaskRun

    counts = facet_index.build_task.apply().get()
    run = TaskRun.objects.get(task="recommendations.facet_index.build")
    assert run.outcome == TaskRun.Outcome.SUCCEEDED
    assert counts["version"] == FacetVersion.objects.get().n
    assert run.counts["bytes"] > 0


def test_the_list_query_count_does_not_grow_with_the_page(client, bench_data):
    params = {"under_review": "all", "response": "supported", "region": "weog"}
    client.get("/recommendations/", params)  # builds the index once
    cache.clear()
    with CaptureQueriesContext(connection) as small:
        client.get("/recommendations/", {**params, "cycle": "2"})
    cache.clear()  # the facets of a filter state are cached
    with CaptureQueriesContext(connection) as large:
        response = client.get("/recommendations/", {**params, "cycle": "2", "page": 2})
    assert response.status_code == 200
    assert len(large.captured_queries) == len(small.captured_queries)


def test_the_busiest_values_break_ties_to_the_lower_id(bench_data, monkeypatch):
    # Twenty places listed: the cut falls among the many places with equal counts, and the
    # lower ids are kept, as the recount ranks them.
    monkeypatch.setattr(facets, "TOP", 20)
    every = sorted(facet_index.current().counts("jurisdiction", None).values(), reverse=True)
    assert every[19] == every[20]  # a tie at the cut
    for params in [
        {"under_review": ["all"]},
        {"under_review": ["all"], "response": ["noted"]},
        {"under_review": ["all"], "local_action": ["any"]},
        {"under_review": ["all"], "cycle": ["2"], "q": ["rights"]},
    ]:
        assert_counts_match(params)
