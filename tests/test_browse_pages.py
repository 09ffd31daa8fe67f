"""Home, themes, countries, reviews, jurisdictions and commitments pages."""

from datetime import date

import pytest
from django.core.cache import cache

from recommendations import facet_index
from tests import factories

pytestmark = pytest.mark.django_db


def test_home_shows_headline_figures_chart_map_and_latest(client, cat, reference_data):
    cache.clear()
    factories.commitment(jurisdiction=cat.pittsburgh, title="Second step", publication="draft")
    response = client.get("/")
    assert response.context["recommendation_count"] == 4
    assert response.context["commitment_count"] == 1
    assert response.context["jurisdictions_acting"] == 1
    html = response.content.decode()
    assert "Resolution against capital punishment" in html
    assert "Second step" not in html
    bars = {bar["name"]: bar["total"] for bar in response.context["chart"]["bars"]}
    assert bars == {"Death penalty": 2, "Law enforcement": 2}
    tiles = {tile["code"]: tile for tile in response.context["tiles"]}
    assert len(tiles) == 51
    # Pittsburgh's commitment counts for Pennsylvania, and the tile links to the list of
    # the commitments it counts.
    assert tiles["PA"]["count"] == 1
    assert tiles["TX"]["count"] == 0
    assert 'href="/commitments/?state=PA"' in html


def test_home_needs_only_a_handful_of_queries(client, cat, django_assert_max_num_queries):
    for n in range(20):
        factories.commitment(jurisdiction=cat.pittsburgh, title=f"Item {n}")
    facet_index.current()  # the first read after a write builds the facet index
    with django_assert_max_num_queries(10):
        client.get("/")


def test_the_home_commitment_figures_equal_a_recount(client, cat, reference_data):
    from collections import Counter

    from jurisdictions.models import Commitment

    austin = factories.jurisdiction(name="Austin", slug="austin-tx", state_code="TX")
    dallas = factories.jurisdiction(name="Dallas", slug="dallas-tx", state_code="TX")
    for status in ["adopted", "implemented", "implemented"]:
        factories.commitment(jurisdiction=austin, status=status)
    factories.commitment(jurisdiction=dallas, status="proposed")
    factories.commitment(jurisdiction=dallas, status="adopted", publication="submitted")
    cache.clear()
    context = client.get("/").context
    published = list(
        Commitment.objects.filter(publication="published").values_list(
            "status", "jurisdiction_id", "jurisdiction__state_code"
        )
    )
    by_status = Counter(status for status, _, _ in published)
    assert {label: n for label, n in context["statuses"] if n} == {
        dict(Commitment.Status.choices)[k]: n for k, n in by_status.items()
    }
    assert context["commitment_count"] == len(published)
    assert context["jurisdictions_acting"] == len({j for _, j, _ in published})
    by_state = Counter(code for _, _, code in published)
    assert {t["code"]: t["count"] for t in context["tiles"] if t["count"]} == dict(by_state)


def test_themes_list_counts_recommendations_and_commitments(client, cat):
    response = client.get("/themes/")
    html = response.content.decode()
    assert "Death penalty" in html
    assert "2 recommendations, 1 commitment" in html


def test_a_theme_page_shows_responses_commitments_and_recommendations(client, cat):
    response = client.get(cat.death.get_absolute_url())
    html = response.content.decode()
    figures = {label: n for label, n, _ in response.context["figures"]}
    assert figures["Supported"] == 1 and figures["Noted"] == 1
    assert "Resolution against capital punishment" in html
    assert "Establish a moratorium on executions." in html
    assert f'href="/themes/{cat.death.slug}/feed/"' in html


def test_a_country_page_shows_what_it_recommended_and_the_us_answer(client, cat):
    response = client.get("/countries/fra/")
    figures = {label: n for label, n, _ in response.context["figures"]}
    assert figures == {"Supported": 1, "Supported in part": 1, "Noted": 0, "Pending": 0}
    assert {r.pk for r in response.context["page_obj"]} == {cat.abolish.pk, cat.excessive.pk}


def test_a_review_page_shows_figures_and_its_recommendations(client, cat):
    response = client.get(cat.cycle3.get_absolute_url())
    figures = {label: n for label, n, _ in response.context["figures"]}
    assert figures["Supported"] == 2
    assert len(response.context["page_obj"]) == 3


@pytest.mark.parametrize(
    "url", ["/themes/nope/", "/countries/ZZZ/", "/reviews/999999/", "/jurisdictions/nope/"]
)
def test_unknown_pages_are_404(client, cat, url):
    assert client.get(url).status_code == 404


def test_jurisdictions_filter_by_kind_and_state(client, cat):
    factories.jurisdiction(name="Austin", slug="austin", state_code="TX")
    factories.jurisdiction(name="Allegheny County", slug="allegheny", kind="county")
    response = client.get("/jurisdictions/", {"kind": "city", "state": "PA"})
    names = {j.name for j in response.context["page_obj"]}
    assert names == {"Pittsburgh", "Erie"}
    counts = {j.name: j.commitment_count for j in response.context["page_obj"]}
    assert counts == {"Pittsburgh": 1, "Erie": 0}


