"""Loads the reference vocabularies. Every function upserts on a natural key, so it can
run on every start-up and a second run changes nothing."""

import pycountry
from django.db import transaction
from django.utils.text import slugify

from . import reference
from .models import AffectedGroup, Country, SdgGoal, SdgTarget, Theme


def _un_style(name: str) -> str:
    # pycountry writes "Korea, Republic of"; UN documents write "Republic of Korea".
    if ", " in name:
        head, tail = name.split(", ", 1)
        tail = tail[0].lower() + tail[1:] if tail.startswith("The ") else tail
        return f"{tail} {head}"
    return name


def country_rows():
    for iso3 in sorted(reference.REGION_BY_ISO3.keys() | reference.OBSERVERS):
        record = pycountry.countries.get(alpha_3=iso3)
        un_name = _un_style(record.name)
        name = reference.NAME_OVERRIDES.get(iso3) or getattr(record, "common_name", None) or un_name
        formal = getattr(record, "official_name", None) or un_name
        aliases = {record.name, un_name, formal, *reference.EXTRA_ALIASES.get(iso3, [])} - {name}
        yield {
            "iso3": iso3,
            "name": name,
            "formal_name": formal,
            "aliases": sorted(aliases),
            "region": reference.REGION_BY_ISO3.get(iso3, ""),
            "kind": Country.Kind.OBSERVER if iso3 in reference.OBSERVERS else Country.Kind.STATE,
        }
    for code, name, aliases in reference.GROUPS:
        yield {
            "iso3": code,
            "name": name,
            "formal_name": name,
            "aliases": aliases,
            "region": "",
            "kind": Country.Kind.GROUP,
        }


def _upsert(model, key: dict, values: dict) -> bool:
    """update_or_create that writes only when something differs; returns True if written."""
    obj = model.objects.filter(**key).first()
    if obj is None:
        model.objects.create(**key, **values)
        return True
    changed = {f: v for f, v in values.items() if getattr(obj, f) != v}
    if changed:
        for f, v in changed.items():
            setattr(obj, f, v)
        obj.save(update_fields=list(changed))
    return bool(changed)


@transaction.atomic
def seed_reference() -> dict[str, int]:
    for row in country_rows():
        _upsert(Country, {"iso3": row.pop("iso3")}, row)
    for name in reference.UPR_INFO_ISSUES:
        _upsert(
            Theme,
            {"vocabulary": Theme.Vocabulary.UPR_INFO, "name": name},
            {"slug": Theme.make_slug("upr_info", name), "parent": None},
        )
    for heading, names in reference.UHRI_THEMES.items():
        _upsert(
            Theme,
            {"vocabulary": Theme.Vocabulary.UHRI, "name": heading},
            {"slug": Theme.make_slug("uhri", heading), "parent": None},
        )
        parent = Theme.objects.get(vocabulary=Theme.Vocabulary.UHRI, name=heading)
        for name in names:
            _upsert(
                Theme,
                {"vocabulary": Theme.Vocabulary.UHRI, "name": name},
                {"slug": Theme.make_slug("uhri", name), "parent": parent},
            )
    for name in reference.AFFECTED_PERSONS:
        _upsert(AffectedGroup, {"name": name}, {"slug": slugify(name)})
    for number, title in enumerate(reference.SDG_GOALS, start=1):
        _upsert(SdgGoal, {"number": number}, {"title": title})
        goal = SdgGoal.objects.get(number=number)
        existing = set(goal.targets.values_list("code", flat=True))
        SdgTarget.objects.bulk_create(
            SdgTarget(goal=goal, code=code)
            for code in reference.sdg_target_codes(number)
            if code not in existing
        )
    return {
        "countries": Country.objects.count(),
        "themes": Theme.objects.count(),
        "affected groups": AffectedGroup.objects.count(),
        "SDG goals": SdgGoal.objects.count(),
        "SDG targets": SdgTarget.objects.count(),
    }
