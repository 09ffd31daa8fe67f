"""The embeddable widgets, their oEmbed endpoint and the "Embed this" boxes: each number a
widget shows is counted here another way, in Python over every row; only the widgets may
be framed."""

import re
from html.parser import HTMLParser

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from jurisdictions.models import Commitment, CommitmentLink
from recommendations.models import Recommendation, Theme
from tests import factories
from tests.browse_data import build_catalogue

pytestmark = pytest.mark.django_db


@pytest.fixture
def cat(db):
    cat = build_catalogue()
    # More rows than one of each, with a status and a theme hierarchy to count.
    narrower = factories.theme(vocabulary="upr_info", name="Executions of minors", parent=None)
    narrower.parent = cat.death
    narrower.save()
    cat.moratorium.themes.add(narrower)
    for n, status in enumerate(["adopted", "in_progress", "in_progress", "implemented"]):
        c = factories.commitment(jurisdiction=cat.pittsburgh, title=f"Step {n}", status=status)
        factories.link(c, cat.moratorium if n % 2 else cat.abolish)
    tagged = factories.commitment(jurisdiction=cat.erie, title="Erie's own resolution")
    tagged.themes.set([narrower])
    factories.commitment(jurisdiction=cat.pittsburgh, title="Secret draft", publication="draft")
    factories.link(
        factories.commitment(jurisdiction=cat.erie, title="Submitted", publication="submitted"),
        cat.abolish,
    )
    return cat


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.anchors = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.anchors.append(dict(attrs))


