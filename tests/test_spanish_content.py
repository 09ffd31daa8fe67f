"""Content in both languages: a page shows the visitor's language where the Spanish
exists and marks a fallback (a lang attribute and a visible note); staff enter the Spanish
title and summary; exports and the API carry both; the demo has Spanish."""

import csv
import io
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from jurisdictions.models import Commitment, ProgressUpdate
from recommendations.bilingual import Localized
from recommendations.models import Recommendation, Theme
from tests import factories as f

pytestmark = pytest.mark.django_db

ENGLISH_TEXT = "Establish a moratorium on executions."
SPANISH_TEXT = "Establecer una moratoria de las ejecuciones."


def note(lang: str, brief: bool = False) -> str:
    """The fallback note as a Spanish page words it (translated or not)."""
    with translation.override("es"):
        return Localized("x", lang, fallback=True).note(brief)


def html_of(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def scene(db):
    theme = f.theme(vocabulary="uhri", name="Death penalty", name_es="Pena de muerte")
    plain_theme = f.theme(vocabulary="uhri", name="Right to life")
    translated = f.recommendation(text=ENGLISH_TEXT, text_es=SPANISH_TEXT, themes=[theme])
    english_only = f.recommendation(text="Abolish solitary confinement.", themes=[plain_theme])
    commitment = f.commitment(
        title="Moratorium on executions",
        summary="The governor halted executions.",
        title_es="Moratoria de las ejecuciones",
        summary_es="El gobernador detuvo las ejecuciones.",
    )
    commitment.themes.set([theme, plain_theme])
    f.link(commitment, translated)
    f.link(commitment, english_only)
    f.update(commitment, summary="The chamber was closed.", summary_es="Se cerró la cámara.")
    f.update(commitment, reported_on=date(2022, 5, 1), summary="The protocol was withdrawn.")
    return {
        "theme": theme,
        "translated": translated,
        "english_only": english_only,
        "commitment": commitment,
    }


def test_a_spanish_page_shows_the_spanish_text_without_a_note(spanish_visitor, scene):
    html = html_of(spanish_visitor.get(scene["translated"].get_absolute_url(), follow=True))

    # The structured data keeps the UN's English text, declared "inLanguage": "en".
    assert f'<blockquote class="rec-text"><p>{SPANISH_TEXT}</p></blockquote>' in html
    assert 'class="lang-note"' not in html


def test_a_spanish_page_marks_english_text_it_falls_back_to(spanish_visitor, scene):
    html = html_of(spanish_visitor.get(scene["english_only"].get_absolute_url(), follow=True))

    assert (
        '<span lang="en">Abolish solitary confinement.</span> '
        f'<small class="lang-note">{note("en")}</small>'
    ) in html


def test_an_english_page_shows_the_english_and_marks_spanish_only_text(client, scene):
    only_spanish = f.commitment(title="Water access", summary="", summary_es="Agua para todos.")

    html = html_of(client.get(scene["translated"].get_absolute_url()))
    assert ENGLISH_TEXT in html and SPANISH_TEXT not in html

    html = html_of(client.get(only_spanish.get_absolute_url()))
    assert '<span lang="es">Agua para todos.</span>' in html
    with translation.override("en"):
        assert Localized("x", "es", fallback=True).note() in html


def test_the_commitment_page_shows_each_part_in_spanish_or_marks_it(spanish_visitor, scene):
    html = html_of(spanish_visitor.get(scene["commitment"].get_absolute_url(), follow=True))

    assert "<h1>Moratoria de las ejecuciones</h1>" in html
    assert "El gobernador detuvo las ejecuciones." in html
    assert "Se cerró la cámara." in html
    assert '<span lang="en">The protocol was withdrawn.</span>' in html
    assert SPANISH_TEXT in html  # the linked recommendation
    assert "Pena de muerte" in html
    assert (
        f'<span lang="en">Right to life</span> <small class="lang-note">{note("en", True)}' in html
    )


def test_lists_show_spanish_titles_and_texts(spanish_visitor, scene):
    html = html_of(spanish_visitor.get("/commitments/", follow=True))
    assert "Moratoria de las ejecuciones" in html
    assert "El gobernador detuvo las ejecuciones." in html

    html = html_of(spanish_visitor.get("/recommendations/", follow=True))
    assert SPANISH_TEXT in html
    assert '<span lang="en">Abolish solitary confinement.</span>' in html

    html = html_of(spanish_visitor.get("/themes/", follow=True))
    assert "Pena de muerte" in html


def test_the_feed_gives_the_spanish_title_and_notes_a_fallback(spanish_visitor, scene):
    f.commitment(title="Sanctuary policy", summary="The city limits cooperation.")
    feed = html_of(spanish_visitor.get(reverse("jurisdictions:commitment-feed"), follow=True))

    assert "Moratoria de las ejecuciones" in feed
    assert f"The city limits cooperation. {note('en')}" in feed


def test_a_spanish_page_costs_the_same_queries_as_an_english_one(client, settings, scene):
    settings.LANGUAGES = [("en", "English"), ("es", "Español")]
    for n in range(4):
        f.commitment(title=f"Commitment {n}", title_es=f"Compromiso {n}")
        f.recommendation(text=f"Measure {n}.", text_es=f"Medida {n}.")

    def get(url, language):
        settings.LANGUAGE_CODE = language
        response = client.get(url, follow=True, HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 200

    def count(url, language):
        with CaptureQueriesContext(connection) as queries:
            get(url, language)
        return len(queries)

    urls = ["/commitments/", "/recommendations/?q=medida", scene["commitment"].get_absolute_url()]
    for url in urls:
        get(url, "en")  # the caches filled (facet counts, figures)
        get(url, "es")
        assert count(url, "es") == count(url, "en"), url


def test_the_report_builder_gives_the_spanish_text_on_a_spanish_page(spanish_visitor, scene):
    rec = scene["translated"]
    url = reverse("reports:new") + f"?ids={rec.pk}&kind=briefing"

    html = html_of(spanish_visitor.get(url, follow=True))

    assert f"“{SPANISH_TEXT}”" in html
    assert "Moratoria de las ejecuciones" in html


# --- Staff -----------------------------------------------------------------------------


def edit_data(commitment, **extra):
    data = {
        "title": commitment.title,
        "kind": commitment.kind,
        "status": commitment.status,
        "summary": commitment.summary,
        "adopted_on": "2020-01-01",
        "version": commitment.version,
        "title_es": "Vivienda justa",
        "summary_es": "Prohíbe discriminar por la fuente de ingresos.",
    }
    data.update(extra)
    return data


def test_staff_save_the_spanish_title_and_summary(client, editor, pittsburgh):
    commitment = f.commitment(jurisdiction=pittsburgh, publication="draft", title="Fair housing")
    url = reverse("staff:commitment-edit", args=[commitment.pk])
    form = html_of(client.get(url))
    assert 'name="title_es"' in form and 'name="summary_es"' in form

    response = client.post(url, edit_data(commitment))

    assert response.status_code == 302
    commitment.refresh_from_db()
    assert commitment.title_es == "Vivienda justa"
    assert commitment.summary_es == "Prohíbe discriminar por la fuente de ingresos."
    assert commitment.history.first().title_es == "Vivienda justa"


def test_staff_save_the_spanish_summary_of_an_update(client, editor, pittsburgh):
    commitment = f.commitment(jurisdiction=pittsburgh, publication="draft")
    url = reverse("staff:update-create", args=[commitment.pk])

    response = client.post(
        url,
        {"reported_on": "2021-01-01", "summary": "Work began.", "summary_es": "Empezó el trabajo."},
    )

    assert response.status_code == 302
    assert commitment.updates.get().summary_es == "Empezó el trabajo."


def test_a_spanish_summary_over_the_limit_is_refused_on_the_field(client, editor, pittsburgh):
    commitment = f.commitment(jurisdiction=pittsburgh, publication="draft")
    url = reverse("staff:commitment-edit", args=[commitment.pk])

    response = client.post(url, edit_data(commitment, summary_es="x" * 5001))

    assert response.status_code == 200
    assert response.context["form"].errors["summary_es"]


@pytest.mark.parametrize("role", ["anonymous", "other_staff"])
def test_others_cannot_write_the_spanish_fields(client, role, pittsburgh):
    commitment = f.commitment(jurisdiction=pittsburgh, publication="draft", title="Fair housing")
    if role == "other_staff":
        person = f.user()
        f.membership(person, f.jurisdiction(name="Erie"))
        client.force_login(person)

    edit = client.post(
        reverse("staff:commitment-edit", args=[commitment.pk]), edit_data(commitment)
    )
    update = client.post(
        reverse("staff:update-create", args=[commitment.pk]),
        {"reported_on": "2021-01-01", "summary": "Work began.", "summary_es": "Empezó."},
    )

    for response in (edit, update):
        assert response.status_code in (302, 403, 404)
        if response.status_code == 302:
            assert "login" in response.url
    commitment.refresh_from_db()
    assert (commitment.title_es, commitment.summary_es) == ("", "")
    assert not ProgressUpdate.objects.exists()


def test_a_curator_may_write_the_spanish_fields_and_sees_them_to_review(
    client, curator, pittsburgh
):
    commitment = f.commitment(jurisdiction=pittsburgh, publication="submitted")

    response = client.post(
        reverse("staff:commitment-edit", args=[commitment.pk]), edit_data(commitment)
    )

    assert response.status_code == 302
    commitment.refresh_from_db()
    assert commitment.title_es == "Vivienda justa"
    review = html_of(client.get(reverse("staff:review-commitment", args=[commitment.pk])))
    assert '<span lang="es">Vivienda justa</span>' in review


# --- Exports and API -------------------------------------------------------------------


def test_the_commitment_export_carries_both_languages(client, scene):
    response = client.get(reverse("jurisdictions:commitment-export", args=["csv"]))
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))

    [row] = [r for r in rows if r["id"] == str(scene["commitment"].pk)]
    assert (row["title"], row["title_es"]) == (
        "Moratorium on executions",
        "Moratoria de las ejecuciones",
    )
    assert row["summary_es"] == "El gobernador detuvo las ejecuciones."


