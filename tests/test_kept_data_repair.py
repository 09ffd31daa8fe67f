"""Every array and counter kept in step by triggers or by the status refresh has a repair
that the nightly or daily job runs. Each test breaks the kept data with raw SQL, as a
writer that bypassed the triggers would, runs the job, and checks that the data is
exactly what a clean computation, worked out here in Python from the link rows, gives;
and that a second run finds nothing to repair."""

from collections import defaultdict

import pytest
from django.db import connection

from jurisdictions.models import (
    Commitment,
    CommitmentLink,
    ThemeActionCount,
    ThemeJurisdictionCount,
)
from jurisdictions.tasks import refresh_commitment_statuses, refresh_recommendation_statuses
from recommendations.models import AffectedGroup, Country, Recommendation, SdgGoal, SdgTarget
from tests import factories
from tests.test_theme_local_action_counts import closures, recount

pytestmark = pytest.mark.django_db


def run_sql(*statements):
    with connection.cursor() as cursor:
        for statement in statements:
            if isinstance(statement, tuple):
                cursor.execute(*statement)
            else:
                cursor.execute(statement)


def stored_theme_ids() -> dict[int, list[int]]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, theme_ids FROM jurisdictions_commitment")
        return dict(cursor.fetchall())


@pytest.fixture
def world():
    """A theme tree, recommendations tagged in it, and commitments in three places that
    reach the themes by their own tags and by links, published and not."""
    rights = factories.theme(vocabulary="uhri", name="Economic, social & cultural rights")
    housing = factories.theme(vocabulary="uhri", name="Right to housing", parent=rights)
    eviction = factories.theme(vocabulary="uhri", name="Forced evictions", parent=housing)
    police = factories.theme(vocabulary="upr_info", name="Law enforcement")
    death = factories.theme(vocabulary="upr_info", name="Death penalty")
    rec_evict = factories.recommendation(text="Stop evictions.", themes=[eviction, police])
    rec_death = factories.recommendation(text="Abolish it.", themes=[death])
    city = factories.jurisdiction(name="Philadelphia")
    county = factories.jurisdiction(name="Allegheny County", kind="county")
    town = factories.jurisdiction(name="Erie")
    shelter = factories.commitment(jurisdiction=city, title="Right to shelter")
    factories.link(shelter, rec_evict, relation="implements")
    fund = factories.commitment(jurisdiction=county, title="Housing fund", status="implemented")
    fund.themes.set([housing])
    factories.link(fund, rec_evict, relation="implements")
    abolition = factories.commitment(jurisdiction=city, title="Abolition resolution")
    factories.link(abolition, rec_death, relation="rolls_back")
    patrol = factories.commitment(jurisdiction=town, title="Patrol review")
    patrol.themes.set([police, death])
    draft = factories.commitment(jurisdiction=town, title="Draft plan", publication="draft")
    factories.link(draft, rec_death)
    draft.themes.set([eviction])
    return locals()


# The commitments' theme_ids (daily commitment job).


def test_the_daily_job_repairs_theme_ids_that_drifted(world):
    clean = {pk: sorted(themes) for pk, themes in closures().items()}
    assert stored_theme_ids() == clean
    shelter, fund, patrol = world["shelter"], world["fund"], world["patrol"]
    run_sql(
        # Emptied, given a theme it is not on, and a tag written with the triggers
        # deferred (a bulk writer that never synced).
        ("UPDATE jurisdictions_commitment SET theme_ids = '{}' WHERE id = %s", [shelter.pk]),
        (
            "UPDATE jurisdictions_commitment SET theme_ids = theme_ids || %s WHERE id = %s",
            [world["death"].pk, fund.pk],
        ),
        "SELECT set_config('jurisdictions.defer_theme_ids', 'on', false)",
        (
            "INSERT INTO jurisdictions_commitment_themes (commitment_id, theme_id) VALUES (%s, %s)",
            [patrol.pk, world["eviction"].pk],
        ),
        "SELECT set_config('jurisdictions.defer_theme_ids', 'off', false)",
    )
    clean = {pk: sorted(themes) for pk, themes in closures().items()}
    assert stored_theme_ids() != clean

    counts = refresh_commitment_statuses()

    assert counts["theme_arrays_repaired"] == 3
    assert stored_theme_ids() == clean
    assert refresh_commitment_statuses()["theme_arrays_repaired"] == 0


# The kept theme counts (daily commitment job), after the arrays.


def kept_pairs() -> dict[tuple[int, int], int]:
    rows = ThemeJurisdictionCount.objects.exclude(commitments=0)
    return {(r.theme_id, r.jurisdiction_id): r.commitments for r in rows}


def kept_themes() -> dict[int, tuple[int, int]]:
    rows = ThemeActionCount.objects.exclude(commitments=0, jurisdictions=0)
    return {r.theme_id: (r.commitments, r.jurisdictions) for r in rows}


