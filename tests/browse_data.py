"""A small catalogue shared by the browsing tests: four recommendations over two cycles,
three recommending states, two themes, one city with a published and a draft commitment."""

from types import SimpleNamespace

from django.core.cache import cache

from jurisdictions.local_status import refresh_local_status
from recommendations.models import AffectedGroup, SdgGoal, SdgTarget
from tests import factories


def build_catalogue():
    # Pages keep facet counts and home figures in the cache; start every test afresh.
    cache.clear()
    usa = factories.country(iso3="USA", name="United States", region="weog")
    france = factories.country(iso3="FRA", name="France", region="weog")
    brazil = factories.country(iso3="BRA", name="Brazil", region="grulac")
    kenya = factories.country(iso3="KEN", name="Kenya", region="african")
    cycle2 = factories.review(
        state_under_review=usa, cycle=2, wg_session=22, report_symbol="A/HRC/30/12"
    )
    cycle3 = factories.review(
        state_under_review=usa, cycle=3, wg_session=36, report_symbol="A/HRC/46/15"
    )
    death = factories.theme(vocabulary="upr_info", name="Death penalty")
    police = factories.theme(vocabulary="upr_info", name="Law enforcement")
    children = AffectedGroup.objects.create(name="Children", slug="children")
    goal = SdgGoal.objects.create(number=16, title="Peace, justice and strong institutions")
    target = SdgTarget.objects.create(goal=goal, code="16.3")

    abolish = factories.recommendation(
        review=cycle3,
        paragraph="26.1",
        text="Abolish the death penalty in every state.",
        response="supported",
        action_category=5,
        recommending_countries=[france],
        themes=[death],
        local_status="addressed",
        jurisdictions_acting=1,
    )
    moratorium = factories.recommendation(
        review=cycle3,
        paragraph="26.2",
        text="Establish a moratorium on executions.",
        response="noted",
        action_category=3,
        recommending_countries=[brazil],
        themes=[death],
    )
    training = factories.recommendation(
        review=cycle3,
        paragraph="26.3",
        text="Train police officers in the lawful use of force.",
        response="supported",
        action_category=4,
        recommending_countries=[kenya],
        themes=[police],
    )
    excessive = factories.recommendation(
        review=cycle2,
        paragraph="176.9",
        text="Investigate every police killing and excessive use of force.",
        response="supported_in_part",
        action_category=2,
        recommending_countries=[france, kenya],
        themes=[police],
    )
    excessive.affected_groups.set([children])
    excessive.sdg_targets.set([target])

    pittsburgh = factories.jurisdiction(
        name="Pittsburgh", slug="pittsburgh", kind="city", state_code="PA"
    )
    erie = factories.jurisdiction(name="Erie", slug="erie", kind="city", state_code="PA")
    published = factories.commitment(
        jurisdiction=pittsburgh,
        title="Resolution against capital punishment",
        summary="The council opposes executions and asks the state to end them.",
        status="adopted",
    )
    published.themes.set([death])
    factories.link(published, abolish, relation="implements", rationale="Calls for abolition.")
    draft = factories.commitment(
        jurisdiction=erie, title="Draft police training plan", publication="draft"
    )
    factories.link(draft, training)
    # What the status refresh writes after the links' commit (local status, jurisdictions
    # acting and, on PostgreSQL, their ids, which the "Acted on by" filter reads).
    refresh_local_status()
    for rec in (abolish, moratorium, training, excessive):
        rec.refresh_from_db()
    return SimpleNamespace(**locals())
