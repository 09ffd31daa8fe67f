"""The Spanish version of a UN Working Group report's recommendation table: the same
columns as the English table (un_report.py), with the UN's Spanish text in `text`.

It only adds: each row is matched to a stored recommendation by document symbol and
paragraph and its text becomes that record's `text_es`; nothing is created, and no English
field is touched. A row that matches no record is an error of that row, so that, as with
every import, nothing is written until every row can be (pipeline.py). A text a curator
corrected by hand (text_es in curated_fields) is kept, with a warning. A second run of
the same file finds every text already in place and changes nothing.

The optional `primary_theme` column, the UN Human Rights Index theme in Spanish, names a
theme in Spanish where the record carries exactly one UHRI theme whose Spanish name is
still empty; a file that gives one theme two Spanish names names it with neither, and
says so.
"""

from dataclasses import dataclass

from django.db import connection
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import Recommendation, Theme, Vocabulary
from .common import table_rows
from .readers import column_index
from .writer import IMPORT_LOCK, _chunks, save_changes

REQUIRED = ("document symbol", "paragraph", "text")


@dataclass(slots=True)
class SpanishText:
    line: int
    state: str  # ISO3 of the state under review, for the report's per-state counts
    text: str
    current: str
    curated: bool
    theme: int | None = None  # the record's one UHRI theme, if it has exactly one
    theme_es: str = ""


def parse(rows, header: list[str], opts) -> dict:
    """{recommendation id: SpanishText} for the rows that match a stored recommendation."""
    problems = opts.problems
    index = column_index(header, REQUIRED, "UN report table")

    def cell(cells, key):
        position = index.get(key)
        return cells[position].strip() if position is not None and position < len(cells) else ""

    def col(key):
        position = index[key]
        return f"{header[position]} (column {position + 1})"

    stored: dict[str, dict] = {}  # document symbol -> {paragraph: row}, read once per symbol
    uhri = set(Theme.objects.filter(vocabulary=Vocabulary.UHRI).values_list("pk", flat=True))
    found: dict[int, SpanishText] = {}
    for line, cells in table_rows(rows, header, opts):
        symbol, paragraph, text = (cell(cells, k) for k in REQUIRED)
        if not symbol:
            problems.error(line, col("document symbol"), _("The document symbol is missing."))
        if not paragraph:
            problems.error(line, col("paragraph"), _("The paragraph number is missing."))
        if not text:
            problems.error(line, col("text"), _("The Spanish text is missing."))
        if not (symbol and paragraph and text):
            continue
        if symbol not in stored:
            stored[symbol] = _recommendations_of(symbol)
        match = stored[symbol].get(paragraph)
        if match is None:
            problems.error(
                line,
                col("paragraph"),
                _(
                    "No recommendation in the database has paragraph %(paragraph)s of "
                    "%(symbol)s: import the English table first (the Spanish table only adds "
                    "text)."
                )
                % {"paragraph": paragraph, "symbol": symbol},
            )
            continue
        if not opts.take(match["state"]):
            continue
        if match["id"] in found:
            problems.error(
                line,
                col("paragraph"),
                _("Same paragraph as line %(line)s.") % {"line": found[match["id"]].line},
            )
            continue
        found[match["id"]] = SpanishText(
            line=line,
            state=match["state"],
            text=text,
            current=match["text_es"],
            curated="text_es" in match["curated_fields"],
        )
        themes = [pk for pk in match["theme_ids"] if pk in uhri]
        theme_es = cell(cells, "primary theme")[:200]
        if len(themes) == 1 and theme_es:
            found[match["id"]].theme, found[match["id"]].theme_es = themes[0], theme_es
    return found


def _recommendations_of(symbol: str) -> dict:
    rows = (
        Recommendation.objects.filter(review__report_symbol=symbol)
        .exclude(paragraph="")
        .values("id", "paragraph", "text_es", "curated_fields", "theme_ids")
        .annotate(state=F("review__state_under_review__iso3"))
    )
    return {row["paragraph"]: row for row in rows}


def write(found: dict, report, problems, *, user, dry_run):
    """Sets text_es where it differs; counts updated and unchanged, overall and per state.
    Runs inside the pipeline's transaction."""
    if not dry_run:
        # Waits for an English import of the same records to finish (writer.upsert).
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [IMPORT_LOCK])
    changes = {}
    for pk, row in found.items():
        state = report.state(row.state)
        if row.curated and row.text != row.current:
            problems.warning(
                row.line, "text", _("A curator corrected this Spanish text by hand; it is kept.")
            )
            outcome = "unchanged"
        elif row.text == row.current:
            outcome = "unchanged"
        else:
            changes[pk] = {"text_es": row.text}
            outcome = "updated"
        report.counts[outcome] += 1
        state[outcome] += 1
    when = timezone.now()
    for batch in _chunks(list(changes.items())):
        save_changes(dict(batch), user=user, when=when)
    _name_themes(found, problems)


def _name_themes(found: dict, problems):
    names: dict[int, dict[str, int]] = {}  # theme id -> {Spanish name: first line}
    for row in found.values():
        if row.theme is not None:
            names.setdefault(row.theme, {}).setdefault(row.theme_es, row.line)
    for theme, spellings in names.items():
        if len(spellings) > 1:
            lines = ", ".join(str(line) for line in sorted(spellings.values()))
            problems.warning(
                min(spellings.values()),
                "primary_theme",
                _("Lines %(lines)s give one theme different Spanish names; it keeps its own.")
                % {"lines": lines},
            )
            continue
        Theme.objects.filter(pk=theme, name_es="").update(name_es=next(iter(spellings)))
