"""Learning across boundaries (issue 26): similar commitments elsewhere, instruments by
kind, starting from another place's commitment, comparing places."""

import io
from datetime import date

import docx
import pytest
from django.core.management import call_command
from django.urls import reverse

from jurisdictions import peers
from jurisdictions.local_status import refresh_local_status
from jurisdictions.models import Commitment, CommitmentLink, ProgressUpdate
from jurisdictions.moderation import review_state
from tests import factories as f

pytestmark = pytest.mark.django_db


def demo(slug, title) -> Commitment:
    return Commitment.objects.get(jurisdiction__slug=slug, title=title)


CEDAW = [
    ("san-francisco", "Local CEDAW ordinance"),
    ("los-angeles", "City CEDAW ordinance"),
    ("miami-dade-county", "Ordinance adopting the principles of CEDAW"),
    ("pittsburgh", "CEDAW ordinance and Gender Equity Commission"),
    ("toledo", "Ordinance on the local principles of CEDAW"),
]
HOUSING = [
    ("massachusetts", "Right to shelter for families experiencing homelessness"),
    # The same state's later limit on that shelter: a housing commitment too.
    ("massachusetts", "Cap on the family emergency shelter system"),
    ("rhode-island", "Homeless Bill of Rights"),
    ("new-york-city", "Universal access to counsel in eviction cases"),
    ("san-francisco", "Proposition F: no eviction without representation"),
]
WATER = [
    ("philadelphia", "Tiered Assistance Program for water bills"),
    ("buffalo", "Water bill amnesty and arrears relief"),
    ("california", "Human right to water"),
]
POLICING = [
    ("california", "Stricter standard for police use of deadly force"),
    ("washington", "Statewide standard for police use of force"),
    ("new-jersey", "Use-of-force policy for every police department"),
]
UNRELATED = {
    "cedaw": ("colorado", "Abolition of the death penalty"),
    "housing": ("hawaii", "Aloha+ Challenge statewide sustainability targets"),
    "water": ("florida", "Fines and fees condition on restored voting rights"),
    "policing": ("california", "Executive order on consultation with tribes"),
}


@pytest.mark.slow  # loads the whole demo
def test_the_demos_peers_rank_in_the_top_three_and_unrelated_ones_stay_out_of_the_top_ten():
    call_command("seed_demo", stdout=io.StringIO())
    for name, group in [
        ("cedaw", CEDAW),
        ("housing", HOUSING),
        ("water", WATER),
        ("policing", POLICING),
    ]:
        unrelated = demo(*UNRELATED[name])
        for key in group:
            commitment = demo(*key)
            expected = {demo(*other).pk for other in group if other[0] != key[0]}
            ranked = [pk for pk, _ in peers.ranked_peer_ids(commitment, 10)]
            top = ranked[:3]
            # Every expected peer when there are three or fewer, else three of them.
            assert len(set(top) & expected) == min(3, len(expected)), (key, ranked)
            assert unrelated.pk not in ranked, (key, ranked)
            # Never one of its own jurisdiction's.
            assert not Commitment.objects.filter(
                pk__in=ranked, jurisdiction=commitment.jurisdiction
            ).exists()


@pytest.fixture
def scene(pittsburgh):
    """Two cities answering the same recommendation, a third place that does not."""
    review = f.review()
    housing = f.theme(name="Right to adequate housing", vocabulary="uhri")
    rec = f.recommendation(review=review, paragraph="26.286", text="Reduce homelessness.")
    other_rec = f.recommendation(review=review, paragraph="26.181", text="Abolish executions.")
    rec.themes.add(housing)
    cities = {
        slug: f.jurisdiction(name=slug.title(), slug=slug, kind="city", state_code="PA")
        for slug in ["erie", "reading"]
    }
    cities["pittsburgh"] = pittsburgh
    model = f.commitment(
        jurisdiction=cities["erie"],
        title="Right to counsel for tenants facing eviction",
        summary="Free lawyers for tenants in eviction court.",
        kind="ordinance",
        status="implemented",
    )
    model.themes.add(housing)
    f.link(model, rec, relation="implements")
    f.update(model, reported_on=date(2023, 5, 1), summary="Half of tenants now have a lawyer.")
    peer = f.commitment(
        jurisdiction=cities["pittsburgh"],
        title="Eviction defence programme",
        summary="Legal help for renters at risk of eviction.",
        kind="program",
        status="adopted",
    )
    f.link(peer, rec)
    far = f.commitment(
        jurisdiction=cities["reading"], title="Execution moratorium resolution", kind="resolution"
    )
    f.link(far, other_rec)
    return {"rec": rec, "other_rec": other_rec, "model": model, "peer": peer, "far": far,
            "housing": housing, **cities}  # fmt: skip


