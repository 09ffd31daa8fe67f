"""Atom feeds of new and updated published commitments."""

import xml.etree.ElementTree as ET

import pytest

from tests import factories

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def cat(cat):
    """The catalogue, with unpublished commitments that no feed may show."""
    for publication in ["draft", "submitted", "rejected"]:
        hidden = factories.commitment(
            jurisdiction=cat.pittsburgh, title=f"Hidden {publication}", publication=publication
        )
        hidden.themes.set([cat.death])
    return cat


def entry_titles(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)
    return [entry.find(f"{ATOM}title").text for entry in root.iter(f"{ATOM}entry")]


def test_the_overall_feed_lists_published_commitments(client, cat):
    factories.commitment(jurisdiction=cat.erie, title="Erie plan")
    titles = entry_titles(client, "/feeds/commitments/")
    assert set(titles) == {
        "Resolution against capital punishment (Pittsburgh, PA)",
        "Erie plan (Erie, PA)",
    }


def test_the_theme_feed_lists_that_themes_published_commitments(client, cat):
    factories.commitment(jurisdiction=cat.erie, title="Unrelated")
    assert entry_titles(client, f"/themes/{cat.death.slug}/feed/") == [
        "Resolution against capital punishment (Pittsburgh, PA)"
    ]


def test_the_jurisdiction_feed_lists_its_published_commitments(client, cat):
    ward = factories.jurisdiction(name="Ward 1", slug="ward-1", parent=cat.pittsburgh)
    factories.commitment(jurisdiction=ward, title="Ward pledge")
    factories.commitment(jurisdiction=cat.erie, title="Erie plan")
    assert set(entry_titles(client, "/jurisdictions/pittsburgh/feed/")) == {
        "Resolution against capital punishment (Pittsburgh, PA)",
        "Ward pledge (Ward 1, PA)",
    }


def test_feeds_of_unknown_themes_or_places_are_404(client, cat):
    assert client.get("/themes/nope/feed/").status_code == 404
    assert client.get("/jurisdictions/nope/feed/").status_code == 404


def test_pages_announce_their_feeds(client, cat):
    assert 'href="/feeds/commitments/"' in client.get("/").content.decode()
    theme_page = client.get(cat.death.get_absolute_url()).content.decode()
    assert 'rel="alternate" type="application/atom+xml"' in theme_page
    assert f'href="/themes/{cat.death.slug}/feed/"' in theme_page
    place = client.get(cat.pittsburgh.get_absolute_url()).content.decode()
    assert 'href="/jurisdictions/pittsburgh/feed/"' in place


HOSTILE_SUMMARY = (
    'Adopted. <img src=x onerror="alert(1)"> Read <a href="javascript:alert(2)">the text</a>'
    "<script>alert(3)</script>."
)


@pytest.mark.parametrize("feed", ["overall", "theme", "jurisdiction"])
def test_feeds_carry_staff_text_as_plain_text_without_markup(client, cat, feed):
    place = factories.jurisdiction(name="Erie <b>County</b>", slug="erie-county")
    hostile = factories.commitment(
        jurisdiction=place, title='Plan <img src=x onerror="alert(4)">', summary=HOSTILE_SUMMARY
    )
    hostile.themes.set([cat.death])
    url = {
        "overall": "/feeds/commitments/",
        "theme": f"/themes/{cat.death.slug}/feed/",
        "jurisdiction": "/jurisdictions/erie-county/feed/",
    }[feed]

    response = client.get(url)

    raw = response.content.decode()
    for needle in ("onerror", "javascript:", "<script", "&lt;img", "&lt;script", "&lt;a "):
        assert needle not in raw, needle
    root = ET.fromstring(response.content)
    entry = next(
        e for e in root.iter(f"{ATOM}entry") if e.find(f"{ATOM}title").text.startswith("Plan")
    )
    summary = entry.find(f"{ATOM}summary")
    assert summary.get("type") == "text"
    assert "Read the text" in summary.text
