"""Country names as data sources spell them, resolved to the states the database knows.

Two steps, first hit wins:
1. the spelling normalised by `name_key()` (case, accents, St/Saint, &/and, Rep./Is./Dem.,
   hyphens, brackets, apostrophes, "the"/"of"/"and", word order) against the database's
   own names, formal names, ISO codes and aliases;
2. the same normalised spelling against a built-in table: pycountry's names, official
   names and common names, and `country_spellings` (UN formal names, short forms and
   abbreviations, former names, the UN's French and Spanish names). Its answer counts
   only if the state is in the database.
If neither matches and the name starts with a state form ("Republic of", "Kingdom of
the", ...), the name without it goes through both steps again.

Step 1 comes first so that a curator's alias always decides, and so that names the
database holds verbatim (groups such as "ACT Group") never go through the table.
Nothing here needs compiling: pycountry is pure Python and rapidfuzz ships wheels.
"""

import re
import unicodedata
from functools import cache

import pycountry
from rapidfuzz import fuzz, process

from . import country_spellings

_SAINT = re.compile(r"\b(st|ste|saint|sainte)\b\.?")
_ABBREVIATIONS = [
    (re.compile(r"\brep\b\.?"), " republic "),
    (re.compile(r"\bis\b\.?"), " islands "),
    (re.compile(r"\bdem\b\.?"), " democratic "),
]
# A formal prefix the short name lacks: "Republic of Rwanda" is Rwanda. Tried last, so
# "Republic of Korea" and "Republic of the Congo" keep their own meaning.
_STATE_FORM = re.compile(
    r"^(the\s+)?(republic|kingdom|state|principality|commonwealth|sultanate|union)\s+of\s+(the\s+)?",
    re.I,
)
_DROP = re.compile(r"['\u2019\u2018`´]")
_NON_WORD = re.compile(r"[^\w]+")
# Words that carry no identity: "Republic of Korea" and "Korea, Republic of" are one name.
_FILLER = {"the", "of", "and"}


def name_key(name: str) -> str:
    """The comparison form of a country name; equal keys mean the same spelling."""
    text = unicodedata.normalize("NFKD", name.casefold())
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = _DROP.sub("", text.replace("&", " and "))
    text = _SAINT.sub(" saint ", text)
    for pattern, replacement in _ABBREVIATIONS:
        text = pattern.sub(replacement, text)
    words = _NON_WORD.sub(" ", text).split()
    return " ".join(sorted(w for w in words if w not in _FILLER))


@cache
def builtin_keys() -> dict[str, str]:
    """name_key -> ISO3 for every spelling the project knows without the database."""
    keys: dict[str, str] = {}
    for spelling, iso3 in country_spellings.spellings():
        keys.setdefault(name_key(spelling), iso3)
    for record in pycountry.countries:
        for field in ("name", "official_name", "common_name"):
            spelling = getattr(record, field, None)
            if spelling:
                keys.setdefault(name_key(spelling), record.alpha_3)
    return keys


def builtin_iso3(name: str) -> str | None:
    """The ISO3 code the built-in table gives a spelling, whether or not the database
    holds that state."""
    return builtin_keys().get(name_key(name))


class CountryNames:
    """Built from (iso3, display name, other spellings) triples; answers ISO3 or None."""

    def __init__(self, entries):
        self.keys: dict[str, str] = {}
        self.display: dict[str, str] = {}
        self._choices: dict[str, str] = {}  # spelling -> display name, for suggestions
        for iso3, display, spellings in entries:
            self.display[iso3] = display
            for spelling in (display, iso3, *spellings):
                if spelling:
                    self.keys.setdefault(name_key(spelling), iso3)
                    self._choices.setdefault(spelling, display)

    def resolve(self, name: str) -> str | None:
        if not name or not name.strip():
            return None
        found = self._lookup(name)
        if found is None and _STATE_FORM.match(name.strip()):
            found = self._lookup(_STATE_FORM.sub("", name.strip()))
        return found

    def _lookup(self, name: str) -> str | None:
        found = self.keys.get(name_key(name))
        if found:
            return found
        found = builtin_iso3(name)
        return found if found in self.display else None

    def nearest(self, name: str, limit: int = 3) -> list[str]:
        """Display names of the closest known spellings, best first, without repeats."""
        out = []
        for _, _, spelling in process.extract(
            name_key(name),
            {spelling: name_key(spelling) for spelling in self._choices},
            scorer=fuzz.WRatio,
            limit=limit * 6,
        ):
            display = self._choices[spelling]
            if display not in out:
                out.append(display)
            if len(out) == limit:
                break
        return out
