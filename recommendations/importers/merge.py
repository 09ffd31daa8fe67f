"""What an import may change on a recommendation that already exists.

An empty cell means "this file does not say", never "remove". Per source and field:

- REPLACE: a value in the file replaces the stored one; an empty cell changes nothing.
- FILL: written only where the stored value is empty (the other sources' natural keys).
- SET: relations; a non-empty cell replaces the set, an empty cell changes nothing.
- ADD: relations; the file's values are added and none are removed. UPR Info adds no
  recommending state to a record a UN file (UHRI, report table) has described.

A field a curator edited by hand (Recommendation.curated_fields) is never changed by an
import. The README's Data section states the same rules; tests/test_import_merge.py
checks each.
"""

from ..models import Response, Theme
from . import readers

REPLACE, FILL, SET, ADD = "replace", "fill", "set", "add"

SCALAR_RULES = {
    readers.UPR_INFO: {
        "text": REPLACE,  # but never over UHRI's wording: see scalar_changes
        "response": REPLACE,
        "action_category": REPLACE,
        "upr_info_key": FILL,
    },
    readers.UHRI: {
        "review": REPLACE,
        "text": REPLACE,
        "paragraph": REPLACE,
        "response": REPLACE,
        "uhri_id": FILL,
        "body": REPLACE,
    },
    readers.UN_REPORT: {
        "review": REPLACE,
        "text": REPLACE,
        "paragraph": REPLACE,
        "response": REPLACE,
    },
    readers.NATIVE: {
        "review": REPLACE,
        "text": REPLACE,
        "text_es": REPLACE,
        "paragraph": REPLACE,
        "response": REPLACE,
        "response_note": REPLACE,
        "action_category": REPLACE,
        "uhri_id": FILL,
        "upr_info_key": FILL,
        "body": REPLACE,
    },
}
# Draft attribute -> rule. UHRI, the UN's own index, has the last word on who recommended;
# UPR Info rows name one recommender each, so it only ever adds one.
RELATION_RULES = {
    readers.UPR_INFO: {"countries": ADD, "themes": ADD},
    readers.UHRI: {"countries": SET, "themes": ADD, "groups": ADD, "sdgs": ADD},
    readers.UN_REPORT: {"countries": SET, "themes": ADD},
    readers.NATIVE: {"countries": SET, "themes": SET, "groups": SET, "sdgs": SET},
}
# The vocabularies whose theme links a source may touch.
THEME_SCOPE = {
    readers.UPR_INFO: {Theme.Vocabulary.UPR_INFO},
    readers.UHRI: {Theme.Vocabulary.UHRI},
    readers.UN_REPORT: {Theme.Vocabulary.UHRI},
    readers.NATIVE: set(Theme.Vocabulary.values),
}
# Draft attribute -> the model field a curator's edit is recorded under.
RELATION_FIELDS = {
    "countries": "recommending_countries",
    "themes": "themes",
    "groups": "affected_groups",
    "sdgs": "sdg_targets",
}


def is_empty(name: str, value) -> bool:
    if name == "response":
        return value in (None, "", Response.PENDING)
    return value in (None, "")


def scalar_changes(fmt: str, draft_values: dict, rec: dict) -> dict:
    """Field -> new value, for the stored row `rec` (a values() dict)."""
    curated = set(rec.get("curated_fields") or ())
    changed = {}
    for name, rule in SCALAR_RULES[fmt].items():
        if name in curated:
            continue
        value = draft_values[name]
        stored = rec["review_id" if name == "review" else name]
        if is_empty(name, value) or stored == value:
            continue
        if rule == FILL and not is_empty(name, stored):
            continue
        if name == "text" and fmt == readers.UPR_INFO and rec["uhri_id"]:
            continue  # the UN report's wording (from UHRI) wins over UPR Info's copy
        changed[name] = value
    return changed


def from_un_file(rec: dict) -> bool:
    """A record a UHRI or report-table file described (UPR Info gives no paragraph)."""
    return bool(rec["uhri_id"] or rec["paragraph"])


def relation_changes(fmt: str, attr: str, wanted, have: dict, rec: dict):
    """(targets to add, through-row ids to delete) for one relation of one record.

    `have` maps each linked target (inside the source's scope) to its through-row id."""
    rule = RELATION_RULES[fmt].get(attr)
    if rule is None or not wanted or RELATION_FIELDS[attr] in (rec.get("curated_fields") or ()):
        return set(), []
    if fmt == readers.UPR_INFO and attr == "countries" and from_un_file(rec):
        # Who recommended is the UN's word once its files have described the record: adding
        # UPR Info's states here would undo the set a UHRI or report import replaced, and
        # the two files would give different records depending on their order.
        return set(), []
    plus = {t for t in wanted if t not in have}
    minus = [row for t, row in have.items() if t not in wanted] if rule == SET else []
    return plus, minus