def test_jurisdictions_list_query_count_does_not_grow(client, cat, django_assert_max_num_queries):
    for n in range(30):
        j = factories.jurisdiction(name=f"Borough {n}", slug=f"borough-{n}")
        factories.commitment(jurisdiction=j)
    with django_assert_max_num_queries(6):
        response = client.get("/jurisdictions/", {"state": "PA"})
    assert len(response.context["page_obj"]) == 25


def test_a_jurisdiction_page_shows_commitments_networks_answers_and_places(client, cat):
    from jurisdictions.models import Network, NetworkMembership

    network = Network.objects.create(name="Cities for Rights", slug="cities-for-rights")
    NetworkMembership.objects.create(network=network, jurisdiction=cat.pittsburgh)
    factories.jurisdiction(name="Squirrel Hill", slug="squirrel-hill", parent=cat.pittsburgh)
    factories.commitment(jurisdiction=cat.pittsburgh, title="Hidden draft", publication="draft")
    response = client.get(cat.pittsburgh.get_absolute_url())
    html = response.content.decode()
    assert "Adopted (1)" in html
    assert "Resolution against capital punishment" in html
    assert "Hidden draft" not in html
    assert "Cities for Rights" in html
    assert "A/HRC/46/15, para. 26.1" in html
    assert "Death penalty" in html
    assert "Squirrel Hill" in html


def test_a_jurisdiction_page_query_count_does_not_grow(client, cat, django_assert_max_num_queries):
    for n in range(20):
        c = factories.commitment(jurisdiction=cat.pittsburgh, title=f"Measure {n}")
        c.themes.set([cat.police])
        factories.link(c, cat.training)
        factories.jurisdiction(name=f"Ward {n}", slug=f"ward-{n}", parent=cat.pittsburgh)
        factories.milestone(c, title=f"Step {n}")
    # Ten for the page; three for the roll-up, the time axis and its milestones.
    with django_assert_max_num_queries(13):
        client.get(cat.pittsburgh.get_absolute_url())


def commitments_shown(client, **params):
    response = client.get("/commitments/", params)
    assert response.status_code == 200
    return {c.title for c in response.context["page_obj"]}


@pytest.fixture
def more(cat):
    from jurisdictions.models import Network, NetworkMembership

    austin = factories.jurisdiction(name="Austin", slug="austin", state_code="TX", kind="city")
    travis = factories.jurisdiction(name="Travis County", slug="travis", state_code="TX")
    travis.kind = "county"
    travis.save()
    network = Network.objects.create(name="Welcoming Cities", slug="welcoming")
    NetworkMembership.objects.create(network=network, jurisdiction=austin)
    budget = factories.commitment(
        jurisdiction=austin,
        title="Police oversight budget",
        kind="budget",
        status="implemented",
        adopted_on=date(2021, 5, 1),
    )
    budget.themes.set([cat.police])
    factories.commitment(
        jurisdiction=travis, title="Jail standards policy", kind="policy", status="proposed"
    )
    return cat


def test_commitments_list_only_published_ones(client, more):
    assert commitments_shown(client) == {
        "Resolution against capital punishment",
        "Police oversight budget",
        "Jail standards policy",
    }


@pytest.mark.parametrize(
    "params, expected",
    [
        ({"q": "oversight"}, {"Police oversight budget"}),
        ({"jurisdiction": "pittsburgh"}, {"Resolution against capital punishment"}),
        ({"state": "TX"}, {"Police oversight budget", "Jail standards policy"}),
        ({"kind": "budget"}, {"Police oversight budget"}),
        (
            {"status": ["proposed", "adopted"]},
            {"Jail standards policy", "Resolution against capital punishment"},
        ),
        ({"theme": "upr-info-law-enforcement"}, {"Police oversight budget"}),
        ({"network": "welcoming"}, {"Police oversight budget"}),
        ({"year": "2021"}, {"Police oversight budget"}),
        ({"state": "TX", "kind": "policy"}, {"Jail standards policy"}),
    ],
)
def test_each_commitment_filter_narrows_the_list(client, more, params, expected):
    assert commitments_shown(client, **params) == expected


def test_commitment_facets_count_statuses_under_other_filters(client, more):
    response = client.get("/commitments/", {"state": "TX"})
    facets = {f["name"]: f for f in response.context["facets"]}
    counts = {o["value"]: o["count"] for o in facets["status"]["options"]}
    assert counts["implemented"] == 1 and counts["proposed"] == 1 and counts["adopted"] == 0