def html(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def published(c) -> bool:
    return c.publication == "published"


# --- What each widget shows, counted another way ----------------------------------------


def test_the_jurisdiction_widget_counts_its_published_commitments_by_status(client, cat):
    page = html(client.get(f"/embed/jurisdictions/{cat.pittsburgh.slug}/"))
    mine = [c for c in Commitment.objects.all() if c.jurisdiction_id == cat.pittsburgh.pk]
    shown = [c for c in mine if published(c)]
    assert re.search(rf'id="total">{len(shown)} published commitments<', page)
    for status in {c.status for c in shown}:
        n = sum(1 for c in shown if c.status == status)
        assert re.search(rf'data-status="{status}"><strong>{n}</strong>', page), status
    assert page.count("data-status=") == len({c.status for c in shown})
    for c in shown:
        assert c.title in page
    assert "Secret draft" not in page


def test_a_place_without_published_commitments_says_none(client, cat):
    page = html(client.get(f"/embed/jurisdictions/{cat.erie.slug}/"))
    n = sum(
        1 for c in Commitment.objects.all() if c.jurisdiction_id == cat.erie.pk and published(c)
    )
    assert n == 1
    assert 'id="total">1 published commitment<' in page
    assert "Submitted" not in page and "Draft police training plan" not in page


def test_the_recommendation_widget_names_who_acted(client, cat):
    page = html(client.get(f"/embed/r/{cat.abolish.public_id}/"))
    links = [
        link
        for link in CommitmentLink.objects.select_related("commitment__jurisdiction")
        if link.recommendation_id == cat.abolish.pk and published(link.commitment)
    ]
    places = {link.commitment.jurisdiction_id for link in links}
    assert f"Who acted: {len(links)} commitments, {len(places)} jurisdiction<" in page
    for link in links:
        assert link.commitment.title in page
    assert "Submitted" not in page
    assert 'id="response">Supported<' in page
    assert f'id="local-action">{cat.abolish.get_local_status_display()}<' in page
    assert cat.abolish.citation in page


def test_the_theme_scorecard_counts_as_the_theme_page_means_it(client, cat):
    theme = cat.death
    closure = {theme.pk}
    grown = True
    while grown:
        more = {t.pk for t in Theme.objects.all() if t.parent_id in closure} - closure
        closure |= more
        grown = bool(more)
    to_us = [
        r
        for r in Recommendation.objects.select_related("review__state_under_review")
        if r.review.state_under_review.iso3 == "USA" and {t.pk for t in r.themes.all()} & closure
    ]
    page = html(client.get(f"/embed/themes/{theme.slug}/"))
    assert f"How the United States answered {len(to_us)} recommendations" in page
    for response in ("supported", "supported_in_part", "noted", "pending"):
        n = sum(1 for r in to_us if r.response == response)
        assert re.search(rf'data-response="{response}">.*?<td class="n">{n}</td>', page), response
    on_theme = [
        c
        for c in Commitment.objects.prefetch_related("themes", "recommendations__themes")
        if published(c)
        and (
            {t.pk for t in c.themes.all()} & closure
            or any({t.pk for t in r.themes.all()} & closure for r in c.recommendations.all())
        )
    ]
    places = {c.jurisdiction_id for c in on_theme}
    assert len(on_theme) == 6 and len(places) == 2
    assert f'id="local">{len(on_theme)} published commitments, {len(places)} jurisdictions' in page
    assert "Pittsburgh</a> (5)" in page and "Erie</a> (1)" in page


def test_every_link_in_a_widget_opens_the_full_page_in_a_new_tab(client, cat):
    for url in (
        f"/embed/jurisdictions/{cat.pittsburgh.slug}/",
        f"/embed/r/{cat.abolish.public_id}/",
        f"/embed/themes/{cat.death.slug}/",
    ):
        parser = Links()
        parser.feed(html(client.get(url)))
        assert len(parser.anchors) >= 3
        for anchor in parser.anchors:
            assert anchor.get("target") == "_blank", anchor
            assert "noopener" in anchor.get("rel", ""), anchor


@pytest.mark.parametrize(
    "url", ["/embed/jurisdictions/nowhere/", "/embed/r/USA-9-1/", "/embed/themes/nothing/"]
)
def test_an_unknown_record_is_a_404(client, cat, url):
    assert client.get(url).status_code == 404


def test_widgets_read_a_bounded_number_of_queries(client, cat, django_assert_max_num_queries):
    for n in range(20):
        c = factories.commitment(jurisdiction=cat.pittsburgh, title=f"Extra {n}")
        factories.link(c, cat.abolish)
    for url in (
        f"/embed/jurisdictions/{cat.pittsburgh.slug}/",
        f"/embed/r/{cat.abolish.public_id}/",
        f"/embed/themes/{cat.death.slug}/",
    ):
        client.get(url)  # the facet index is built once per process
        with django_assert_max_num_queries(8):
            assert client.get(url).status_code == 200


# --- Framing ----------------------------------------------------------------------------


def frame_policy(response) -> str:
    csp = response.get("Content-Security-Policy", "")
    found = re.search(r"frame-ancestors ([^;]+)", csp)
    return found.group(1).strip() if found else ""


def test_only_the_widgets_may_be_framed(client, cat):
    widget = client.get(f"/embed/r/{cat.abolish.public_id}/")
    assert frame_policy(widget) == "*"
    assert "X-Frame-Options" not in widget


def _routes(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _routes(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern)


def test_every_other_route_still_forbids_framing(client, cat):
    samples = {
        "<slug:slug>": cat.pittsburgh.slug,
        "<str:public_id>": cat.abolish.public_id,
        "<int:pk>": str(cat.published.pk),
        "<str:iso3>": "FRA",
    }
    checked = 0
    for route in sorted(set(_routes(get_resolver().url_patterns))):
        if route.startswith(("embed/", "^")) or "(?P" in route or "^" in route:
            continue
        path = "/" + route
        for pattern, value in samples.items():
            path = path.replace(pattern, value)
        path = re.sub(r"<[^>]+>", "x", path)
        response = client.get(path)
        assert frame_policy(response) == "'none'", path
        assert response["X-Frame-Options"] == "DENY", path
        checked += 1
    assert checked > 50


# --- oEmbed -------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["jurisdiction", "recommendation", "theme"])
def test_oembed_gives_a_rich_iframe_for_each_page_and_widget(client, cat, kind):
    record = {"jurisdiction": cat.pittsburgh, "recommendation": cat.abolish, "theme": cat.death}[
        kind
    ]
    page_url = "http://testserver" + record.get_absolute_url()
    data = client.get("/oembed", {"url": page_url, "format": "json"}).json()
    assert data["version"] == "1.0" and data["type"] == "rich"
    src = re.search(r'<iframe src="([^"]+)"', data["html"]).group(1)
    assert src.startswith("http://testserver/embed/")
    assert f'width="{data["width"]}"' in data["html"]
    assert f'height="{data["height"]}"' in data["html"]
    assert data["width"] == 400
    widget = client.get(src.removeprefix("http://testserver"))
    assert widget.status_code == 200
    # The widget's own address embeds as the same frame.
    assert client.get("/oembed", {"url": src}).json()["html"] == data["html"]
    narrow = client.get("/oembed", {"url": page_url, "maxwidth": "300", "maxheight": "200"})
    assert (narrow.json()["width"], narrow.json()["height"]) == (300, 200)
    wide = client.get("/oembed", {"url": page_url, "maxwidth": "2000"}).json()
    assert wide["width"] == 400
    junk = client.get("/oembed", {"url": page_url, "maxwidth": "-5x"}).json()
    assert junk["width"] == 400


def test_oembed_refuses_what_it_cannot_embed(client, cat):
    page = "http://testserver" + cat.pittsburgh.get_absolute_url()
    assert client.get("/oembed", {"url": page, "format": "xml"}).status_code == 501
    assert client.get("/oembed").status_code == 400
    assert client.get("/oembed", {"url": page, "format": "yaml"}).status_code == 400
    for url in (
        "http://testserver/commitments/",
        "http://testserver/jurisdictions/nowhere/",
        "http://elsewhere.example/jurisdictions/pittsburgh/",
        "javascript:alert(1)",
        "http://testserver/no/such/page/",
        "http://testserver/admin/",
    ):
        response = client.get("/oembed", {"url": url})
        assert response.status_code == 404, url
        assert response.json()["error"]["status"] == 404


def test_the_full_pages_offer_the_code_and_the_discovery_link(client, cat):
    for kind, record in (
        ("jurisdiction", cat.pittsburgh),
        ("recommendation", cat.abolish),
        ("theme", cat.death),
    ):
        page = html(client.get(record.get_absolute_url()))
        assert 'type="application/json+oembed"' in page
        box = re.search(r"<details class=\"embed-this\">.*?</details>", page, re.S).group(0)
        assert "readonly" in box and "&lt;iframe src=&quot;http://testserver/embed/" in box
        oembed = re.search(r'type="application/json\+oembed" href="([^"]+)"', page).group(1)
        assert client.get(oembed.replace("&amp;", "&")).json()["type"] == "rich", kind


@pytest.mark.parametrize(
    "params",
    [
        {"url": "http://testserver/jurisdictions/%ff%fe/"},
        {"url": "http://testserver/r/" + "x" * 10_000 + "/"},
        {"url": "http://testserver/themes/x/", "maxwidth": "99999999999999999999999"},
        {"url": "http://[::1"},
        {"url": "", "format": "json"},
        {"format": "\x00"},
    ],
)
def test_junk_sent_to_oembed_is_a_clear_4xx(client, cat, params):
    assert client.get("/oembed", params).status_code in {400, 404}
