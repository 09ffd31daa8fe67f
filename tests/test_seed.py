"""seed_reference and seed_demo load what a newcomer needs, and a second run changes nothing."""

import pytest
from django.apps import apps
from django.core.management import call_command

from jurisdictions.models import Jurisdiction
from recommendations.models import AffectedGroup, Country, Review, SdgGoal, SdgTarget, Theme

pytestmark = pytest.mark.django_db


def row_counts() -> dict[str, int]:
    return {
        model._meta.label: model._default_manager.count()
        for app in ("recommendations", "jurisdictions")
        for model in apps.get_app_config(app).get_models()
    }


def test_reference_data_has_every_member_state_and_vocabulary(reference_data):
    assert Country.objects.filter(kind="state").count() == 193
    assert set(Country.objects.filter(kind="observer").values_list("iso3", flat=True)) == {
        "PSE",
        "VAT",
    }
    assert Country.objects.get(iso3="XAC").name == "ACT Group"
    assert Country.objects.filter(kind="state", region="").count() == 0
    assert Theme.objects.filter(vocabulary="upr_info").count() == 54
    assert AffectedGroup.objects.count() == 16
    assert SdgGoal.objects.count() == 17
    assert SdgTarget.objects.count() == 169
    assert Country.objects.get(iso3="USA").region == "weog"
    assert Country.objects.get(iso3="CUB").region == "grulac"


def test_country_names_from_un_documents_resolve(reference_data):
    index = Country.objects.name_index()
    from recommendations.models import normalise_name

    for name, iso3 in [
        ("Bolivarian Republic of Venezuela", "VEN"),
        ("Democratic People’s Republic of Korea", "PRK"),
        ("Republic of Korea", "KOR"),
        ("United Kingdom of Great Britain and Northern Ireland", "GBR"),
        ("Côte d’Ivoire", "CIV"),
        ("State of Palestine", "PSE"),
        ("Islamic Republic of Iran", "IRN"),
        ("Turkey", "TUR"),
    ]:
        assert index[normalise_name(name)].iso3 == iso3, name


def test_states_dc_and_territories_carry_fips_codes(reference_data):
    assert Jurisdiction.objects.filter(kind="state").count() == 50
    assert Jurisdiction.objects.filter(kind="territory").count() == 5
    assert Jurisdiction.objects.get(fips="42").name == "Pennsylvania"
    assert Jurisdiction.objects.get(fips="11").state_code == "DC"
    assert Jurisdiction.objects.get(kind="federal").children.count() == 56


def test_uhri_themes_form_a_hierarchy(reference_data):
    death_penalty = Theme.objects.get(vocabulary="uhri", name="Death penalty")
    assert death_penalty.parent.name == "Civil and political rights"
    assert death_penalty.slug == "death-penalty"
    assert Theme.objects.get(vocabulary="upr_info", name="Death penalty").slug == (
        "upr-info-death-penalty"
    )


@pytest.mark.slow  # the whole demo, seeded twice and every table compared
def test_seed_demo_twice_leaves_every_table_as_after_the_first_run():
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    first = row_counts()
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    assert row_counts() == first


def test_the_demo_feels_like_a_curated_tracker():
    from django.db.models import Count

    from jurisdictions.models import Commitment, Network

    call_command("seed_demo", stdout=open("/dev/null", "w"))
    reviews = {r.cycle: r for r in Review.objects.filter(state_under_review__iso3="USA")}
    assert sorted(reviews) == [1, 2, 3, 4]
    assert reviews[3].report_symbol == "A/HRC/46/15"
    assert reviews[3].response_symbol == "A/HRC/46/15/Add.1"
    assert reviews[3].wg_session == 36
    assert reviews[4].status == "postponed"

    recs = Review.objects.get(state_under_review__iso3="USA", cycle=3).recommendations
    assert recs.count() >= 80
    assert recs.filter(recommending_countries__isnull=True).count() == 0
    assert recs.filter(themes__isnull=True).count() == 0
    # Every primary UHRI theme of the 2020 review is represented.
    used = set(recs.values_list("themes__name", flat=True))
    uhri_leaves = Theme.objects.filter(vocabulary="uhri", parent__isnull=False)
    assert len(used & set(uhri_leaves.values_list("name", flat=True))) >= 43
    assert set(recs.values_list("response", flat=True)) == {
        "supported",
        "supported_in_part",
        "noted",
    }
    assert recs.get(paragraph="26.49").recommending_countries.count() == 6

    commitments = Commitment.objects.published()
    assert commitments.count() >= 25
    assert commitments.annotate(n=Count("links")).filter(n=0).count() == 0
    assert Commitment.objects.get(instrument_ref="Ordinance 34-2016").jurisdiction.name == (
        "Pittsburgh"
    )
    assert Network.objects.get(slug="cities-for-cedaw").members.count() >= 3


def test_seed_demo_after_an_import_leaves_the_un_wording_alone(reference_data, tmp_path):
    from recommendations.importers.pipeline import import_file
    from recommendations.models import Recommendation
    from tests.shared_exports import us_2020_rows, write_uhri

    assert import_file(write_uhri(us_2020_rows(), tmp_path / "uhri.csv")).ok
    imported = dict(Recommendation.objects.values_list("paragraph", "text"))

    call_command("seed_demo", stdout=open("/dev/null", "w"))

    assert dict(Recommendation.objects.values_list("paragraph", "text")) == imported
