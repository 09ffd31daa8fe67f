"""State names as real files spell them: every spelling resolves to the right state."""

import pytest

from recommendations.country_names import CountryNames
from recommendations.seed import country_rows
from tests.state_spellings import SPELLINGS, UN_SHORT


def test_the_table_covers_every_member_state_and_enough_spellings():
    codes = {entry.split()[0] for entry in UN_SHORT.replace("\n", "|").split("|") if entry}
    assert len(codes) == 195  # 193 member states and two observer states
    assert len(SPELLINGS) >= 150


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