def clean_pairs() -> dict[tuple[int, int], int]:
    return {(theme, place): n for theme, places in recount().items() for place, n in places.items()}


def clean_themes() -> dict[int, tuple[int, int]]:
    return {
        theme: (sum(places.values()), len(places)) for theme, places in recount().items() if places
    }


def test_the_daily_job_repairs_the_kept_theme_counts(world):
    assert (kept_pairs(), kept_themes()) == (clean_pairs(), clean_themes())
    rights, police = world["rights"], world["police"]
    run_sql(
        # Too many, a pair lost, a pair that never acted, a theme with no action.
        "UPDATE jurisdictions_themeactioncount SET commitments = commitments + 5",
        (
            "UPDATE jurisdictions_themeactioncount SET jurisdictions = 9 WHERE theme_id = %s",
            [police.pk],
        ),
        (
            "DELETE FROM jurisdictions_themejurisdictioncount "
            "WHERE theme_id = %s AND jurisdiction_id = %s",
            [rights.pk, world["county"].pk],
        ),
        (
            "INSERT INTO jurisdictions_themejurisdictioncount "
            "(theme_id, jurisdiction_id, commitments) VALUES (%s, %s, 4)",
            [rights.pk, world["town"].pk],
        ),
        (
            "INSERT INTO jurisdictions_themeactioncount (theme_id, commitments, jurisdictions) "
            "VALUES (%s, 2, 1)",
            [factories.theme(name="Nobody acts").pk],
        ),
    )
    assert (kept_pairs(), kept_themes()) != (clean_pairs(), clean_themes())

    counts = refresh_commitment_statuses()

    assert counts["theme_counts_repaired"] > 0
    assert kept_pairs() == clean_pairs()
    assert kept_themes() == clean_themes()
    assert refresh_commitment_statuses()["theme_counts_repaired"] == 0


def test_the_counts_follow_the_repaired_arrays(world):
    """Arrays broken with the count triggers on follow into the counts; the daily job
    repairs the arrays first, and the counts with them."""
    run_sql("UPDATE jurisdictions_commitment SET theme_ids = '{}'")
    assert kept_pairs() == {}

    counts = refresh_commitment_statuses()

    assert counts["theme_arrays_repaired"] == Commitment.objects.count()
    assert counts["theme_counts_repaired"] == 0
    assert kept_pairs() == clean_pairs()
    assert kept_themes() == clean_themes()


# The recommendations' local-action columns (nightly status refresh).


def clean_local_action() -> dict[int, tuple[str, int, list[int]]]:
    """Recommendation id -> (local_status, jurisdictions_acting, acting_jurisdiction_ids)
    by the rule, from the published links."""
    links = defaultdict(list)
    rows = CommitmentLink.objects.filter(commitment__publication="published").values_list(
        "recommendation_id", "relation", "commitment__status", "commitment__jurisdiction_id"
    )
    for rec, relation, status, place in rows:
        links[rec].append((relation, status, place))
    result = {}
    for rec in Recommendation.objects.values_list("pk", flat=True):
        found = links[rec]
        if any(relation in ("contradicts", "rolls_back") for relation, _, _ in found):
            status = "contested"
        elif any(
            relation in ("implements", "partial") and state == "implemented"
            for relation, state, _ in found
        ):
            status = "implemented"
        elif found:
            status = "addressed"
        else:
            status = "none"
        places = sorted({place for _, _, place in found})
        result[rec] = (status, len(places), places)
    return result


def stored_local_action() -> dict[int, tuple[str, int, list[int]]]:
    rows = Recommendation.objects.values_list(
        "pk", "local_status", "jurisdictions_acting", "acting_jurisdiction_ids"
    )
    return {pk: (status, n, list(ids)) for pk, status, n, ids in rows}


def test_the_nightly_job_repairs_the_local_action_columns(world):
    factories.recommendation(text="Nobody acted on this.")
    refresh_recommendation_statuses()
    clean = clean_local_action()
    assert stored_local_action() == clean
    assert {status for status, _, _ in clean.values()} == {"implemented", "contested", "none"}
    run_sql(
        "UPDATE recommendations_recommendation SET local_status = 'addressed', "
        "jurisdictions_acting = 7, acting_jurisdiction_ids = '{999}' WHERE id % 2 = 0",
        "UPDATE recommendations_recommendation SET acting_jurisdiction_ids = '{}', "
        "jurisdictions_acting = jurisdictions_acting + 1 WHERE id % 2 = 1",
    )
    assert stored_local_action() != clean

    counts = refresh_recommendation_statuses()

    assert counts["recommendations_changed"] == Recommendation.objects.count()
    assert stored_local_action() == clean
    assert refresh_recommendation_statuses()["recommendations_changed"] == 0


