"""What every source parser shares: the reference lookups, the parsed recommendation
(`Draft`), the row error collector and text normalisation."""

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from ..country_names import CountryNames
from ..models import (
    AffectedGroup,
    Country,
    Recommendation,
    Response,
    SdgTarget,
    Theme,
    cycle_for_session,
    normalise_name,
)

# Stored error rows are capped so a file of garbage cannot exhaust memory; the count is not.
MAX_REPORTED = 5000

_NON_WORD = re.compile(r"[^\w]+")


def strip_accents(text: str) -> str:
    if text.isascii():
        return text
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c))


def normalise_text(text: str) -> str:
    """The comparison form of a recommendation text: case, accents, punctuation and spacing
    removed, so the same recommendation from two sources compares equal."""
    text = strip_accents(text.casefold())
    return " ".join(_NON_WORD.sub(" ", text).split())


def theme_key(name: str) -> str:
    """A theme name as looked up: exports type "Women's rights" with a straight or a curly
    apostrophe, as they do state names."""
    name = name.replace("\u2019", "'").replace("\u2018", "'").replace("`", "'")
    return " ".join(name.casefold().split())


def too_many_cells(line: int, cells: list[str], header: list[str], problems) -> bool:
    """Reports a row with values beyond the header's last column (usually a comma in an
    unquoted cell, which shifts every later cell): one error for the cause, rather than
    one per shifted cell. Empty trailing cells, as spreadsheets pad rows, are no fault."""
    extra = [cell for cell in cells[len(header) :] if cell]
    if not extra:
        return False
    problems.error(
        line,
        "",
        _(
            "The row has %(count)s or more cells where the header has %(header_count)s; a cell "
            "holding a comma is probably not quoted. The row is not read."
        )
        % {"count": len(header) + len(extra), "header_count": len(header)},
    )
    return True


def table_rows(rows, header: list[str], opts):
    """The rows of a table a parser reads, with progress ticked every 500 rows and rows
    wider than the header reported and left out (too_many_cells)."""
    for count, (line, cells) in enumerate(rows, start=1):
        if opts.tick and count % 500 == 0:
            opts.tick(count)
        if not too_many_cells(line, cells, header, opts.problems):
            yield line, cells


def make_upr_info_key(state_iso3: str, session: int, text: str) -> str:
    basis = f"{state_iso3}|{session}|{normalise_text(text)}"
    return hashlib.sha256(basis.encode()).hexdigest()[:40]


RESPONSES = {
    "accepted": Response.SUPPORTED,
    "supported": Response.SUPPORTED,
    "supported in part": Response.SUPPORTED_IN_PART,
    "supported_in_part": Response.SUPPORTED_IN_PART,
    "partially supported": Response.SUPPORTED_IN_PART,
    "partially accepted": Response.SUPPORTED_IN_PART,
    "supported/noted": Response.SUPPORTED_IN_PART,
    "supported_noted": Response.SUPPORTED_IN_PART,
    "noted": Response.NOTED,
    "rejected": Response.NOTED,
    "": Response.PENDING,
    "pending": Response.PENDING,
    "no response": Response.PENDING,
}


def combine_responses(responses) -> str:
    """One recommendation split over rows: Accepted plus Noted means supported in part."""
    return Recommendation.response_of(responses)


@dataclass(slots=True)
class Draft:
    """One recommendation as a file describes it, with reference data resolved to ids.

    `themes` holds only themes of the vocabularies in `theme_scope`; relations left as
    None are not touched by the source (UPR Info says nothing about SDG targets)."""

    line: int
    state: str  # ISO3 of the state under review
    cycle: int
    wg_session: int | None
    text: str
    # Only this site's own export carries the Spanish text; the UN's Spanish table writes
    # it through spanish.py.
    text_es: str = ""
    response: str = Response.PENDING
    paragraph: str = ""
    action_category: int | None = None
    response_note: str = ""
    uhri_id: str | None = None
    upr_info_key: str = ""
    # Native files only: the identifier the record had where it was exported; empty, the
    # database derives one (Recommendation.public_id).
    public_id: str = ""
    body: str = ""
    report_symbol: str = ""
    # Relations as tuples of ids (None: the source does not say).
    countries: tuple = ()
    themes: tuple | None = None
    groups: tuple | None = None
    sdgs: tuple | None = None
    # UPR Info: (recommending country id, response) per row; the response derives from it.
    positions: tuple | None = None
    # Native files: the review's own fields (review_date, response_symbol, ...), as given.
    review: dict | None = None


