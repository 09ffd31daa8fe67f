"""Loads the federal level, the states, DC and the territories with their FIPS codes."""

import us
from django.db import transaction
from django.utils.text import slugify

from recommendations.seed import _upsert

from .models import Jurisdiction


@transaction.atomic
def seed_jurisdictions() -> dict[str, int]:
    _upsert(
        Jurisdiction,
        {"slug": "united-states"},
        {
            "kind": Jurisdiction.Kind.FEDERAL,
            "name": "United States",
            "fips": "US",
            "state_code": "",
            "parent": None,
        },
    )
    federal = Jurisdiction.objects.get(slug="united-states")
    for state in [*us.states.STATES_AND_TERRITORIES, us.states.DC]:
        kind = Jurisdiction.Kind.TERRITORY if state.is_territory else Jurisdiction.Kind.STATE
        if state.abbr == "DC":
            kind = Jurisdiction.Kind.CITY  # a federal district that acts as a city
        _upsert(
            Jurisdiction,
            {"fips": state.fips},
            {
                "kind": kind,
                "name": state.name,
                "slug": _state_slug(state),
                "state_code": state.abbr,
                "parent": federal,
            },
        )
    return {"jurisdictions": Jurisdiction.objects.count()}


def _state_slug(state) -> str:
    return slugify(state.name.replace("'", ""))