# The recommendations' facet arrays (recommendations/schema.py; the nightly status job
# runs their repair).


@pytest.fixture
def tagged():
    goal = SdgGoal.objects.create(number=16, title="Peace")
    other_goal = SdgGoal.objects.create(number=5, title="Gender")
    target = SdgTarget.objects.create(goal=goal, code="16.3")
    other_target = SdgTarget.objects.create(goal=other_goal, code="5.a")
    women = AffectedGroup.objects.create(name="Women", slug="women")
    children = AffectedGroup.objects.create(name="Children", slug="children")
    france = factories.country(region="weog")
    brazil = factories.country(region="grulac")
    chad = factories.country(region="")
    theme = factories.theme()
    recs = [
        factories.recommendation(recommending_countries=[france, brazil], themes=[theme]),
        factories.recommendation(recommending_countries=[chad]),
        factories.recommendation(),
    ]
    recs[0].affected_groups.set([women, children])
    recs[0].sdg_targets.set([target, other_target])
    recs[1].sdg_targets.set([target])
    recs[1].affected_groups.set([women])
    return recs


ARRAYS = ["theme_ids", "country_ids", "regions", "group_ids", "sdg_codes"]
SORTED = ["theme_ids", "country_ids", "group_ids"]  # ids in order; text in the collation's


def clean_arrays() -> dict[int, dict[str, set]]:
    region = dict(Country.objects.values_list("pk", "region"))
    result = {
        pk: {name: set() for name in ARRAYS}
        for pk in Recommendation.objects.values_list("pk", flat=True)
    }
    for rec, theme in Recommendation.themes.through.objects.values_list(
        "recommendation_id", "theme_id"
    ):
        result[rec]["theme_ids"].add(theme)
    for rec, country in Recommendation.recommending_countries.through.objects.values_list(
        "recommendation_id", "country_id"
    ):
        result[rec]["country_ids"].add(country)
        if region[country]:
            result[rec]["regions"].add(region[country])
    for rec, group in Recommendation.affected_groups.through.objects.values_list(
        "recommendation_id", "affectedgroup_id"
    ):
        result[rec]["group_ids"].add(group)
    for rec, code, goal in Recommendation.sdg_targets.through.objects.values_list(
        "recommendation_id", "sdgtarget__code", "sdgtarget__goal__number"
    ):
        result[rec]["sdg_codes"] |= {code, str(goal)}
    return result


def stored_arrays() -> dict[int, dict[str, set]]:
    rows = Recommendation.objects.values_list("pk", *ARRAYS)
    stored = {}
    for pk, *arrays in rows:
        named = dict(zip(ARRAYS, arrays, strict=True))
        # Without repeats, so that its set says all of it.
        assert all(len(set(array)) == len(array) for array in arrays)
        assert all(named[name] == sorted(named[name]) for name in SORTED)
        stored[pk] = {name: set(array) for name, array in named.items()}
    return stored


def test_the_nightly_job_repairs_the_facet_arrays(tagged):
    assert stored_arrays() == clean_arrays()
    first, second, third = tagged
    run_sql(
        (
            "UPDATE recommendations_recommendation SET theme_ids = '{}', regions = '{afro}', "
            "sdg_codes = '{16.3}' WHERE id = %s",
            [first.pk],
        ),
        (
            "UPDATE recommendations_recommendation SET country_ids = '{}', group_ids = '{1,2}' "
            "WHERE id = %s",
            [second.pk],
        ),
        (
            "UPDATE recommendations_recommendation SET theme_ids = '{42}' WHERE id = %s",
            [third.pk],
        ),
    )
    assert stored_arrays() != clean_arrays()

    counts = refresh_recommendation_statuses()

    assert counts["recommendation_arrays_repaired"] == 3
    assert stored_arrays() == clean_arrays()
    assert refresh_recommendation_statuses()["recommendation_arrays_repaired"] == 0


def test_the_nightly_job_reports_no_schema_drift(world):
    assert refresh_recommendation_statuses()["schema_drift"] == 0


# The commitments' search vector is a generated column: the database computes it on
# every write, raw SQL included, so there is nothing to repair.


def test_a_raw_write_of_a_title_is_searchable_unaccented_title_first(client):
    in_summary = factories.commitment(title="Trade office", summary="Talks with Mexico.")
    in_title = factories.commitment(title="Sister city", summary="Exchanges.")
    run_sql(
        (
            "UPDATE jurisdictions_commitment SET title = 'Sister city of Mérida, México' "
            "WHERE id = %s",
            [in_title.pk],
        )
    )

    found = client.get("/commitments/", {"q": "mexico"}).context["page_obj"].object_list
    assert [c.pk for c in found] == [in_title.pk, in_summary.pk]
    found = client.get("/commitments/", {"q": "Mérida"}).context["page_obj"].object_list
    assert [c.pk for c in found] == [in_title.pk]
