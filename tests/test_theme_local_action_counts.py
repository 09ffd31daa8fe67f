"""A theme's local action counted for /themes/, the theme page and the jurisdiction page
stays true to the link rows, whoever writes them: it is kept (each commitment's theme_ids
and the kept counts, jurisdictions/schema.py). After every kind of write, the pages and
on_themes() agree with a recount worked out here in Python."""

import threading
import time
from collections import defaultdict

import pytest
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext

from jurisdictions.commitment_import import import_commitments
from jurisdictions.models import Commitment, CommitmentLink, Jurisdiction, ThemeActionCount
from jurisdictions.moderation import merge_commitments
from recommendations.models import Recommendation, Theme
from tests import factories

pytestmark = pytest.mark.django_db


def closures() -> dict[int, set[int]]:
    """Every commitment's themes by the definition: its own themes and its linked
    recommendations' themes, each with every broader theme."""
    parent = dict(Theme.objects.values_list("pk", "parent_id"))
    rec_themes = defaultdict(set)
    for rec, theme in Recommendation.themes.through.objects.values_list(
        "recommendation_id", "theme_id"
    ):
        rec_themes[rec].add(theme)
    direct = {pk: set() for pk in Commitment.objects.values_list("pk", flat=True)}
    for commitment, theme in Commitment.themes.through.objects.values_list(
        "commitment_id", "theme_id"
    ):
        direct[commitment].add(theme)
    for commitment, rec in CommitmentLink.objects.values_list("commitment_id", "recommendation_id"):
        direct[commitment] |= rec_themes[rec]
    result = {}
    for commitment, themes in direct.items():
        covered = set()
        for theme in themes:
            while theme is not None and theme not in covered:
                covered.add(theme)
                theme = parent[theme]
        result[commitment] = covered
    return result


def recount() -> dict[int, dict[int, int]]:
    """Theme id -> {jurisdiction id: published commitments on the theme}."""
    closure = closures()
    counts = defaultdict(lambda: defaultdict(int))
    for pk, jurisdiction in Commitment.objects.published().values_list("pk", "jurisdiction_id"):
        for theme in closure[pk]:
            counts[theme][jurisdiction] += 1
    return counts


def assert_in_step(client):
    """/themes/, every theme page, every jurisdiction page and on_themes() against the
    recount, and every commitment's stored theme_ids."""
    closure = closures()
    expected = recount()
    names = dict(Jurisdiction.objects.values_list("pk", "name"))
    listed = {
        theme.pk: theme.commitment_count
        for group in client.get("/themes/").context["groups"]
        for theme in group["themes"]
    }
    assert listed == {pk: sum(expected[pk].values()) for pk in listed}
    published = dict(Commitment.objects.published().values_list("pk", "jurisdiction_id"))
    for theme in Theme.objects.all():
        by_place = expected[theme.pk]
        on_theme = Commitment.objects.published().on_themes([theme])
        assert set(on_theme.values_list("pk", flat=True)) == {
            pk for pk in published if theme.pk in closure[pk]
        }, theme.name
        context = client.get(theme.get_absolute_url()).context
        assert context["theme_commitment_count"] == sum(by_place.values()), theme.name
        assert context["acting_jurisdiction_count"] == len(by_place), theme.name
        leading = sorted(by_place, key=lambda pk: (-by_place[pk], names[pk], pk))[:30]
        assert [(j.pk, j.n) for j in context["acting_jurisdictions"]] == [
            (pk, by_place[pk]) for pk in leading
        ], theme.name
    by_jurisdiction = defaultdict(dict)
    for theme, places in expected.items():
        for place, n in places.items():
            by_jurisdiction[place][theme] = n
    for jurisdiction in Jurisdiction.objects.all():
        shown = client.get(jurisdiction.get_absolute_url()).context["themes"]
        assert {t.pk: t.n for t in shown} == by_jurisdiction[jurisdiction.pk], jurisdiction.name
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, theme_ids FROM jurisdictions_commitment")
        assert {pk: set(ids) for pk, ids in cursor.fetchall()} == closure