def test_a_commitment_page_lists_similar_commitments_elsewhere_with_their_facts(client, scene):
    response = client.get(scene["peer"].get_absolute_url())
    html = response.content.decode()
    section = html[html.index('id="similar-heading"') :]

    assert [c.pk for c in response.context["similar_commitments"]] == [scene["model"].pk]
    assert "Right to counsel for tenants facing eviction" in section
    assert "Erie" in section and "Ordinance" in section and "Implemented" in section
    assert "2023" in section and "Half of tenants now have a lawyer." in section
    assert "Execution moratorium resolution" not in section


def test_drafts_and_the_same_jurisdictions_commitments_are_never_similar(client, scene):
    f.commitment(jurisdiction=scene["erie"], title="Eviction defence draft", publication="draft")
    f.link(Commitment.objects.get(title="Eviction defence draft"), scene["rec"])
    sibling = f.commitment(jurisdiction=scene["pittsburgh"], title="Eviction defence two")
    f.link(sibling, scene["rec"])

    shown = client.get(scene["peer"].get_absolute_url()).context["similar_commitments"]

    assert [c.title for c in shown] == ["Right to counsel for tenants facing eviction"]


def test_a_recommendation_page_groups_its_instruments_by_kind_implemented_first(client, scene):
    rec = scene["rec"]
    f.link(
        f.commitment(jurisdiction=scene["reading"], title="Aardvark ordinance", kind="ordinance"),
        rec,
    )
    html = client.get(rec.get_absolute_url()).content.decode()
    section = html[
        html.index('id="commitments-heading"') : html.index(
            "</section>", html.index('id="commitments-heading"')
        )
    ]

    assert section.index("Ordinance (2)") < section.index("Program (1)")
    # Within the ordinances the implemented one leads, whatever the alphabet says.
    assert section.index("Right to counsel") < section.index("Aardvark ordinance")


# --- Start from a model ------------------------------------------------------------------


def adopt_url(scene, slug="pittsburgh"):
    return reverse("staff:commitment-adopt", args=[scene["model"].pk]) + f"?jurisdiction={slug}"


def test_staff_start_a_draft_from_a_model_with_its_links_themes_and_kind_copied(
    client, editor, scene
):
    page = client.get(scene["model"].get_absolute_url())
    assert "Adopt a similar commitment" in page.content.decode()

    response = client.post(
        adopt_url(scene),
        {"title": "Pittsburgh tenant counsel", "kind": "ordinance", "status": "proposed",
         "summary": "Our own words.", "themes": [scene["housing"].pk]},
    )  # fmt: skip

    new = Commitment.objects.get(title="Pittsburgh tenant counsel")
    assert response.status_code == 302
    assert new.jurisdiction == scene["pittsburgh"] and new.publication == "draft"
    assert new.modelled_on == scene["model"]
    assert new.summary == "Our own words."
    assert [(link.recommendation, link.relation) for link in new.links.all()] == [
        (scene["rec"], "implements")
    ]
    assert list(new.themes.all()) == [scene["housing"]]


def test_the_adopt_form_starts_with_the_models_kind_and_themes_and_no_text(client, editor, scene):
    form = client.get(adopt_url(scene)).context["form"]
    assert form.initial["kind"] == "ordinance"
    assert form.initial["themes"] == [scene["housing"]]
    assert not form.initial.get("title") and not form.initial.get("summary")


