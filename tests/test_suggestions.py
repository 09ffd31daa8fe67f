"""Suggested recommendations put the one a person would pick near the top.

Five commitments shaped like real local acts, against the demo recommendations that
`seed_demo` loads. Their wording is local, not the UN's: an eviction ordinance never says
"homelessness among the groups most at risk", so the ranking has to use themes and
related terms as well as shared words. Runs on whichever database the suite runs on.
"""

import pytest

from jurisdictions.suggestions import suggest_for
from recommendations.models import Recommendation, Theme
from tests import factories as f
from tests.demo_commitments import COMMITMENTS

pytestmark = pytest.mark.django_db


def test_the_recommendation_a_person_would_pick_ranks_in_the_top_three(demo_pittsburgh):
    misses = []
    for kind, title, summary, wanted in COMMITMENTS:
        commitment = f.commitment(
            jurisdiction=demo_pittsburgh,
            kind=kind,
            title=title,
            summary=summary,
            publication="draft",
        )
        top = [rec.paragraph for rec in suggest_for(commitment)[:3]]
        if not wanted & set(top):
            misses.append(f"{title}: top 3 were {top}, wanted one of {sorted(wanted)}")
    assert misses == []


def test_every_suggestion_is_an_unlinked_recommendation_listed_once(demo_pittsburgh):
    commitment = f.commitment(
        jurisdiction=demo_pittsburgh, title=COMMITMENTS[0][1], summary=COMMITMENTS[0][2]
    )
    homelessness = Recommendation.objects.get(paragraph="26.286")
    f.link(commitment, homelessness)
    suggested = [rec.pk for rec in suggest_for(commitment)]
    assert len(suggested) == len(set(suggested)) > 0
    assert homelessness.pk not in suggested


def test_the_list_stops_where_relevance_drops(demo_pittsburgh):
    """Each list holds the right pick, and the lists are not filled up to ten with
    unrelated recommendations: every suggestion for the eviction ordinance is about housing
    (there are three), every one for the moratorium about the death penalty."""
    lists = {}
    for kind, title, summary, wanted in COMMITMENTS:
        commitment = f.commitment(
            jurisdiction=demo_pittsburgh,
            kind=kind,
            title=title,
            summary=summary,
            publication="draft",
        )
        lists[title] = suggest_for(commitment)
        assert wanted & {rec.paragraph for rec in lists[title]}, title

    def about(rec, *words):
        text = (rec.text + " " + " ".join(t.name for t in rec.themes.all())).lower()
        return any(word in text for word in words)

    eviction = lists[COMMITMENTS[0][1]]
    assert len(eviction) == 3
    assert all(about(rec, "housing", "homeless") for rec in eviction)
    assert all(
        about(rec, "death penalty", "capital", "execution") for rec in lists[COMMITMENTS[4][1]]
    )
    assert len(lists[COMMITMENTS[3][1]]) < 10


def test_a_theme_the_commitment_carries_lifts_recommendations_without_a_shared_word(
    demo_pittsburgh,
):
    water = Theme.objects.get(vocabulary="uhri", name="Right to water and sanitation")
    commitment = f.commitment(
        jurisdiction=demo_pittsburgh,
        title="Lead service line replacement",
        summary="",
        publication="draft",
    )
    commitment.themes.add(water)
    assert "26.287" in [rec.paragraph for rec in suggest_for(commitment)[:3]]


def test_a_commitment_without_words_or_themes_gets_no_suggestions(demo_pittsburgh):
    commitment = f.commitment(
        jurisdiction=demo_pittsburgh, title="No. 12", summary="", publication="draft"
    )
    assert suggest_for(commitment) == []
