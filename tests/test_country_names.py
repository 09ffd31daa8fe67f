"""State names as real files spell them: every spelling resolves to the right state."""

from collections import defaultdict

import pycountry
import pytest
from django.urls import reverse

from recommendations import country_spellings
from recommendations.country_names import CountryNames, name_key
from recommendations.models import Country, ImportRun
from recommendations.seed import country_rows
from tests.state_spellings import SPELLINGS, UN_SHORT


def test_the_table_covers_every_member_state_and_enough_spellings():
    codes = {entry.split()[0] for entry in UN_SHORT.replace("\n", "|").split("|") if entry}
    assert len(codes) == 195  # 193 member states and two observer states
    assert len(SPELLINGS) >= 423


@pytest.fixture(scope="module")
def names():
    """The names the seeded reference data holds (the rows seed_reference writes)."""
    return CountryNames(
        (row["iso3"], row["name"], [row["formal_name"], *row["aliases"]]) for row in country_rows()
    )


@pytest.mark.parametrize(("spelling", "iso3"), SPELLINGS)
def test_each_spelling_maps_to_its_state(names, spelling, iso3):
    assert names.resolve(spelling) == iso3, names.nearest(spelling)


def test_an_unknown_spelling_names_the_three_closest_states(names):
    assert names.resolve("St Lucya") is None
    assert names.nearest("St Lucya") == [
        "Saint Lucia",
        "Saint Kitts and Nevis",
        "Saint Vincent and the Grenadines",
    ]


def test_each_built_in_spelling_names_one_real_state():
    codes_by_key = defaultdict(set)
    for spelling, iso3 in country_spellings.spellings():
        assert pycountry.countries.get(alpha_3=iso3) is not None, (spelling, iso3)
        codes_by_key[name_key(spelling)].add(iso3)
    assert {key: codes for key, codes in codes_by_key.items() if len(codes) > 1} == {}


def test_the_french_and_spanish_tables_name_every_state():
    states = {row["iso3"] for row in country_rows() if not row["iso3"].startswith("X")}
    assert set(country_spellings.FRENCH) == states
    assert set(country_spellings.SPANISH) == states


@pytest.mark.parametrize(
    ("spelling", "iso3"),
    [
        ("Republic of the Union of Myanmar", "MMR"),
        ("Zaïre", "COD"),
        ("Upper Volta", "BFA"),
        ("Ceylon", "LKA"),
        ("Congo-Brazzaville", "COG"),
        ("D.R. Congo", "COD"),
        ("U.S.A.", "USA"),
        ("Allemagne", "DEU"),
        ("République islamique d'Iran", "IRN"),
        ("Iran (République islamique d')", "IRN"),
        ("État plurinational de Bolivie", "BOL"),
        ("Saint-Vincent-et-les Grenadines", "VCT"),
        ("Royaume-Uni de Grande-Bretagne et d’Irlande du Nord", "GBR"),
        ("Estados Unidos de América", "USA"),
        ("Reino de los Países Bajos", "NLD"),
        ("Santa Lucía", "LCA"),
        ("Costa de Marfil", "CIV"),
        # pycountry's names of states the table does not list
        ("Holy See (Vatican City State)", "VAT"),
        ("Tanzania, United Republic of", "TZA"),
    ],
)
def test_built_in_spellings_resolve(names, spelling, iso3):
    assert names.resolve(spelling) == iso3


def test_a_built_in_spelling_counts_only_for_a_state_the_database_holds():
    names = CountryNames([("USA", "United States of America", [])])
    assert names.resolve("Estados Unidos") == "USA"
    assert names.resolve("Zaire") is None
    assert names.resolve("Germany") is None


def test_a_curator_alias_outranks_the_built_in_table():
    names = CountryNames(
        [
            ("COD", "Democratic Republic of the Congo", []),
            ("COG", "Congo", ["Zaire"]),  # wrong, but the curator decides
        ]
    )
    assert names.resolve("Zaire") == "COG"
    assert names.resolve("RDC") == "COD"


@pytest.mark.django_db
@pytest.mark.parametrize("spelling", ["USA", "United States of America", "  usa "])
def test_a_name_of_another_state_cannot_become_an_alias(client, curator, reference_data, spelling):
    cuba = Country.objects.get(iso3="CUB")
    run = ImportRun.objects.start(path="/nonexistent.csv", file_name="x.csv")

    # The spelling travels in a hidden field of the import report's form, so a curator
    # can send any text with any state.
    response = client.post(
        reverse("imports:alias", args=[run.pk]), {"spelling": spelling, "country": "CUB"}
    )

    assert response.status_code == 302
    assert Country.objects.get(iso3="CUB").aliases == cuba.aliases
    assert "was known already" in client.get(run.get_absolute_url()).content.decode()


@pytest.mark.django_db
def test_a_spelling_no_state_has_can_become_an_alias(reference_data):
    assert Country.objects.get(iso3="CHE").add_alias("Confoederatio Helvetica")
    assert not Country.objects.get(iso3="CUB").add_alias("confoederatio  helvetica")
