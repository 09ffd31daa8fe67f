"""Country names as data sources spell them, resolved to the states the database knows.

Three steps, first hit wins:
1. the spelling normalised (case, accents, St/Saint, &/and, hyphens, a leading "The",
   brackets, apostrophes, word order) against the database's own names, formal names,
   ISO codes and aliases;
2. the `countrynames` library, which knows UN formal names, short forms and many former
   names in several languages; its answer counts only if the state is in the database;
3. former names the library maps to a state that no longer exists (Zaire) or not at all.

Step 1 comes first so that a curator's alias always decides, and so that names the
database holds verbatim (groups such as "ACT Group") never go through the library.
"""

import re
import unicodedata

import countrynames
from rapidfuzz import fuzz, process

# Former or colloquial names the library does not map to today's state.
FORMER_NAMES = {
    "Zaire": "COD",
    "Burma": "MMR",
    "Swaziland": "SWZ",
    "Kingdom of Swaziland": "SWZ",
    "The former Yugoslav Republic of Macedonia": "MKD",
    "Former Yugoslav Republic of Macedonia": "MKD",
    "Libyan Arab Jamahiriya": "LBY",
    "Cape Verde": "CPV",
    "Czech Republic": "CZE",
    "Turkey": "TUR",
    "East Timor": "TLS",
    "Holland": "NLD",
}

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


def library_iso3(name: str) -> str | None:
    try:
        code = countrynames.to_code_3(name)
    except KeyError:  # the library knows a few codes of dissolved states but not their ISO3
        return None
    return code if code and len(code) == 3 else None


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
        for spelling, iso3 in FORMER_NAMES.items():
            if iso3 in self.display:
                self.keys.setdefault(name_key(spelling), iso3)

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
        found = library_iso3(name)
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
