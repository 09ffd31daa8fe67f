"""/recommendations/: each filter, facet counts, sorting, pagination, chips and the detail page."""

import pytest

from recommendations.models import Recommendation
from recommendations.recurrence import refresh_recommended_again
from tests import factories

pytestmark = pytest.mark.django_db

LIST = "/recommendations/"


def shown(client, **params):
    response = client.get(LIST, params)
    assert response.status_code == 200
    return {rec.pk for rec in response.context["page_obj"]}


def facet(response, name):
    facets = {f["name"]: f for f in response.context["facets"]}
    return {o["value"]: o["count"] for o in facets[name]["options"]}


def test_the_list_shows_every_recommendation_without_filters(client, cat):
    assert shown(client) == {cat.abolish.pk, cat.moratorium.pk, cat.training.pk, cat.excessive.pk}


def test_q_matches_words_in_the_text(client, cat):
    assert shown(client, q="moratorium") == {cat.moratorium.pk}


def test_cycle_keeps_recommendations_of_that_cycle(client, cat):
    assert shown(client, cycle="2") == {cat.excessive.pk}


def test_review_keeps_recommendations_of_that_review(client, cat):
    assert shown(client, review=cat.cycle2.pk) == {cat.excessive.pk}


def test_response_keeps_recommendations_with_that_response(client, cat):
    assert shown(client, response="noted") == {cat.moratorium.pk}


def test_two_values_of_one_filter_mean_or(client, cat):
    assert shown(client, response=["noted", "supported_in_part"]) == {
        cat.moratorium.pk,
        cat.excessive.pk,
    }


def test_two_different_filters_mean_and(client, cat):
    assert shown(client, response="supported", theme=cat.death.slug) == {cat.abolish.pk}


def test_theme_filters_by_theme_slug(client, cat):
    assert shown(client, theme=cat.police.slug) == {cat.training.pk, cat.excessive.pk}


def test_group_filters_by_affected_persons(client, cat):
    assert shown(client, group="children") == {cat.excessive.pk}


def test_sdg_accepts_a_target_code_or_a_goal_number(client, cat):
    assert shown(client, sdg="16.3") == {cat.excessive.pk}
    assert shown(client, sdg="16") == {cat.excessive.pk}


def test_country_filters_by_recommending_state(client, cat):
    assert shown(client, country="KEN") == {cat.training.pk, cat.excessive.pk}


def test_a_recommendation_made_by_two_chosen_states_is_listed_once(client, cat):
    response = client.get(LIST, {"country": ["FRA", "KEN"]})
    pks = [rec.pk for rec in response.context["page_obj"]]
    assert sorted(pks) == sorted({cat.abolish.pk, cat.training.pk, cat.excessive.pk})


def test_region_filters_by_the_recommenders_regional_group(client, cat):
    assert shown(client, region="weog") == {cat.abolish.pk, cat.excessive.pk}
    assert shown(client, region="grulac") == {cat.moratorium.pk}


def test_action_filters_by_action_category(client, cat):
    assert shown(client, action=["5", "3"]) == {cat.abolish.pk, cat.moratorium.pk}


def test_jurisdiction_counts_only_published_commitments(client, cat):
    assert shown(client, jurisdiction="pittsburgh") == {cat.abolish.pk}
    # Erie's only commitment is a draft.
    assert shown(client, jurisdiction="erie") == set()


def test_local_action_separates_acted_on_from_untouched(client, cat):
    assert shown(client, local_action="any") == {cat.abolish.pk}
    assert shown(client, local_action="none") == {
        cat.moratorium.pk,
        cat.training.pk,
        cat.excessive.pk,
    }


def test_facet_counts_use_the_other_active_filters(client, cat):
    response = client.get(LIST, {"theme": cat.death.slug})
    assert facet(response, "response") == {
        "supported": 1,
        "supported_in_part": 0,
        "noted": 1,
        "pending": 0,
    }
    # The theme facet ignores the theme filter itself, so other themes stay reachable.
    themes = facet(response, "theme")
    assert themes[cat.death.slug] == 2
    assert themes[cat.police.slug] == 2


def test_facet_counts_narrow_under_a_different_filter(client, cat):
    response = client.get(LIST, {"response": "supported"})
    themes = facet(response, "theme")
    assert themes[cat.death.slug] == 1
    assert themes[cat.police.slug] == 1
    assert facet(response, "region") == {
        "african": 1,
        "asia_pacific": 0,
        "eeg": 0,
        "grulac": 0,
        "weog": 1,
    }
    assert facet(response, "cycle")["3"] == 2
    # A cycle with no recommendation is not offered at all.
    assert "1" not in facet(response, "cycle")


def test_zero_counts_are_shown_beside_values(client, cat):
    response = client.get(LIST, {"cycle": "2"})
    html = response.content.decode()
    assert "Eastern European Group <span" in html
    assert facet(response, "region")["eeg"] == 0
    assert 'aria-label="0 results">(0)</span>' in html


