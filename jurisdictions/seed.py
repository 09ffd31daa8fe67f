"""Loads the federal level, the states, DC and the territories with their FIPS codes."""

import us
from django.db import transaction
from django.utils.text import slugify

from recommendations.seed import _sync

from .models import Jurisdiction


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
                "parent": federal,
            }
        )
    _sync(Jurisdiction, "fips", rows)
    return {"jurisdictions": Jurisdiction.objects.count()}