def test_the_recommendation_export_carries_both_languages(client, scene):
    response = client.get(reverse("recommendations:recommendation-export", args=["csv"]))
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))

    by_text = {row["text"]: row["text_es"] for row in rows}
    assert by_text[ENGLISH_TEXT] == SPANISH_TEXT
    assert by_text["Abolish solitary confinement."] == ""


def test_the_api_carries_both_languages(client, scene):
    commitment = client.get(f"/api/v1/commitments/{scene['commitment'].pk}/").json()
    assert commitment["title_es"] == "Moratoria de las ejecuciones"
    assert commitment["summary_es"] == "El gobernador detuvo las ejecuciones."

    recs = client.get("/api/v1/recommendations/").json()["results"]
    assert {r["text"]: r["text_es"] for r in recs}[ENGLISH_TEXT] == SPANISH_TEXT

    themes = client.get("/api/v1/themes/").json()["results"]
    assert {t["name"]: t["name_es"] for t in themes}["Death penalty"] == "Pena de muerte"

    updates = client.get("/api/v1/progress-updates/").json()["results"]
    assert {u["summary_es"] for u in updates} == {"Se cerró la cámara.", ""}


# --- Demo ------------------------------------------------------------------------------


def test_the_demo_has_spanish_content_and_a_second_seed_changes_nothing():
    from django.core.management import call_command

    call_command("seed_demo")
    spanish = (
        Recommendation.objects.exclude(text_es="").count(),
        Theme.objects.exclude(name_es="").count(),
        Commitment.objects.exclude(title_es="").count(),
        ProgressUpdate.objects.exclude(summary_es="").count(),
    )
    assert spanish == (9, 7, 6, 2)
    snapshot = list(Commitment.objects.values_list("pk", "title_es", "summary_es", "updated_at"))

    call_command("seed_demo")

    assert list(Commitment.objects.values_list("pk", "title_es", "summary_es", "updated_at")) == (
        snapshot
    )


