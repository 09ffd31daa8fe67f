"""Suggested recommendations put the one a person would pick near the top.

Five commitments shaped like real local acts, against the demo recommendations that
`seed_demo` loads. Their wording is local, not the UN's: an eviction ordinance never says
"homelessness among the groups most at risk", so the ranking has to use themes and
related terms as well as shared words. Runs on whichever database the suite runs on.
"""

import io

import pytest
from django.core.management import call_command

from jurisdictions.models import Jurisdiction
from jurisdictions.suggestions import suggest_for
from recommendations.models import Recommendation, Theme
from tests import factories as f

pytestmark = pytest.mark.django_db

# (kind, title, summary, paragraphs a person would accept as the right pick)
COMMITMENTS = [
    (
        "ordinance",
        "Right to counsel for tenants facing eviction",
        "Gives every tenant with an eviction case a free lawyer, pays for outreach at "
        "housing court and adds emergency shelter beds for people experiencing "
        "homelessness.",
        {"26.286"},
    ),
    (
        "ordinance",
        "Ordinance on the local principles of CEDAW",
        "The council adopts the principles of the Convention on the Elimination of All "
        "Forms of Discrimination against Women as city policy and creates a commission "
        "on the status of women to review city departments.",
        {"26.47"},
    ),
    (
        "policy",
        "Police use-of-force policy",
        "A department directive allows deadly force only as a last resort, requires "
        "officers to de-escalate, and sends every complaint to an independent civilian "
        "board for investigation.",
        {"26.218", "26.219", "26.222", "26.229"},
    ),
    (
        "program",
        "Water affordability plan",
        "Low-income households pay water and sewer bills as a share of their income, and "
        "shutoffs for arrears stop while a household is enrolled.",
        {"26.287"},
    ),
    (
        "executive_order",
        "Moratorium on executions",
        "The governor grants a reprieve to every person on death row for as long as he "
        "holds office and closes the execution chamber.",
        {"26.179", "26.183", "26.185"},
    ),
]


@pytest.fixture
def demo():
    call_command("seed_demo", stdout=io.StringIO())
    return Jurisdiction.objects.get(slug="pittsburgh")


def test_the_recommendation_a_person_would_pick_ranks_in_the_top_three(demo):
    misses = []
    for kind, title, summary, wanted in COMMITMENTS:
        commitment = f.commitment(
            jurisdiction=demo, kind=kind, title=title, summary=summary, publication="draft"
        )
        top = [rec.paragraph for rec in suggest_for(commitment)[:3]]
        if not wanted & set(top):
            misses.append(f"{title}: top 3 were {top}, wanted one of {sorted(wanted)}")
    assert misses == []


def test_every_suggestion_is_an_unlinked_recommendation_listed_once(demo):
    commitment = f.commitment(jurisdiction=demo, title=COMMITMENTS[0][1], summary=COMMITMENTS[0][2])
    homelessness = Recommendation.objects.get(paragraph="26.286")
    f.link(commitment, homelessness)
    suggested = [rec.pk for rec in suggest_for(commitment)]
    assert len(suggested) == len(set(suggested)) > 0
    assert homelessness.pk not in suggested


def test_the_list_stops_where_relevance_drops(demo):
    """Each list holds the right pick, and the lists are not filled up to ten with
    unrelated recommendations: every suggestion for the eviction ordinance is about housing
    (there are three), every one for the moratorium about the death penalty."""
    lists = {}
    for kind, title, summary, wanted in COMMITMENTS:
        commitment = f.commitment(
            jurisdiction=demo, kind=kind, title=title, summary=summary, publication="draft"
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


def test_a_theme_the_commitment_carries_lifts_recommendations_without_a_shared_word(demo):
    water = Theme.objects.get(vocabulary="uhri", name="Right to water and sanitation")
    commitment = f.commitment(
        jurisdiction=demo, title="Lead service line replacement", summary="", publication="draft"
    )
    commitment.themes.add(water)
    assert "26.287" in [rec.paragraph for rec in suggest_for(commitment)[:3]]


def test_a_commitment_without_words_or_themes_gets_no_suggestions(demo):
    commitment = f.commitment(jurisdiction=demo, title="No. 12", summary="", publication="draft")
    assert suggest_for(commitment) == []