@dataclass
class Problems:
    errors: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    error_count: int = 0
    bad_lines: set = field(default_factory=set)

    def error(self, line: int, column: str, message: str, **extra):
        self.error_count += 1
        self.bad_lines.add(line)
        if len(self.errors) < MAX_REPORTED:
            self.errors.append({"line": line, "column": column, "message": message, **extra})

    def again(self, line: int):
        """Counts the line invalid for a problem already reported on an earlier line."""
        self.error_count += 1
        self.bad_lines.add(line)

    def unknown_state(self, line: int, column: str, name: str, ref: "Reference"):
        # state_name lets the import page offer to record the spelling as an alias.
        nearest = ref.names.nearest(name)
        message = _("Unknown state %(name)r; closest known names: %(value)s.") % {
            "name": name,
            "value": ", ".join(nearest),
        }
        self.error(line, column, message, state_name=name, suggestions=nearest)

    @property
    def invalid_rows(self) -> int:
        """Rows with at least one problem (a row with three faults is one invalid row)."""
        return len(self.bad_lines - {0})  # line 0: the file as a whole

    def warning(self, line: int, column: str, message: str):
        if len(self.warnings) < MAX_REPORTED:
            self.warnings.append({"line": line, "column": column, "message": message})


class Reference:
    """Reference data loaded once per import: names to ids, nothing created here."""

    def __init__(self):
        countries = list(
            Country.objects.values_list("iso3", "pk", "name", "formal_name", "aliases")
        )
        self.names = CountryNames(
            (iso3, name, [formal, *aliases]) for iso3, __, name, formal, aliases in countries
        )
        self._country_cache: dict = {}
        self.country_ids = {iso3: pk for iso3, pk, *__ in countries}
        self.themes: dict[tuple[str, str], int] = {}
        for pk, vocabulary, name in Theme.objects.values_list("pk", "vocabulary", "name"):
            self.themes[(vocabulary, theme_key(name))] = pk
        self.groups = {
            normalise_name(name): pk for pk, name in AffectedGroup.objects.values_list("pk", "name")
        }
        self.sdgs = dict(SdgTarget.objects.values_list("code", "pk"))
        self.sdg_titles = dict(SdgTarget.objects.values_list("code", "title"))
        # Names the import will create: UHRI themes and affected persons are open lists.
        self.new_themes: dict[tuple[str, str], str] = {}
        self.new_groups: dict[str, str] = {}
        self.sdg_title_fill: dict[str, str] = {}

    def country(self, name: str):
        """(ISO3, id) of a state however the file spells it, or None."""
        # A file names the same few hundred states over and over: remember each spelling.
        if name not in self._country_cache:
            iso3 = self.names.resolve(name)
            self._country_cache[name] = (iso3, self.country_ids[iso3]) if iso3 else None
        return self._country_cache[name]

    def unknown_country(self, name: str) -> str:
        """The error message for a state name nothing resolves: the three closest names."""
        nearest = ", ".join(self.names.nearest(name))
        return f"Unknown state {name!r}; closest known names: {nearest}."

    def theme(self, vocabulary: str, name: str, *, create: bool):
        """A theme id, or a ("new", vocabulary, name) placeholder resolved when writing."""
        name = name[:200]  # the column's length
        key = (vocabulary, theme_key(name))
        if key in self.themes:
            return self.themes[key]
        if not create:
            return None
        self.new_themes.setdefault(key, name)
        return ("theme", key)

    def group(self, name: str, *, create: bool):
        name = name[:120]
        key = normalise_name(name)
        if key in self.groups:
            return self.groups[key]
        if not create:
            return None
        self.new_groups.setdefault(key, name)
        return ("group", key)


@dataclass
class Options:
    """What a parser needs besides the rows."""

    ref: Reference
    problems: Problems
    states: set | None = None
    keep_non_upr: bool = True
    skipped: int = 0
    tick: object = None  # called with the number of rows read so far

    rows_by_state: dict = field(default_factory=dict)
    skipped_by_state: dict = field(default_factory=dict)

    def wanted(self, iso3: str) -> bool:
        return self.states is None or iso3 in self.states

    def take(self, iso3: str) -> bool:
        """Counts a row of this state under review; False (and counted skipped) if the
        import is limited to other states."""
        self.rows_by_state[iso3] = self.rows_by_state.get(iso3, 0) + 1
        if self.wanted(iso3):
            return True
        self.skipped += 1
        self.skipped_by_state[iso3] = self.skipped_by_state.get(iso3, 0) + 1
        return False


def session_number(value: str) -> int | None:
    match = re.search(r"\d+", value or "")
    if not match or not re.fullmatch(r"\s*(-\s*)?\d+(st|nd|rd|th)?(\s+session)?\s*", value, re.I):
        return None
    number = int(match.group())
    return number if number >= 1 else None


def cycle_of(session: int) -> int:
    return cycle_for_session(session)
