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
        f"{prefix}/embed/{path}/"
        for prefix in ("", "/es")
        for path in (
            f"jurisdictions/{cat.pittsburgh.slug}",
            f"r/{cat.abolish.public_id}",
            f"themes/{cat.death.slug}",
        )
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


# --- Languages: the host site chooses -----------------------------------------------------


def lang_of(page: str) -> str:
    return re.search(r'<html lang="([^"]+)"', page).group(1)


def iframe_src(code: str) -> str:
    return re.search(r'<iframe src="([^"]+)"', code).group(1)


@pytest.fixture
def spanish(cat):
    cat.death.name_es = "Pena de muerte"
    cat.death.save()
    cat.published.title_es = "Resolución contra la pena capital"
    cat.published.save()
    return cat


def test_a_spanish_widget_speaks_spanish_throughout(client, spanish):
    cat = spanish
    page = html(client.get(f"/es/embed/jurisdictions/{cat.pittsburgh.slug}/"))
    shown = [c for c in Commitment.objects.all() if c.jurisdiction_id == cat.pittsburgh.pk]
    shown = [c for c in shown if published(c)]
    assert lang_of(page) == "es"
    assert f'id="total">{len(shown)} compromisos publicados<' in page
    assert 'data-status="in_progress"><strong>2</strong> En curso<' in page
    assert "Resolución contra la pena capital</a> – Adoptado, 01/01/2020" in page
    assert "Página completa en UPR Tracker" in page
    # Every link leads to the Spanish pages.
    parser = Links()
    parser.feed(page)
    for anchor in parser.anchors:
        assert anchor["href"].removeprefix("http://testserver").startswith("/es/"), anchor
    assert "published" not in page and "Latest" not in page

    english = html(client.get(f"/embed/jurisdictions/{cat.pittsburgh.slug}/"))
    assert lang_of(english) == "en"
    assert "Resolution against capital punishment</a> – Adopted, 2020-01-01" in english


@pytest.mark.parametrize(
    "kind, in_english, in_spanish",
    [
        (
            "recommendation",
            ['id="response">Supported<', "Who acted:", "Full page on UPR Tracker"],
            ['id="response">Apoyada<', "Quién actuó:", "Página completa en UPR Tracker"],
        ),
        (
            "theme",
            [
                "<title>Scorecard: Death penalty",
                "How the United States answered",
                ">Death penalty<",
            ],
            [
                "<title>Balance: Pena de muerte",
                "Cómo respondieron los Estados Unidos",
                ">Pena de muerte<",
            ],
        ),
    ],
)
def test_each_widget_speaks_the_language_of_its_address(
    client, spanish, kind, in_english, in_spanish
):
    path = {
        "recommendation": f"/embed/r/{spanish.abolish.public_id}/",
        "theme": f"/embed/themes/{spanish.death.slug}/",
    }[kind]
    english = html(client.get(path))
    assert lang_of(english) == "en"
    assert all(words in english for words in in_english), english
    assert not any(words in english for words in in_spanish)
    page = html(client.get("/es" + path))
    assert lang_of(page) == "es"
    assert all(words in page for words in in_spanish), page
    assert not any(words in page for words in in_english)


def test_the_address_not_the_visitor_decides_a_widgets_language(client, cat):
    """An <iframe> sends its visitor's Accept-Language and cookie; the host chose the address."""
    widget = f"/embed/jurisdictions/{cat.pittsburgh.slug}/"
    spanish_browser = {"HTTP_ACCEPT_LANGUAGE": "es-MX,es;q=0.9", "HTTP_ACCEPT": "text/html"}
    # A full page still sends a Spanish browser that never chose to its Spanish twin...
    assert client.get(cat.pittsburgh.get_absolute_url(), **spanish_browser).status_code == 302
    client.cookies.clear()
    # ...but a widget stays as the host asked, and neither reads nor writes the cookie.
    response = client.get(widget, **spanish_browser)
    assert lang_of(html(response)) == "en"
    assert not response.cookies
    client.cookies["django_language"] = "es"
    assert lang_of(html(client.get(widget, **spanish_browser))) == "en"
    client.cookies["django_language"] = "en"
    response = client.get("/es" + widget, HTTP_ACCEPT_LANGUAGE="en", HTTP_ACCEPT="text/html")
    assert lang_of(html(response)) == "es"
    assert not response.cookies


