"""English at the usual addresses, Spanish under /es/: which language a visitor gets, the
switcher, the alternates search engines read, and dates and numbers in each language."""

import datetime
import re
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from recommendations.models import Recommendation, Theme
from tests import factories

pytestmark = pytest.mark.django_db

SPANISH_BROWSER = {"HTTP_ACCEPT_LANGUAGE": "es-MX,es;q=0.9,en;q=0.5", "HTTP_ACCEPT": "text/html"}


@pytest.fixture
def recommendation(reference_data):
    return factories.recommendation()


def test_english_pages_keep_their_addresses_and_spanish_ones_live_under_es(client):
    assert reverse("recommendations:recommendation-list") == "/recommendations/"
    with translation.override("es"):
        assert reverse("recommendations:recommendation-list") == "/es/recommendations/"
    english = client.get("/recommendations/")
    spanish = client.get("/es/recommendations/")
    assert '<html lang="en">' in english.text and "Search the text" in english.text
    assert '<html lang="es">' in spanish.text and "Buscar en el texto" in spanish.text
    assert english["Content-Language"] == "en" and spanish["Content-Language"] == "es"


def test_links_on_a_spanish_page_stay_in_spanish(client):
    page = client.get("/es/").text
    assert 'href="/es/recommendations/"' in page
    assert 'href="/es/themes/"' in page
    assert 'href="/recommendations/"' not in page.split("language-switcher")[0]


def test_the_switcher_keeps_the_page_and_its_filters(client):
    page = client.get("/recommendations/?response=noted&q=water%20rights&page=1").text
    switcher = page.split('class="language-switcher"')[1].split("</nav>")[0]
    assert 'href="/es/recommendations/?response=noted&amp;q=water%20rights&amp;page=1"' in switcher
    assert 'hreflang="es" lang="es">Español</a>' in switcher
    back = client.get("/es/recommendations/?response=noted").text
    switcher = back.split('class="language-switcher"')[1].split("</nav>")[0]
    assert 'href="/recommendations/?response=noted" hreflang="en" lang="en">English</a>' in switcher


def test_every_page_names_both_languages_for_search_engines(client):
    page = client.get("/es/themes/").text
    alternates = dict(re.findall(r'<link rel="alternate" hreflang="([\w-]+)" href="([^"]+)"', page))
    assert alternates == {
        "en": "http://testserver/themes/",
        "es": "http://testserver/es/themes/",
        "x-default": "http://testserver/themes/",
    }


def test_a_spanish_browser_is_sent_to_the_spanish_page_once(client):
    first = client.get("/themes/?x=1", **SPANISH_BROWSER)
    assert first.status_code == 302
    assert first["Location"] == "/es/themes/?x=1"
    assert "Accept-Language" in first["Vary"]
    assert client.cookies["django_language"].value == "es"
    # It chooses English with the switcher: from now on English stays English.
    english = client.get("/themes/", **SPANISH_BROWSER)
    assert english.status_code == 200
    assert '<html lang="en">' in english.text
    assert client.cookies["django_language"].value == "en"
    assert client.get("/", **SPANISH_BROWSER).status_code == 200


def test_an_english_browser_is_never_redirected_nor_given_a_cookie(client):
    response = client.get(
        "/themes/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9", HTTP_ACCEPT="text/html"
    )
    assert response.status_code == 200
    assert "django_language" not in response.cookies


def test_only_pages_are_guessed_not_downloads_posts_or_the_api(client):
    feed = client.get("/feeds/commitments/", HTTP_ACCEPT_LANGUAGE="es")
    assert feed.status_code == 200
    api = client.get(
        "/api/v1/themes/", HTTP_ACCEPT_LANGUAGE="es", HTTP_ACCEPT="text/html,application/json"
    )
    assert api.status_code == 200


def test_the_api_stays_at_one_address_and_answers_in_the_visitors_language(client):
    assert client.get("/es/api/v1/themes/").status_code == 404
    english = client.get("/api/v1/nowhere/")
    spanish = client.get("/api/v1/nowhere/", HTTP_ACCEPT_LANGUAGE="es")
    assert english.json()["error"]["message"] == "No API endpoint at this address."
    assert spanish.json()["error"]["message"] == (
        "No hay ningún punto de acceso de la API en esta dirección."
    )
    assert spanish.json()["error"]["code"] == "not_found"


