"""The site follows the United States: the home page counts only its reviews, lists show
them unless another state under review is chosen (a visible, removable filter), and other
states' recommendations stay browsable by review, country and "every state". Cycles carry
years, countries and reviews have index pages, UN symbols link to the official text, and
absolute links follow the request's host unless SITE_URL is set."""

import csv
import io
import re
from datetime import date

import pytest
from django.core import mail

from recommendations import facet_index
from recommendations.models import Recommendation
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(cat):
    cat.cycle3.review_date = date(2020, 11, 9)
    cat.cycle3.response_symbol = "A/HRC/46/15/Add.1"
    cat.cycle3.save()
    cat.cycle2.review_date = date(2015, 5, 11)
    cat.cycle2.save()
    mexico = factories.country(iso3="MEX", name="Mexico", region="grulac")
    mexico_review = factories.review(
        state_under_review=mexico,
        cycle=3,
        wg_session=31,
        report_symbol="A/HRC/40/8",
        review_date=date(2018, 11, 7),
    )
    for n in range(3):
        factories.recommendation(
            review=mexico_review,
            paragraph=f"120.{n}",
            text=f"Protect journalists in Mexico, measure {n}.",
            recommending_countries=[cat.france],
        )
    factories.recommendation(
        review=cat.cycle3,
        paragraph="26.50",
        text="End solitary confinement of children.",
        recommending_countries=[mexico],
    )
    cat.mexico, cat.mexico_review = mexico, mexico_review
    return cat


def test_the_home_page_counts_only_the_united_states_reviews(client, world):
    assert Recommendation.objects.count() == 8
    response = client.get("/")
    assert response.context["recommendation_count"] == 5
    assert sum(n for _, n, _ in response.context["responses"]) == 5
    chart_total = sum(bar["total"] for bar in response.context["chart"]["bars"])
    assert chart_total == 4  # the five US recommendations; one has no theme


def test_the_list_shows_the_united_states_with_a_removable_filter(client, world):
    response = client.get("/recommendations/")
    assert response.context["page_obj"].paginator.count == 5
    chips = {c["label"]: c["remove_url"] for c in response.context["chips"]}
    remove = chips["State under review: United States"]
    assert "under_review=all" in remove
    everything = client.get("/recommendations/" + remove)
    assert everything.context["page_obj"].paginator.count == 8
    mexico = client.get("/recommendations/", {"under_review": "MEX"})
    assert mexico.context["page_obj"].paginator.count == 3
    assert "To Mexico, Cycle 3 (2018)" in mexico.content.decode()


def test_a_review_link_shows_that_review_whatever_the_state(client, world):
    response = client.get("/recommendations/", {"review": world.mexico_review.pk})
    assert response.context["page_obj"].paginator.count == 3
    labels = [c["label"] for c in response.context["chips"]]
    assert labels == ["Review: Mexico, Cycle 3 (2018)"]


def test_the_export_holds_the_same_rows_as_the_list(client, world):
    body = b"".join(client.get("/recommendations/export.csv").streaming_content).decode()
    rows = list(csv.DictReader(io.StringIO(body)))
    assert {row["state_under_review"] for row in rows} == {"USA"} and len(rows) == 5


def test_cycles_carry_the_year_of_the_review_and_empty_cycles_are_not_offered(client, world):
    response = client.get("/recommendations/")
    cycle = next(f for f in response.context["facets"] if f["name"] == "cycle")
    assert [o["label"] for o in cycle["options"]] == ["Cycle 2 (2015)", "Cycle 3 (2020)"]
    html = response.content.decode()
    assert "Cycle 3 (2020)" in html
    assert not any(
        f["name"] == "review" and not f.get("hidden") for f in response.context["facets"]
    )


def test_the_country_page_shows_what_it_recommended_to_the_us_and_links_the_rest(client, world):
    html = client.get("/countries/MEX/").content.decode()
    assert "What Mexico recommended to the United States (1)" in html
    assert "End solitary confinement of children." in html
    assert "export.csv?country=MEX" in html
    assert "Cycle 3 (2018)" in html  # its own review
    france = client.get("/countries/FRA/").content.decode()
    assert "3 recommendations to other states" in france


