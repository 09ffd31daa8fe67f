"""Loads the federal level, the states, DC and the territories with their FIPS codes."""

import us
from django.db import transaction
from django.utils.text import slugify

from recommendations.seed import _sync

from .models import Jurisdiction


def ocd_id(state_code: str, kind: str = "") -> str:
    """The Open Civic Data division of the federal level (no state code), a state, DC
    (a district) or a territory."""
    if not state_code:
        return "ocd-division/country:us"
    if state_code == "DC":
        return "ocd-division/country:us/district:dc"
    level = "territory" if kind == Jurisdiction.Kind.TERRITORY else "state"
    return f"ocd-division/country:us/{level}:{state_code.lower()}"


@transaction.atomic
def seed_jurisdictions() -> dict[str, int]:
    _sync(
        Jurisdiction,
        "fips",
        [
            {
                "fips": "US",
                "kind": Jurisdiction.Kind.FEDERAL,
                "name": "United States",
                "slug": "united-states",
                "state_code": "",
                "ocd_id": ocd_id(""),
                "parent": None,
            }
        ],
    )
    federal = Jurisdiction.objects.get(fips="US")
    rows = []
    # STATES_AND_TERRITORIES already includes DC.
    for state in us.states.STATES_AND_TERRITORIES:
        kind = Jurisdiction.Kind.TERRITORY if state.is_territory else Jurisdiction.Kind.STATE
        if state.abbr == "DC":
            kind = Jurisdiction.Kind.CITY  # a federal district that governs as a city
        rows.append(
            {
                "fips": state.fips,
                "kind": kind,
                "name": state.name,
                "slug": slugify(state.name.replace("'", "")),
                "state_code": state.abbr,
                "ocd_id": ocd_id(state.abbr, kind),
                "parent": federal,
            }
        )
    _sync(Jurisdiction, "fips", rows)
    return {"jurisdictions": Jurisdiction.objects.count()}