def test_permanent_addresses_work_in_both_languages(client, recommendation):
    url = recommendation.get_absolute_url()
    spanish = client.get("/es" + url)
    assert spanish.status_code == 200
    assert client.get(url).status_code == 200
    with translation.override("es"):
        label = str(Recommendation.Response(recommendation.response).label)
    assert label == "Apoyada"
    assert label in spanish.text


def test_an_unknown_spanish_address_gets_the_spanish_not_found_page(client, settings):
    settings.DEBUG = False
    response = client.get("/es/no-such-page/")
    assert response.status_code == 404
    assert "Página no encontrada" in response.text
    assert '<html lang="es">' in response.text


def test_facet_labels_are_cached_per_language(client, recommendation):
    english = client.get("/recommendations/").text
    spanish = client.get("/es/recommendations/").text
    assert "With or without local action" in english
    assert "Con o sin acción local" in spanish
    assert "Con o sin acción local" not in client.get("/recommendations/").text


def test_the_home_chart_labels_follow_the_language_after_being_cached(client, recommendation):
    theme = Theme.objects.filter(vocabulary=Theme.Vocabulary.UPR_INFO).first()
    recommendation.themes.add(theme)
    client.get("/")
    spanish = client.get("/es/").text
    assert "recomendaciones: " in spanish
    assert "Apoyada" in spanish or "Tomada nota" in spanish or "Pendiente" in spanish


def test_the_home_page_caches_numbers_and_names_them_in_each_visitors_language(
    client, recommendation
):
    from django.core.cache import cache
    from django.utils.functional import Promise

    from jurisdictions.panels import HOME_FIGURES_KEY
    from recommendations.views import HOME_CHART_KEY

    factories.commitment(status="adopted")
    assert "Adopted: 1" in client.get("/").text
    spanish = client.get("/es/").text
    assert "Adoptado: 1" in spanish and "Apoyada" in spanish

    # What the cache keeps serves both languages, and holds no lazy translation: each
    # costs about a millisecond to read back, and the home page had some fifty.
    def leaves(value):
        if isinstance(value, dict):
            value = value.values()
        if isinstance(value, (list, tuple, type({}.values()))):
            for item in value:
                yield from leaves(item)
        else:
            yield value

    for key in (HOME_CHART_KEY, HOME_FIGURES_KEY):
        kept = cache.get(key)
        assert kept is not None
        assert not [leaf for leaf in leaves(kept) if isinstance(leaf, Promise)]


def test_a_page_prints_every_date_in_one_form_per_language():
    """Issue 19 point 20: with or without a named format, a date reads the same."""
    template = Template(
        '{{ day|date:"SHORT_DATE_FORMAT" }} · {{ day }} · {{ at|date:"SHORT_DATETIME_FORMAT" }}'
        " · {{ at }}"
    )
    context = Context(
        {"day": datetime.date(2026, 12, 3), "at": datetime.datetime(2026, 12, 3, 14, 5)}
    )
    with translation.override("en"):
        assert (
            template.render(context)
            == "2026-12-03 · 2026-12-03 · 2026-12-03 14:05 · 2026-12-03 14:05"
        )
    with translation.override("es"):
        assert (
            template.render(context)
            == "03/12/2026 · 03/12/2026 · 03/12/2026 14:05 · 03/12/2026 14:05"
        )


def test_indicator_numbers_follow_the_language():
    template = Template("{% load progress_tags %}{{ n|plain_number }} {{ n|quantity:'people' }}")
    context = Context({"n": Decimal("1234.5000")})
    with translation.override("en"):
        assert template.render(context) == "1,234.5 1,234.5 people"
    with translation.override("es"):
        assert template.render(context) == "1\xa0234,5 1\xa0234,5 people"


def test_signing_in_and_out_from_a_spanish_page_stays_in_spanish(client):
    asked = client.get("/es/manage/")
    assert asked.status_code == 302
    assert asked["Location"].startswith("/es/accounts/login/?next=/es/manage/")
    client.force_login(factories.user(email="reader@example.org"))
    out = client.post("/es/accounts/logout/")
    assert out.status_code == 302
    assert out["Location"] == "/es/"