def test_only_staff_of_the_target_may_adopt_and_only_a_published_model(client, scene):
    anonymous = client.get(adopt_url(scene))
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]

    outsider = f.user(email="staff@reading.example")
    f.membership(outsider, scene["reading"])
    client.force_login(outsider)
    assert client.get(adopt_url(scene)).status_code == 404  # not its jurisdiction
    before = Commitment.objects.count()
    client.post(adopt_url(scene), {"title": "Sneaky", "kind": "policy", "status": "adopted"})
    assert Commitment.objects.count() == before

    # The page of its own jurisdiction's commitment offers no adoption.
    assert "Adopt a similar" not in client.get(scene["far"].get_absolute_url()).content.decode()
    assert "Adopt a similar" in client.get(scene["model"].get_absolute_url()).content.decode()
    # Its own jurisdiction is fine; an unpublished model is not public to adopt.
    assert client.get(adopt_url(scene, "reading")).status_code == 200
    draft = f.commitment(jurisdiction=scene["erie"], title="Not yet", publication="draft")
    url = reverse("staff:commitment-adopt", args=[draft.pk]) + "?jurisdiction=reading"
    assert client.get(url).status_code == 404
    junk = reverse("staff:commitment-adopt", args=[scene["model"].pk]) + "?jurisdiction=%00"
    # No jurisdiction named: its only one is chosen.
    assert client.get(junk)["Location"].endswith("?jurisdiction=reading")
    # A model of one's own jurisdiction is refused with a reason.
    own = reverse("staff:commitment-adopt", args=[scene["far"].pk]) + "?jurisdiction=reading"
    refused = client.get(own)
    assert refused.status_code == 400
    assert "already your jurisdiction" in refused.content.decode()


def test_a_curator_adopts_for_any_jurisdiction_and_anonymous_visitors_see_no_offer(client, scene):
    assert "Adopt a similar" not in client.get(scene["model"].get_absolute_url()).content.decode()
    client.force_login(f.curator(email="c@example.org"))
    chooser = client.get(reverse("staff:commitment-adopt", args=[scene["model"].pk]))
    assert chooser.status_code == 200 and 'name="jurisdiction"' in chooser.content.decode()
    assert client.get(adopt_url(scene, "reading")).status_code == 200
    assert client.get(adopt_url(scene, "nowhere")).status_code == 404


def test_a_member_of_one_other_place_goes_straight_to_its_form(client, editor, scene):
    response = client.get(reverse("staff:commitment-adopt", args=[scene["model"].pk]))
    assert response.status_code == 302
    assert response["Location"].endswith("?jurisdiction=pittsburgh")


def publish_through_review(client, commitment, curator_user):
    client.post(reverse("staff:commitment-submit", args=[commitment.pk]))
    commitment.refresh_from_db()
    assert commitment.publication == "submitted"
    client.force_login(curator_user)
    client.post(
        reverse("staff:review-commitment-decide", args=[commitment.pk]),
        {"decision": "approve", "version": commitment.version, "state": review_state(commitment)},
    )
    commitment.refresh_from_db()
    assert commitment.publication == "published"


def test_modelled_on_survives_review_and_shows_everywhere(client, editor, scene):
    client.post(
        adopt_url(scene),
        {"title": "Pittsburgh tenant counsel", "kind": "ordinance", "status": "adopted",
         "adopted_on": "2024-02-01", "summary": "Lawyers for tenants."},
    )  # fmt: skip
    new = Commitment.objects.get(title="Pittsburgh tenant counsel")
    publish_through_review(client, new, f.curator(email="c@example.org"))
    client.logout()

    assert Commitment.objects.get(pk=new.pk).modelled_on == scene["model"]
    page = client.get(new.get_absolute_url()).content.decode()
    assert "Modelled on" in page and "Erie, PA's Right to counsel for tenants" in page
    model_page = client.get(scene["model"].get_absolute_url()).content.decode()
    followers = model_page[model_page.index('id="followers-heading"') :]
    assert "Places that followed it (1)" in model_page and "Pittsburgh tenant counsel" in followers
    history = client.get(reverse("history:commitment", args=[new.pk])).content.decode()
    assert "Published, modelled on Erie" in history
    refresh_local_status()  # what the status refresh queued after the approval does
    response = client.get("/reports/local.docx?jurisdiction=pittsburgh")
    texts = " ".join(p.text for p in docx.Document(io.BytesIO(response.content)).paragraphs)
    assert "Modelled on Erie, PA's “Right to counsel for tenants facing eviction”." in texts


def test_a_model_taken_off_the_site_is_no_longer_named(client, scene):
    follower = f.commitment(jurisdiction=scene["pittsburgh"], title="Follower")
    Commitment.objects.filter(pk=follower.pk).update(modelled_on=scene["model"])
    Commitment.objects.filter(pk=scene["model"].pk).update(publication="draft")

    page = client.get(follower.get_absolute_url()).content.decode()

    assert "Modelled on" not in page