def test_a_curator_names_a_theme_in_spanish_and_staff_cannot(client, curator, scene):
    theme = Theme.objects.get(name="Right to life")
    data = {"vocabulary": "uhri", "name": "Right to life", "name_es": "Derecho a la vida"}

    response = client.post(reverse("staff:theme-edit", args=[theme.pk]), data)

    assert response.status_code == 302
    theme.refresh_from_db()
    assert theme.name_es == "Derecho a la vida"

    person = f.user()
    f.membership(person, f.jurisdiction())
    client.force_login(person)
    response = client.post(
        reverse("staff:theme-edit", args=[theme.pk]), {**data, "name_es": "Otro nombre"}
    )
    assert response.status_code == 403
    theme.refresh_from_db()
    assert theme.name_es == "Derecho a la vida"


def test_the_public_history_shows_a_change_of_the_spanish_text(client, scene):
    commitment = scene["commitment"]
    commitment.title_es = "Moratoria de todas las ejecuciones"
    commitment.save()

    html = html_of(client.get(reverse("history:commitment", args=[commitment.pk])))

    assert "Moratoria de todas las ejecuciones" in html


def test_the_embedded_widgets_show_the_spanish_text(spanish_visitor, scene):
    rec = scene["translated"]
    page = html_of(spanish_visitor.get(f"/embed/r/{rec.public_id}/", follow=True))
    assert SPANISH_TEXT in page
    assert "Moratoria de las ejecuciones" in page

    page = html_of(spanish_visitor.get(f"/embed/themes/{scene['theme'].slug}/", follow=True))
    assert "Pena de muerte" in page