def oembed_in(client, url, endpoint="/oembed", **params):
    response = client.get(endpoint, {"url": "http://testserver" + url, **params})
    assert response.status_code == 200, response.content
    return response.json()


def test_oembed_gives_the_widget_in_the_language_asked_for(client, spanish):
    cat = spanish
    page = cat.death.get_absolute_url()
    english = oembed_in(client, page)
    assert iframe_src(english["html"]) == f"http://testserver/embed/themes/{cat.death.slug}/"
    assert english["title"] == "Death penalty" and 'title="Death penalty"' in english["html"]
    for lang in ("es", "ES", "es-MX", "es-419"):
        data = oembed_in(client, page, lang=lang)
        src = iframe_src(data["html"])
        assert src == f"http://testserver/es/embed/themes/{cat.death.slug}/", lang
        assert data["title"] == "Pena de muerte" and 'title="Pena de muerte"' in data["html"]
    assert lang_of(html(client.get(src.removeprefix("http://testserver")))) == "es"


def test_oembed_follows_the_language_of_the_address_unless_lang_says_otherwise(client, cat):
    for page in (
        f"/es/jurisdictions/{cat.pittsburgh.slug}/",
        f"/es/embed/r/{cat.abolish.public_id}/",
    ):
        assert "/es/embed/" in iframe_src(oembed_in(client, page)["html"]), page
        # The endpoint's own prefix changes only the language of its messages.
        assert "/es/embed/" in iframe_src(oembed_in(client, page, "/es/oembed")["html"]), page
        src = iframe_src(oembed_in(client, page, lang="en")["html"])
        assert src.startswith("http://testserver/embed/"), page
    english_page = f"/jurisdictions/{cat.pittsburgh.slug}/"
    assert iframe_src(oembed_in(client, english_page, "/es/oembed")["html"]).startswith(
        "http://testserver/embed/"
    )


@pytest.mark.parametrize("lang", ["fr", "xx", "e", "es_ES!", "x" * 600, " "])
def test_oembed_refuses_a_language_it_does_not_offer(client, cat, lang):
    page = "http://testserver" + cat.pittsburgh.get_absolute_url()
    response = client.get("/oembed", {"url": page, "lang": lang})
    assert response.status_code == 400
    assert response.json()["error"] == {
        "status": 400,
        "message": "lang is the widget's language, one of: en, es.",
    }


def test_the_embed_box_offers_the_code_in_each_language(client, cat):
    for prefix, chosen in (("", "en"), ("/es", "es")):
        page = html(client.get(prefix + f"/jurisdictions/{cat.pittsburgh.slug}/"))
        box = re.search(r'<details class="embed-this">.*?</details>', page, re.S).group(0)
        radios = dict(re.findall(r'<input type="radio" [^>]*value="(\w+)"([^>]*)>', box))
        assert set(radios) == {"en", "es"}
        assert [code for code, rest in radios.items() if "checked" in rest] == [chosen]
        codes = dict(
            re.findall(r'data-language="(\w+)">.*?<textarea[^>]*>([^<]*)</textarea>', box, re.S)
        )
        for language, code in codes.items():
            src = iframe_src(code.replace("&quot;", '"').replace("&lt;", "<"))
            widget = src.removeprefix("http://testserver")
            assert (
                widget
                == ("/es" if language == "es" else "")
                + f"/embed/jurisdictions/{cat.pittsburgh.slug}/"
            )
            assert lang_of(html(client.get(widget))) == language
        assert set(codes) == {"en", "es"}
    assert "Código del resumen en inglés" in box and "Código del resumen en español" in box
    assert 'value="en"> Inglés</label>' in box and 'value="es" checked> Español</label>' in box
