"""A theme's local action is the published commitments linked to its recommendations
(whatever vocabulary tagged them, narrower themes included) plus those tagged with it:
the theme page, /themes/, the theme feed, the digest and the export all agree."""

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone

from jurisdictions.digests import changed_commitments
from jurisdictions.models import Commitment, Subscription
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    housing = factories.theme(vocabulary="upr_info", name="Right to housing")
    uhri_parent = factories.theme(vocabulary="uhri", name="Economic, social & cultural rights")
    uhri_child = factories.theme(
        vocabulary="uhri", name="Right to adequate housing", parent=uhri_parent
    )
    other = factories.theme(vocabulary="upr_info", name="Death penalty")
    rec = factories.recommendation(text="Guarantee shelter for families.", themes=[housing])
    rec_uhri = factories.recommendation(text="End homelessness.", themes=[uhri_child])
    city = factories.jurisdiction(name="Philadelphia", slug="philadelphia")
    linked = factories.commitment(jurisdiction=city, title="Right to shelter")
    factories.link(linked, rec)
    via_child = factories.commitment(title="Homeless bill of rights")
    factories.link(via_child, rec_uhri)
    tagged = factories.commitment(title="Housing fund")
    tagged.themes.set([housing])
    draft = factories.commitment(title="Draft housing plan", publication="draft")
    factories.link(draft, rec)
    unrelated = factories.commitment(title="Abolition resolution")
    unrelated.themes.set([other])
    return locals()


def titles(queryset):
    return sorted(c.title for c in queryset)


def test_the_definition_covers_links_tags_and_narrower_themes(world):
    published = Commitment.objects.published()
    assert titles(published.on_themes([world["housing"]])) == ["Housing fund", "Right to shelter"]
    assert titles(published.on_themes([world["uhri_parent"]])) == ["Homeless bill of rights"]
    assert titles(published.on_themes([world["uhri_child"]])) == ["Homeless bill of rights"]


def test_the_theme_page_shows_who_acted(client, world):
    html = client.get(world["housing"].get_absolute_url()).content.decode()
    assert "Local action on this theme (2 commitments)" in html
    assert "Right to shelter" in html and "Housing fund" in html
    assert "Philadelphia" in html
    assert "Draft housing plan" not in html and "None published yet" not in html


def test_the_themes_index_counts_the_same_commitments(client, world):
    html = client.get("/themes/").content.decode()
    assert "1 recommendation, 2 commitments" in html  # Right to housing (UPR Info)
    parent = next(
        t
        for g in client.get("/themes/").context["groups"]
        for t in g["themes"]
        if t.pk == world["uhri_parent"].pk
    )
    assert parent.commitment_count == 1


def test_the_theme_feed_lists_its_local_action(client, world):
    feed = client.get(f"/themes/{world['housing'].slug}/feed/").content.decode()
    assert "Right to shelter" in feed and "Housing fund" in feed
    assert "Abolition resolution" not in feed and "Draft housing plan" not in feed


def test_a_theme_subscription_digest_lists_linked_commitments(world):
    subscription = Subscription.objects.create(
        email="a@example.org", theme=world["housing"], token="t1", confirmed_at=timezone.now()
    )
    since = timezone.now() - timedelta(days=7)
    assert titles(changed_commitments(subscription, since)) == ["Housing fund", "Right to shelter"]


def test_the_commitment_export_filtered_by_theme_has_the_same_rows(client, world):
    response = client.get("/commitments/export.csv", {"theme": world["housing"].slug})
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert sorted(row["title"] for row in rows) == ["Housing fund", "Right to shelter"]


def test_the_kept_counts_agree_with_the_definition_for_every_theme(world):
    from jurisdictions.models import ThemeActionCount
    from recommendations.models import Theme

    published = Commitment.objects.published()
    counts = ThemeActionCount.objects.by_theme()
    for theme in Theme.objects.all():
        assert counts.get(theme.pk, 0) == published.on_themes([theme]).count(), theme.name
    assert counts[world["uhri_parent"].pk] == 1
