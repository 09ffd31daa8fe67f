"""Search in both languages, on recommendations and commitments alike: English words
against English text with English stemming, Spanish words against Spanish text with
Spanish stemming, accents never mattering; the search vectors' configurations are
declared in code and checked."""

import pytest
from django.db import connection

from tests import factories
from upr_tracker import dbschema

pytestmark = pytest.mark.django_db


@pytest.fixture
def content(db):
    review = factories.review()
    recs = {
        "death": factories.recommendation(
            review=review,
            text="Abolish the death penalty in every state.",
            text_es="Abolir la pena de muerte en todos los estados.",
        ),
        "mexico": factories.recommendation(
            review=review,
            text="Cooperate with Mexico on the protection of migrants.",
            text_es="Cooperar con México en la protección de las personas migrantes.",
        ),
        "executions": factories.recommendation(
            review=review,
            text="Suspend executions while the sentences are reviewed.",
            text_es="Suspender las ejecuciones mientras se revisan las condenas.",
        ),
        "english_only": factories.recommendation(
            review=review, text="Protect the children of migrant workers."
        ),
    }
    commitments = {
        "moratorium": factories.commitment(
            title="Moratorium on executions",
            summary="The governor halted executions.",
            title_es="Moratoria de las ejecuciones",
            summary_es="El gobernador detuvo las ejecuciones en San Quentin.",
        ),
        "border": factories.commitment(
            title="Border health compact",
            summary="A joint clinic programme with Mexico.",
            title_es="Acuerdo de salud fronteriza",
            summary_es="Un programa de clínicas conjuntas con México para niños migrantes.",
        ),
        "english_only": factories.commitment(
            title="Death penalty study commission", summary="A commission on the death penalty."
        ),
    }
    return recs, commitments


def found_recs(client, q) -> set:
    response = client.get("/recommendations/", {"q": q})
    assert response.status_code == 200
    return {rec.pk for rec in response.context["page_obj"]}


def found_commitments(client, q) -> set:
    response = client.get("/commitments/", {"q": q})
    assert response.status_code == 200
    return {c.pk for c in response.context["page_obj"]}


@pytest.mark.parametrize("q", ["Mexico", "mexico", "México", "méxico", "MEXICO"])
def test_mexico_with_or_without_its_accent_finds_both_kinds_of_content(client, content, q):
    recs, commitments = content
    assert found_recs(client, q) == {recs["mexico"].pk}
    assert found_commitments(client, q) == {commitments["border"].pk}


def test_a_spanish_word_with_its_accent_finds_both_its_forms(client, content):
    recs, commitments = content
    # "ejecución" and "ejecuciones" share a Spanish stem.
    assert found_recs(client, "ejecución") == {recs["executions"].pk}
    assert found_commitments(client, "ejecución") == {commitments["moratorium"].pk}


def test_spanish_words_typed_without_accents_find_spanish_text(client, content):
    recs, commitments = content
    assert found_recs(client, "proteccion") == {recs["mexico"].pk}
    assert found_commitments(client, "clinicas") == {commitments["border"].pk}
    # ñ typed as n
    assert found_commitments(client, "ninos") == {commitments["border"].pk}


def test_spanish_stemming_applies_to_spanish_text(client, content):
    recs, commitments = content
    # "muertes" and "muerte", "condena" and "condenas", "detuvieron" and "detuvo"
    assert found_recs(client, "muertes") == {recs["death"].pk}
    assert found_recs(client, "condena") == {recs["executions"].pk}
    assert found_commitments(client, "detuvieron") == {commitments["moratorium"].pk}
    assert found_commitments(client, "gobernadores") == {commitments["moratorium"].pk}


def test_english_stemming_still_applies_to_english_text(client, content):
    recs, commitments = content
    assert found_recs(client, "abolishing penalties") == {recs["death"].pk}
    assert found_recs(client, "execution") == {recs["executions"].pk}
    assert found_commitments(client, "halting") == {commitments["moratorium"].pk}
    assert found_commitments(client, "death penalty") == {commitments["english_only"].pk}


def test_a_minus_excludes_by_the_words_of_each_language(client, content):
    recs, _ = content
    # The English text of the Mexico recommendation says "migrants", its Spanish text
    # "migrantes": "-children" excludes the English-only record without touching it.
    assert found_recs(client, "migrant -children") == {recs["mexico"].pk}
    # In Spanish the Mexico record says "México" and is left out; the English-only
    # record's "migrant" matches the English stem of "migrantes" and names no Mexico.
    assert found_recs(client, "migrantes -México") == {recs["english_only"].pk}


def test_spanish_results_come_first_by_relevance_and_are_highlighted_on_a_spanish_page(
    spanish_visitor, content
):
    recs, _ = content
    response = spanish_visitor.get("/recommendations/", {"q": "ejecuciones"}, follow=True)

    html = response.content.decode()
    assert [r.pk for r in response.context["page_obj"]] == [recs["executions"].pk]
    assert "Suspender las <mark>ejecuciones</mark> mientras" in html


def test_the_api_searches_both_languages_too(client, content):
    _, commitments = content
    response = client.get("/api/v1/commitments/", {"q": "fronteriza"})

    assert response.status_code == 200
    assert [c["id"] for c in response.json()["results"]] == [commitments["border"].pk]


def test_the_search_configurations_are_declared_and_checked():
    declared = {c.name: c for m in dbschema.schemas() for c in getattr(m, "SEARCH_CONFIGS", [])}
    assert declared["upr_spanish"].dictionaries == ("unaccent", "spanish_stem")
    assert dbschema.drift() == []

    with connection.cursor() as cursor:
        cursor.execute(
            "ALTER TEXT SEARCH CONFIGURATION upr_spanish "
            "ALTER MAPPING FOR hword, hword_part, word WITH spanish_stem"
        )
    assert dbschema.drift() == ["text search configuration upr_spanish maps words to spanish_stem"]

    with connection.cursor() as cursor:
        cursor.execute("DROP TEXT SEARCH CONFIGURATION upr_spanish CASCADE")
    assert "text search configuration upr_spanish is missing" in dbschema.drift()
    dbschema.install()
    assert dbschema.drift() == []
    # The generated columns over it came back with the configuration (CASCADE dropped them
    # in this test's transaction only, so check a fresh vector instead).
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_tsvector('upr_spanish', 'Las ejecuciones en México')::text")
        assert cursor.fetchone()[0] == "'ejecu':2 'mexic':4"


def test_a_missing_unaccent_extension_is_reported(monkeypatch):
    # The extension is needed by the declarations: a declaration naming one the database
    # lacks is reported, not silently ignored.
    from recommendations import schema

    missing = dbschema.SearchConfig(
        "upr_spanish", "pg_catalog.spanish", ("unaccent", "spanish_stem"), ("no_such_ext",)
    )
    monkeypatch.setattr(schema, "SEARCH_CONFIGS", [*schema.SEARCH_CONFIGS[:1], missing])
    assert dbschema.drift() == ["extension no_such_ext is missing"]


@pytest.mark.parametrize("q", ["Pena de muerte", "pena de muerte", "pená de muerte"])
def test_a_search_for_a_theme_spanish_name_offers_the_theme(client, content, q):
    theme = factories.theme(vocabulary="uhri", name="Death penalty", name_es="Pena de muerte")

    response = client.get("/recommendations/", {"q": q})

    assert [offer["theme"] for offer in response.context["hints"]["themes"]] == [theme]