def test_facets_count_the_remaining_filters(client, cat):
    response = client.get(LIST)
    assert facet(response, "country")["FRA"] == 2
    assert facet(response, "group")["children"] == 1
    assert facet(response, "sdg")["16"] == 1
    assert facet(response, "action")["5"] == 1
    assert facet(response, "local_action") == {
        "any": 1,
        "addressed": 1,
        "implemented": 0,
        "contested": 0,
        "none": 3,
    }
    assert facet(response, "jurisdiction") == {"pittsburgh": 1}
    # Cycle and review say the same: the review facet only names a review a link chose.
    assert facet(response, "review") == {}
    chosen = client.get(LIST, {"review": cat.cycle3.pk})
    assert facet(chosen, "review") == {str(cat.cycle3.pk): 3}
    # The review has no date; its session (36) places it in 2020.
    chips = {c["label"] for c in chosen.context["chips"]}
    assert "Review: United States, Cycle 3 (2020)" in chips


def test_active_filters_show_as_chips_that_remove_one_value(client, cat):
    response = client.get(LIST, {"response": ["noted", "supported"], "cycle": "3"})
    chips = {chip["label"]: chip["remove_url"] for chip in response.context["chips"]}
    assert "US response: Noted" in chips
    remaining = client.get(LIST + chips["US response: Noted"])
    assert {r.pk for r in remaining.context["page_obj"]} == {cat.abolish.pk, cat.training.pk}


def test_unknown_filter_values_give_a_message_not_an_error(client, cat):
    response = client.get(LIST, {"theme": "no-such-theme", "cycle": "99", "country": "ZZZ"})
    assert response.status_code == 200
    assert "were not recognised" in response.content.decode()


def test_a_malformed_page_number_gives_a_page(client, cat):
    for page in ["abc", "-1", "0", "999999", "1.5"]:
        assert client.get(LIST, {"page": page}).status_code == 200


def test_sorting_by_local_action_puts_acted_on_first(client, cat):
    response = client.get(LIST, {"sort": "local"})
    assert response.context["page_obj"][0].pk == cat.abolish.pk


def test_sorting_by_response_groups_responses(client, cat):
    response = client.get(LIST, {"sort": "response"})
    responses = [rec.response for rec in response.context["page_obj"]]
    assert responses == sorted(responses)


def test_pagination_keeps_the_filters_in_its_links(client, cat):
    review = cat.cycle3
    for n in range(30):
        factories.recommendation(review=review, paragraph=f"90.{n}", response="pending")
    response = client.get(LIST, {"response": "pending"})
    html = response.content.decode()
    assert "?response=pending&amp;page=2" in html
    second = client.get(LIST, {"response": "pending", "page": "2"})
    assert len(second.context["page_obj"]) == 5


def test_the_list_query_count_does_not_grow_with_rows(client, cat, django_assert_max_num_queries):
    for n in range(40):
        factories.recommendation(
            review=cat.cycle3,
            paragraph=f"80.{n}",
            recommending_countries=[cat.france, cat.brazil],
            themes=[cat.death],
        )
    with django_assert_max_num_queries(24):
        response = client.get(LIST, {"theme": cat.death.slug, "region": "weog"})
    assert len(response.context["page_obj"]) == 25


def test_the_detail_shows_everything_about_a_recommendation(client, cat):
    response = client.get(cat.excessive.get_absolute_url())
    html = response.content.decode()
    assert "A/HRC/30/12, para. 176.9" in html
    assert 'href="/countries/FRA/"' in html and 'href="/countries/KEN/"' in html
    assert "Supported in part" in html
    assert "2 – continuing action" in html
    assert "Children" in html
    assert "Target 16.3" in html
    assert "Law enforcement" in html


def test_the_detail_lists_published_commitments_grouped_by_jurisdiction(client, cat):
    html = client.get(cat.abolish.get_absolute_url()).content.decode()
    assert "Pittsburgh" in html
    assert "Resolution against capital punishment" in html
    assert "Implements" in html
    assert "Calls for abolition." in html


def test_the_detail_never_shows_a_draft_commitment(client, cat):
    html = client.get(cat.training.get_absolute_url()).content.decode()
    assert "Draft police training plan" not in html
    assert "No published local commitment" in html


def test_the_detail_finds_the_same_recommendation_made_again_in_another_cycle(client, cat):
    again = factories.recommendation(
        review=cat.cycle2,
        paragraph="176.2",
        text="Abolish the death penalty in every state.",
        recommending_countries=[cat.france],
    )
    # What every writer of recommendations does (importer, admin, curator form, seeds).
    refresh_recommended_again(Recommendation.objects.filter(pk=again.pk))
    response = client.get(cat.abolish.get_absolute_url())
    assert [rec.pk for rec in response.context["similar"]] == [again.pk]


def test_the_detail_query_count_is_bounded(client, cat, django_assert_max_num_queries):
    for n in range(10):
        c = factories.commitment(jurisdiction=cat.pittsburgh, title=f"Step {n}")
        factories.link(c, cat.abolish)
        factories.milestone(c, done_on=c.adopted_on)
        factories.update(c)
    # Nine for the page; three for its timeline (commitments, milestones, updates); three
    # look for the United States' similar recommendations to others.
    with django_assert_max_num_queries(15):
        response = client.get(cat.abolish.get_absolute_url())
    assert len(response.context["links"]) == 11


def test_an_unknown_recommendation_is_a_404(client, cat):
    assert client.get("/recommendations/999999/").status_code == 404


def test_the_state_under_review_facet_lists_only_states_and_every_state(client, cat):
    response = client.get("/recommendations/")
    facet = next(f for f in response.context["facets"] if f["name"] == "under_review")
    assert [o["value"] for o in facet["options"]] == ["USA", "all"]
    assert "---------" not in response.content.decode()