@pytest.fixture
def world():
    """A three-level tree (UHRI), a flat vocabulary (UPR Info), recommendations tagged in
    both, and commitments in two places reaching the themes by tags and by links."""
    rights = factories.theme(vocabulary="uhri", name="Economic, social & cultural rights")
    housing = factories.theme(vocabulary="uhri", name="Right to housing", parent=rights)
    eviction = factories.theme(vocabulary="uhri", name="Forced evictions", parent=housing)
    civil = factories.theme(vocabulary="uhri", name="Civil & political rights")
    police = factories.theme(vocabulary="upr_info", name="Law enforcement")
    death = factories.theme(vocabulary="upr_info", name="Death penalty")
    rec_evict = factories.recommendation(text="Stop evictions.", themes=[eviction, police])
    rec_death = factories.recommendation(text="Abolish it.", themes=[death, civil])
    rec_plain = factories.recommendation(text="Untagged.", themes=[])
    city = factories.jurisdiction(name="Philadelphia", slug="philadelphia")
    county = factories.jurisdiction(name="Allegheny County", slug="allegheny", kind="county")
    shelter = factories.commitment(jurisdiction=city, title="Right to shelter")
    factories.link(shelter, rec_evict)
    fund = factories.commitment(jurisdiction=county, title="Housing fund")
    fund.themes.set([housing])
    abolition = factories.commitment(jurisdiction=city, title="Abolition resolution")
    abolition_link = factories.link(abolition, rec_death)
    draft = factories.commitment(jurisdiction=county, title="Draft plan", publication="draft")
    factories.link(draft, rec_evict)
    draft.themes.set([death])
    return locals()


def test_the_world_is_counted_by_the_definition(client, world):
    assert_in_step(client)
    assert ThemeActionCount.objects.by_theme()[world["rights"].pk] == 2


def test_tagging_and_untagging_a_commitment(client, world):
    world["shelter"].themes.add(world["civil"], world["eviction"])
    assert_in_step(client)
    world["shelter"].themes.remove(world["eviction"])
    world["fund"].themes.clear()
    assert_in_step(client)


def test_adding_removing_and_retargeting_links(client, world):
    link = factories.link(world["fund"], world["rec_death"])
    assert_in_step(client)
    link.recommendation = world["rec_plain"]
    link.save()
    assert_in_step(client)
    world["abolition_link"].recommendation = world["rec_evict"]
    world["abolition_link"].save()
    assert_in_step(client)
    CommitmentLink.objects.filter(commitment=world["shelter"]).delete()
    assert_in_step(client)


def test_changing_a_recommendations_themes(client, world):
    world["rec_evict"].themes.set([world["death"]])
    assert_in_step(client)
    world["rec_plain"].themes.add(world["housing"])
    factories.link(world["fund"], world["rec_plain"])
    assert_in_step(client)
    world["rec_death"].themes.clear()
    assert_in_step(client)


def test_moving_a_theme_under_another_parent(client, world):
    housing = world["housing"]
    housing.parent = world["civil"]
    housing.save()
    assert_in_step(client)
    housing.parent = None
    housing.save()
    assert_in_step(client)
    world["civil"].parent = world["rights"]
    world["civil"].save()
    assert_in_step(client)


def test_publishing_unpublishing_moving_and_deleting_commitments(client, world):
    draft = world["draft"]
    draft.publication = "published"
    draft.save()
    assert_in_step(client)
    world["shelter"].publication = "submitted"
    world["shelter"].save()
    assert_in_step(client)
    world["fund"].jurisdiction = world["city"]
    world["fund"].save()
    assert_in_step(client)
    world["abolition"].delete()
    assert_in_step(client)
    Commitment.objects.update(publication="published")
    assert_in_step(client)


def test_merging_commitments_and_deleting_a_theme(client, world):
    merge_commitments(world["fund"], world["draft"])
    assert_in_step(client)
    world["eviction"].delete()
    assert_in_step(client)


def test_a_bulk_import_then_publication(client, world):
    rows = "\n".join(
        f"Imported {n},policy,2021-01-01,{world['eviction'].slug};{world['death'].slug}"
        for n in range(40)
    )
    result = import_commitments(
        f"title,kind,adopted_on,themes\n{rows}\n".encode(), world["county"], None
    )
    assert result.ok, result.errors
    assert_in_step(client)
    Commitment.objects.filter(title__startswith="Imported").update(publication="published")
    assert_in_step(client)


