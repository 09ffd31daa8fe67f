"""Full-text search: websearch syntax (phrases, OR, minus), English stemming over
unaccented words, ranking and highlighting."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from recommendations.listing import PAGE_SIZE
from recommendations.models import Recommendation, search_rank
from tests import factories
from tests.browse_data import build_catalogue

pytestmark = pytest.mark.django_db


@pytest.fixture
def cat():
    return build_catalogue()


def texts(client, url="/recommendations/", **params):
    response = client.get(url, params)
    assert response.status_code == 200
    return [obj.text for obj in response.context["page_obj"]]


def test_search_ignores_case(client, cat):
    assert texts(client, q="MORATORIUM") == ["Establish a moratorium on executions."]


def test_websearch_excludes_words_after_a_minus(client, cat):
    found = texts(client, q="police -train")
    assert found == ["Investigate every police killing and excessive use of force."]


def test_websearch_matches_a_quoted_phrase_only_in_order(client, cat):
    factories.recommendation(review=cat.cycle3, paragraph="50.1", text="Force the use of cameras.")
    # Both contain the phrase; "Force the use of cameras." has the words out of order.
    assert set(texts(client, q='"use of force"')) == {
        "Train police officers in the lawful use of force.",
        "Investigate every police killing and excessive use of force.",
    }


def test_search_uses_english_stemming(client, cat):
    assert texts(client, q="executing") == ["Establish a moratorium on executions."]
    assert texts(client, q="trained officer") == [
        "Train police officers in the lawful use of force."
    ]


def test_results_are_ranked_by_relevance_when_searching(client, cat):
    dense = factories.recommendation(
        review=cat.cycle2,
        paragraph="177.1",
        text="Police reform: police accountability, police training and police oversight.",
    )
    response = client.get("/recommendations/", {"q": "police"})
    assert response.context["sort"] == "relevance"
    assert response.context["page_obj"][0].pk == dense.pk


def test_the_pages_of_a_search_list_every_match_once_in_rank_order(client, cat):
    # 30 more matches of varied density: more than one page (listing.PAGE_SIZE).
    for n in range(30):
        words = " ".join(["police"] * (1 + n % 4))
        factories.recommendation(
            review=cat.cycle3, paragraph=f"90.{n + 1}", text=f"Item {n}: {words} reform."
        )
    ranked = list(
        Recommendation.objects.to_home_state()
        .matching("police")
        .annotate(rank=search_rank("police"))
        .order_by("-rank", "id")
        .values_list("pk", flat=True)
    )
    assert len(ranked) > PAGE_SIZE
    shown, queries = [], []
    for page in (1, 2):
        client.get("/recommendations/", {"q": "police", "page": page})  # caches filled
        with CaptureQueriesContext(connection) as captured:
            response = client.get("/recommendations/", {"q": "police", "page": page})
        shown += [rec.pk for rec in response.context["page_obj"]]
        queries.append(len(captured))
    assert shown == ranked
    # The keys in one query, their rows in one more, whatever the page.
    assert queries[0] == queries[1]


@pytest.mark.parametrize(
    "filters",
    [
        {},
        {"under_review": "all"},
        {"under_review": "all", "response": "supported"},
        {"response": "noted"},
        {"under_review": "FRA"},
    ],
)
def test_a_theme_offer_counts_what_its_link_lists(client, cat, filters):
    # Recommendations on the theme made to another state: "every state" counts them too.
    to_france = factories.review(state_under_review=cat.france, cycle=3)
    for n, response in enumerate(["supported", "supported", "noted"]):
        factories.recommendation(
            review=to_france, paragraph=f"5.{n}", response=response, themes=[cat.death]
        )
    response = client.get("/recommendations/", {"q": "death penalty", **filters})
    [offer] = response.context["hints"]["themes"]
    listed = client.get("/recommendations/" + offer["url"])
    assert offer["count"] == listed.context["page_obj"].paginator.count
    # Counted another way: the recommendations carrying the theme under those filters.
    shown = Recommendation.objects.with_any_theme([cat.death.pk])
    state = filters.get("under_review", "USA")
    if state != "all":
        shown = shown.filter(review__state_under_review__iso3=state)
    if "response" in filters:
        shown = shown.filter(response=filters["response"])
    assert offer["count"] == shown.count()


def test_matched_words_are_highlighted(client, cat):
    html = client.get("/recommendations/", {"q": "moratorium"}).content.decode()
    assert "Establish a <mark>moratorium</mark> on executions." in html


def test_highlighting_escapes_the_recommendation_text(client, cat):
    factories.recommendation(
        review=cat.cycle3, paragraph="60.1", text="Protect <script>alert(1)</script> journalists."
    )
    html = client.get("/recommendations/", {"q": "journalists"}).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "<mark>journalists</mark>" in html


def test_accents_never_matter(client, cat):
    accented = factories.recommendation(
        review=cat.cycle3, paragraph="80.1", text="Cooperate with México on asylum seekers."
    )
    plain = factories.recommendation(
        review=cat.cycle3, paragraph="80.2", text="Share data with Mexico and Canada."
    )
    both = {accented.text, plain.text}
    assert set(texts(client, q="Mexico")) == both
    assert set(texts(client, q="México")) == both
    assert set(texts(client, q="mexico")) == both
    html = client.get("/recommendations/", {"q": "mexico"}).content.decode()
    assert "<mark>México</mark>" in html


def test_commitment_search_ranks_title_matches_above_summary_matches(client, cat):
    in_summary = factories.commitment(
        jurisdiction=cat.pittsburgh, title="Budget line", summary="Money for housing vouchers."
    )
    in_title = factories.commitment(
        jurisdiction=cat.pittsburgh, title="Housing first ordinance", summary="Shelter."
    )
    response = client.get("/commitments/", {"q": "housing"})
    assert [c.pk for c in response.context["page_obj"]] == [in_title.pk, in_summary.pk]


def test_or_matches_either_word_and_the_placeholder_example_works(client, cat):
    assert set(texts(client, q="moratorium OR abolish")) == {
        "Establish a moratorium on executions.",
        "Abolish the death penalty in every state.",
    }
    # The search box's own example: police -training or "death penalty".
    assert texts(client, q="police -training") == [
        "Investigate every police killing and excessive use of force."
    ]
    assert texts(client, q='"death penalty"') == ["Abolish the death penalty in every state."]
    assert texts(client, q='"penalty death"') == []


def test_search_syntax_junk_never_fails(client, cat):
    for junk in ['"', "-", "OR", "OR OR", '"unclosed phrase', "a AND NOT", "*", "(", "NEAR(a b)"]:
        assert client.get("/recommendations/", {"q": junk}).status_code == 200, junk


def test_the_index_follows_edits_and_deletes(client, cat):
    # The search vector is a generated column: every write keeps it in step.
    cat.moratorium.text = "Establish a pause on executions."
    cat.moratorium.save()
    assert texts(client, q="moratorium") == []
    assert texts(client, q="pause") == ["Establish a pause on executions."]
    rec = factories.recommendation(review=cat.cycle3, paragraph="70.1", text="Free the press.")
    assert texts(client, q="press") == ["Free the press."]
    rec.delete()
    assert texts(client, q="press") == []


def test_an_empty_or_huge_query_is_harmless(client, cat):
    assert client.get("/recommendations/", {"q": "   "}).status_code == 200
    response = client.get("/recommendations/", {"q": "x" * 5000})
    assert response.status_code == 200
    assert "were not recognised" in response.content.decode()
