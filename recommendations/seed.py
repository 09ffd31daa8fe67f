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


def _sync(model, key: str, rows: list[dict]) -> None:
    """Bulk upsert on one natural-key field: inserts what is missing, updates what
    differs, leaves identical rows alone (a handful of queries, whatever the size)."""
    existing = {
        getattr(obj, key): obj
        for obj in model.objects.filter(**{f"{key}__in": [row[key] for row in rows]})
    }
    missing, changed, fields = [], [], set()
    for row in rows:
        obj = existing.get(row[key])
        if obj is None:
            missing.append(model(**row))
            continue
        diff = {f: v for f, v in row.items() if getattr(obj, f) != v}
        if diff:
            for f, v in diff.items():
                setattr(obj, f, v)
            changed.append(obj)
            fields.update(diff)
    model.objects.bulk_create(missing)
    if changed:
        model.objects.bulk_update(changed, sorted(fields))


@transaction.atomic
def seed_reference() -> dict[str, int]:
    _sync(Country, "iso3", list(country_rows()))
    _sync(
        Theme,
        "slug",
        [
            {
                "vocabulary": Theme.Vocabulary.UPR_INFO,
                "name": name,
                "slug": Theme.make_slug("upr_info", name),
                "parent": None,
            }
            for name in reference.UPR_INFO_ISSUES
        ]
        + [
            {
                "vocabulary": Theme.Vocabulary.UHRI,
                "name": heading,
                "slug": Theme.make_slug("uhri", heading),
                "parent": None,
            }
            for heading in reference.UHRI_THEMES
        ],
    )
    headings = {
        t.name: t
        for t in Theme.objects.filter(
            vocabulary=Theme.Vocabulary.UHRI, parent=None, name__in=list(reference.UHRI_THEMES)
        )
    }
    _sync(
        Theme,
        "slug",
        [
            {
                "vocabulary": Theme.Vocabulary.UHRI,
                "name": name,
                "slug": Theme.make_slug("uhri", name),
                "parent": headings[heading],
            }
            for heading, names in reference.UHRI_THEMES.items()
            for name in names
        ],
    )
    # Synonyms fill an empty list only: a curator's own list stays as they left it.
    bare = list(Theme.objects.filter(synonyms=[], name__in=list(reference.THEME_SYNONYMS)))
    for theme in bare:
        theme.synonyms = reference.THEME_SYNONYMS[theme.name]
    Theme.objects.bulk_update(bare, ["synonyms"])
    _sync(
        AffectedGroup,
        "name",
        [{"name": name, "slug": slugify(name)} for name in reference.AFFECTED_PERSONS],
    )
    _sync(
        SdgGoal,
        "number",
        [
            {"number": number, "title": title}
            for number, title in enumerate(reference.SDG_GOALS, start=1)
        ],
    )
    goals = {g.number: g for g in SdgGoal.objects.all()}
    existing = set(SdgTarget.objects.values_list("code", flat=True))
    SdgTarget.objects.bulk_create(
        SdgTarget(goal=goals[number], code=code)
        for number in goals
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