def test_the_busiest_places_lead_and_ties_go_by_name(client, world):
    places = [factories.jurisdiction(name=f"Place {n:02d}") for n in range(35)]
    for n, place in enumerate(places):
        for _ in range(1 + n % 3):
            factories.commitment(jurisdiction=place).themes.add(world["police"])
    context = client.get(world["police"].get_absolute_url()).context
    leading = [(j.n, j.name) for j in context["acting_jurisdictions"]]
    assert len(leading) == 30 and leading[0] == (3, "Place 02")
    assert leading == sorted(leading, key=lambda row: (-row[0], row[1]))
    assert_in_step(client)


def test_the_theme_pages_query_counts_do_not_grow(client, world):
    """/themes/, a parent theme's page (a query per level to find its narrower themes), a
    leaf theme's page and a busy jurisdiction's page read the kept counts: twice the
    commitments, the same queries."""
    urls = {
        "/themes/": "/themes/",
        "rights": world["rights"].get_absolute_url(),
        "police": world["police"].get_absolute_url(),
        "philadelphia": world["city"].get_absolute_url(),
    }
    seen = []
    for size in (1, 2):
        for n in range(25 * size):
            place = factories.jurisdiction(name=f"Town {size}-{n}")
            rec = factories.recommendation(text=f"More {size} {n}.", themes=[world["eviction"]])
            commitment = factories.commitment(jurisdiction=place)
            commitment.themes.add(world["police"], world["death"])
            factories.link(commitment, rec)
            factories.commitment(jurisdiction=world["city"]).themes.add(world["civil"])
        counts = {}
        for name, url in urls.items():
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            counts[name] = len(queries.captured_queries)
        seen.append(counts)
    assert seen[0] == seen[1]


RETAG = (
    "INSERT INTO recommendations_recommendation_themes (recommendation_id, theme_id)"
    " VALUES (%s, %s)"
)
LINK = (
    "INSERT INTO jurisdictions_commitmentlink (commitment_id, recommendation_id,"
    " relation, rationale, created_at) VALUES (%s, %s, 'partial', '', now())"
)


def run_both(first_sql, first_params, second_sql, second_params) -> list:
    """Two transactions: the first writes and holds its transaction open; the second
    writes meanwhile. Returns the errors."""
    first_wrote = threading.Event()
    errors = []

    def write(sql, params, then=None):
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(sql, params)
                if then:
                    then()
        except Exception as exc:  # reported by the caller's assertion
            errors.append(exc)
        finally:
            first_wrote.set()
            connections.close_all()

    def first():
        write(first_sql, first_params, then=lambda: (first_wrote.set(), time.sleep(0.5)))

    def second():
        first_wrote.wait(5)
        write(second_sql, second_params)

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    return errors


@pytest.mark.django_db(transaction=True)
def test_a_tag_and_a_link_added_at_once_both_count():
    """Two editors write the same commitment at once: the second trigger waits for the
    first writer's lock and then reads what it committed, so neither theme is lost. Plain
    SQL, so that only the triggers act (no status refresh after the commits)."""
    tagged = factories.theme(vocabulary="upr_info", name="Housing")
    linked = factories.theme(vocabulary="upr_info", name="Police")
    rec = factories.recommendation(themes=[linked])
    commitment = factories.commitment()
    tag = "INSERT INTO jurisdictions_commitment_themes (commitment_id, theme_id) VALUES (%s, %s)"
    assert run_both(tag, [commitment.pk, tagged.pk], LINK, [commitment.pk, rec.pk]) == []
    on = {t.pk for t in (tagged, linked) if commitment in Commitment.objects.on_themes([t])}
    assert on == {tagged.pk, linked.pk}
    assert ThemeActionCount.objects.by_theme() == {tagged.pk: 1, linked.pk: 1}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("retag_first", [True, False])
def test_a_recommendation_retagged_while_a_commitment_is_linked_to_it(retag_first):
    """The commitment ends up on the recommendation's new theme whichever writer goes
    first: each locks the recommendation, so the second reads what the first committed."""
    old = factories.theme(vocabulary="upr_info", name="Police")
    new = factories.theme(vocabulary="upr_info", name="Housing")
    rec = factories.recommendation(themes=[old])
    commitment = factories.commitment()
    retag, link = (RETAG, [rec.pk, new.pk]), (LINK, [commitment.pk, rec.pk])
    first, second = (retag, link) if retag_first else (link, retag)
    assert run_both(*first, *second) == []
    on = {t.pk for t in (old, new) if commitment in Commitment.objects.on_themes([t])}
    assert on == {old.pk, new.pk}
    assert ThemeActionCount.objects.by_theme() == {old.pk: 1, new.pk: 1}