def test_commitments_list_query_count_does_not_grow(client, cat, django_assert_max_num_queries):
    for n in range(30):
        c = factories.commitment(jurisdiction=cat.pittsburgh, title=f"Thing {n}")
        c.themes.set([cat.death, cat.police])
    with django_assert_max_num_queries(8):
        response = client.get("/commitments/", {"state": "PA"})
    assert len(response.context["page_obj"]) == 25


def test_a_commitment_page_shows_links_and_a_timeline_of_published_updates(client, cat):
    factories.update(
        cat.published,
        reported_on=date(2021, 3, 1),
        summary="The council held a hearing.",
        evidence_url="https://example.org/hearing",
    )
    factories.update(
        cat.published, reported_on=date(2022, 1, 1), summary="Unreviewed note", publication="draft"
    )
    factories.update(cat.published, reported_on=date(2020, 6, 1), summary="Introduced.")
    response = client.get(cat.published.get_absolute_url())
    html = response.content.decode()
    assert "A/HRC/46/15, para. 26.1" in html
    assert "Implements" in html and "Calls for abolition." in html
    assert "Unreviewed note" not in html
    assert html.index("Introduced.") < html.index("The council held a hearing.")
    assert 'href="https://example.org/hearing"' in html


def test_a_commitment_page_query_count_does_not_grow(client, cat, django_assert_max_num_queries):
    for n in range(15):
        rec = factories.recommendation(review=cat.cycle3, paragraph=f"70.{n}")
        factories.link(cat.published, rec)
        factories.update(cat.published, summary=f"Update {n}")
        indicator = factories.indicator(cat.published, name=f"Indicator {n}")
        factories.measurement(indicator)
        factories.milestone(cat.published, title=f"Milestone {n}")
    # Six for the commitment, its links and updates; five for the indicators with their
    # measurements, the milestones and the status history with its people; one for
    # similar commitments elsewhere (their ranking, the word statistics they read, kept an
    # hour in the cache, and the places that followed it: tests/test_learning.py).
    with django_assert_max_num_queries(12):
        response = client.get(cat.published.get_absolute_url())
    assert len(response.context["links"]) == 16
    assert len(response.context["indicators"]) == len(response.context["milestones"]) == 15


@pytest.mark.parametrize("publication", ["draft", "submitted", "rejected"])
def test_unpublished_commitments_are_404_and_never_listed(client, cat, publication):
    hidden = factories.commitment(
        jurisdiction=cat.pittsburgh, title="Not public yet", publication=publication
    )
    assert client.get(hidden.get_absolute_url()).status_code == 404
    assert "Not public yet" not in client.get("/commitments/").content.decode()
    assert "Not public yet" not in client.get(cat.pittsburgh.get_absolute_url()).content.decode()
    response = client.get("/commitments/")
    facets = {f["name"]: f for f in response.context["facets"]}
    assert sum(o["count"] for o in facets["status"]["options"]) == 1


def test_theme_country_and_review_pages_query_counts_do_not_grow(
    client, cat, django_assert_max_num_queries
):
    for n in range(30):
        factories.recommendation(
            review=cat.cycle3,
            paragraph=f"40.{n}",
            recommending_countries=[cat.france, cat.kenya],
            themes=[cat.death, cat.police],
        )
        c = factories.commitment(jurisdiction=cat.pittsburgh, title=f"Act {n}")
        c.themes.set([cat.death])
    # The theme page also lists its local action and the jurisdictions behind it.
    facet_index.current()  # the first read after a write builds the facet index
    # The theme page also shows what the United States recommended to others (mirror.py)
    # and its commitments' roll-up (progress/rollups.py).
    limits = {cat.death.get_absolute_url(): 17, "/countries/FRA/": 10}
    for url in [cat.death.get_absolute_url(), "/countries/FRA/", cat.cycle3.get_absolute_url()]:
        with django_assert_max_num_queries(limits.get(url, 9)):
            response = client.get(url)
        assert len(response.context["page_obj"]) == 25
    with django_assert_max_num_queries(6):
        client.get("/themes/")


def test_a_busy_jurisdiction_shows_the_latest_of_each_status_and_links_to_the_rest(client):
    from datetime import date

    city = factories.jurisdiction(name="Busy City", slug="busy-city")
    for n in range(30):
        factories.commitment(
            jurisdiction=city, title=f"Measure {n:02d}", adopted_on=date(2000 + n, 1, 1)
        )
    factories.commitment(jurisdiction=city, title="Finished work", status="implemented")
    html = client.get(city.get_absolute_url()).content.decode()
    assert "Published commitments of Busy City itself (31)" in html
    assert "Adopted (30)" in html
    assert "Measure 29" in html  # the latest
    assert "Measure 20" in html  # the tenth latest
    assert "Measure 19" not in html  # beyond the first ten
    assert "/commitments/?jurisdiction=busy-city&amp;status=adopted" in html
    assert "See all 30 adopted" in html
    assert "Finished work" in html