def test_countries_and_reviews_have_index_pages_in_the_menu(client, world):
    home = client.get("/").content.decode()
    assert 'href="/countries/"' in home and 'href="/reviews/"' in home
    countries = client.get("/countries/")
    assert countries.status_code == 200
    mexico = next(c for c in countries.context["countries"] if c.iso3 == "MEX")
    assert (mexico.recommendation_count, mexico.review_count) == (1, 1)
    assert [c.name for c in client.get("/countries/", {"q": "mex"}).context["countries"]] == [
        "Mexico"
    ]
    reviews = client.get("/reviews/").content.decode()
    assert reviews.index("The United States' reviews") < reviews.index("Mexico")
    assert 'href="https://undocs.org/A/HRC/46/15"' in reviews


def test_un_symbols_link_to_the_official_document(client, world):
    review_page = client.get(world.cycle3.get_absolute_url()).content.decode()
    assert 'href="https://undocs.org/A/HRC/46/15"' in review_page
    assert 'href="https://undocs.org/A/HRC/46/15/Add.1"' in review_page
    detail = client.get(world.abolish.get_absolute_url()).content.decode()
    assert 'href="https://undocs.org/A/HRC/46/15"' in detail


def test_a_search_naming_a_country_points_to_the_country_filters(client, world):
    html = client.get("/recommendations/", {"q": "Mexico"}).content.decode()
    assert "?country=MEX" in html
    assert "under_review=MEX" in html


def test_a_search_with_no_results_suggests_what_to_try(client, world):
    html = client.get("/recommendations/", {"q": "zebra", "response": "noted"}).content.decode()
    assert "No recommendations match." in html
    assert "OR between words" in html
    assert "this search without any filter" in html
    assert "under_review=all" in html


def test_the_favicon_is_served(client):
    page = client.get("/").content.decode()
    from django.contrib.staticfiles import finders

    icon = re.search(r'<link rel="icon" href="([^"]+)"', page).group(1)
    # The test client serves no static files; the browser tests fetch it from the server.
    assert icon.endswith("/favicon.svg") and finders.find("favicon.svg")
    redirect = client.get("/favicon.ico")
    assert redirect.status_code == 301 and redirect["Location"] == icon


def test_export_links_follow_the_request_host_unless_site_url_is_set(client, world, settings):
    settings.SITE_URL = ""
    body = b"".join(
        client.get("/recommendations/export.csv", HTTP_HOST="localhost:8401").streaming_content
    ).decode()
    assert "http://localhost:8401/r/" in body
    commitments = b"".join(
        client.get("/commitments/export.json", HTTP_HOST="localhost:8401").streaming_content
    ).decode()
    assert '"url": "http://localhost:8401/commitments/' in commitments
    settings.SITE_URL = "https://upr.example.org"
    body = b"".join(client.get("/recommendations/export.csv").streaming_content).decode()
    assert "https://upr.example.org/r/" in body


def test_the_confirmation_mail_links_to_the_host_the_subscriber_used(
    client, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = ""
    place = factories.jurisdiction(name="Erie", slug="erie")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/subscriptions/",
            {"email": "a@example.org", "jurisdiction": str(place)},
            HTTP_HOST="127.0.0.1:8401",
        )
    body = mail.outbox[0].body
    assert "http://127.0.0.1:8401/subscriptions/confirm/" in body
    assert "http://127.0.0.1:8401/subscriptions/unsubscribe/" in body


def test_the_index_pages_query_counts_do_not_grow(client, world, django_assert_max_num_queries):
    for n in range(20):
        country = factories.country(name=f"Extra state {n}")
        review = factories.review(state_under_review=country, cycle=2, wg_session=20)
        factories.recommendation(review=review, recommending_countries=[world.mexico])
    facet_index.current()  # the first read after a write builds the facet index
    with django_assert_max_num_queries(4):
        assert client.get("/countries/").status_code == 200
    with django_assert_max_num_queries(2):
        assert client.get("/reviews/").status_code == 200


def test_a_missing_page_says_so_and_offers_ways_on(client):
    response = client.get("/countries/ZZZ/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Page not found" in html and 'href="/countries/"' in html