def test_a_commitment_page_query_count_stays_flat_with_many_peers(
    client, scene, django_assert_max_num_queries
):
    for n in range(12):
        other = f.commitment(jurisdiction=scene["reading"], title=f"Tenant help {n}")
        f.link(other, scene["rec"])
        f.update(other, summary=f"Progress {n}")
        Commitment.objects.filter(pk=other.pk).update(modelled_on=scene["peer"])
    # Eleven for the page and its learning sections; five for its progress sections
    # (indicators, measurements, milestones, status history: tests/test_browse_pages.py).
    with django_assert_max_num_queries(16):
        response = client.get(scene["peer"].get_absolute_url())
    assert len(response.context["similar_commitments"]) == 10
    assert len(response.context["followers"]) == 12


# --- Compare places --------------------------------------------------------------------


def compare(client, *slugs):
    return client.get(reverse("jurisdictions:compare"), {"j": list(slugs)})


def test_comparing_places_shows_their_counts_side_by_side(client, scene):
    response = compare(client, "erie", "pittsburgh", "reading")
    assert response.status_code == 200
    places = [p.slug for p in response.context["places"]]
    assert places == ["erie", "pittsburgh", "reading"]

    # Status counts against a count per jurisdiction and status made here.
    for row in response.context["status_rows"]:
        assert row["cells"] == [
            Commitment.objects.published()
            .filter(jurisdiction__slug=slug, status=row["status"])
            .count()
            for slug in places
        ]
    assert (
        response.context["progress"][0]["updates"]
        == ProgressUpdate.objects.filter(
            commitment__jurisdiction__slug="erie", publication="published"
        ).count()
    )
    # Themes: the housing theme counts Erie's and Pittsburgh's commitments (Pittsburgh's
    # through its link), not Reading's.
    [housing] = [r for r in response.context["theme_rows"] if r["theme"] == scene["housing"]]
    assert housing["cells"] == [1, 1, 0]
    # Acted on by one alone: Reading's execution recommendation; the housing one is shared.
    only = {col["place"].slug: col for col in response.context["only_here"]}
    assert [r.pk for r in only["reading"]["recommendations"]] == [scene["other_rec"].pk]
    assert only["erie"]["count"] == 0 and only["pittsburgh"]["count"] == 0


@pytest.mark.parametrize(
    "slugs, status, message",
    [
        (["erie"], 200, "you gave 1"),
        (["erie", "pittsburgh", "reading", "a", "b"], 400, "you gave 5"),
        (["erie", "atlantis"], 400, "No jurisdiction is called “atlantis”"),
        (["erie", "Erie"], 400, "one jurisdiction"),
        (["erie", "x" * 5000], 400, "No jurisdiction is called"),
        (["erie", "pitts\x00burgh"], 200, "Compare Erie, PA and Pittsburgh"),
    ],
)
def test_comparing_the_wrong_number_or_unknown_places_says_so(
    client, scene, slugs, status, message
):
    response = compare(client, *slugs)
    assert response.status_code == status
    assert message in response.content.decode()


def test_the_compare_page_without_places_is_a_form_without_errors(client, scene):
    response = client.get(reverse("jurisdictions:compare"))
    assert response.status_code == 200
    assert 'role="alert"' not in response.content.decode()


def test_the_jurisdiction_page_links_to_a_comparison(client, scene):
    html = client.get(scene["erie"].get_absolute_url()).content.decode()
    assert f"{reverse('jurisdictions:compare')}?j=erie" in html


def test_raw_links_of_unpublished_commitments_never_count_in_a_comparison(client, scene):
    hidden = f.commitment(jurisdiction=scene["erie"], title="Hidden", publication="draft")
    CommitmentLink.objects.create(commitment=hidden, recommendation=scene["other_rec"])
    only = {
        col["place"].slug: col for col in compare(client, "erie", "reading").context["only_here"]
    }
    assert only["reading"]["count"] == 1 and only["erie"]["acted"] == 1


def test_merging_a_model_into_its_duplicate_keeps_its_followers(scene):
    from jurisdictions.moderation import merge_commitments

    follower = f.commitment(jurisdiction=scene["pittsburgh"], title="Follower")
    twin = f.commitment(jurisdiction=scene["erie"], title="Right to counsel (duplicate)")
    Commitment.objects.filter(pk=follower.pk).update(modelled_on=twin)

    merge_commitments(scene["model"], twin)

    assert Commitment.objects.get(pk=follower.pk).modelled_on == scene["model"]
