"""A UN Working Group report's recommendations as a table: one row per paragraph.

Columns (found by name): cycle, session, document_symbol, paragraph, recommending_states
(names separated by ";"), position, primary_theme (a UHRI theme), text, and optionally
state_under_review. Without that column the state under review is the one state the
import is limited to, or the state whose review carries the document symbol.
"""

from django.utils.translation import gettext as _

from ..models import Review, Vocabulary
from .common import RESPONSES, Draft, Options, cycle_of, session_number, table_rows
from .readers import column_index

REQUIRED = ("paragraph", "text", "recommending states", "position")


def parse(rows, header: list[str], opts: Options) -> dict:
    ref, problems = opts.ref, opts.problems
    index = column_index(header, REQUIRED, _("UN report table"))

    def cell(cells, key):
        position = index.get(key)
        return cells[position].strip() if position is not None and position < len(cells) else ""

    def col(key):
        position = index.get(key)
        return key if position is None else f"{header[position]} (column {position + 1})"

    by_symbol = _states_by_symbol(ref)
    unknown_symbols = set()
    drafts: dict = {}
    for line, cells in table_rows(rows, header, opts):
        errors_before = problems.error_count
        symbol = cell(cells, "document symbol")[:40]
        named = cell(cells, "state under review")
        if named:
            state = ref.country(named)
            if state is None:
                problems.unknown_state(line, col("state under review"), named, ref)
        elif opts.states and len(opts.states) == 1:
            state = ref.country(next(iter(opts.states)))
        else:
            state = by_symbol.get(symbol)
            if state is None and symbol in unknown_symbols:
                problems.again(line)
            elif state is None:
                unknown_symbols.add(symbol)
                problems.error(
                    line,
                    col("document symbol"),
                    _(
                        "No known review has the symbol %(symbol)r: choose the state under review "
                        "(every row with this symbol has the same problem)."
                    )
                    % {"symbol": symbol},
                )
        if state is not None and not opts.take(state[0]):
            continue

        session = session_number(cell(cells, "session"))
        cycle_cell = cell(cells, "cycle")
        cycle = int(cycle_cell) if cycle_cell.isdigit() and 1 <= int(cycle_cell) <= 20 else None
        if session:
            if cycle is not None and cycle != cycle_of(session):
                problems.error(
                    line,
                    col("session"),
                    _("Session %(session)s is not in cycle %(cycle)s.")
                    % {"session": session, "cycle": cycle},
                )
            cycle = cycle_of(session)
        if cycle is None:
            problems.error(
                line,
                col("cycle"),
                _("Cycle %(cycle_cell)r is not a number.") % {"cycle_cell": cycle_cell},
            )

        paragraph = cell(cells, "paragraph")[:16]
        text = cell(cells, "text")
        if not text:
            problems.error(line, col("text"), _("The recommendation text is missing."))
        position = cell(cells, "position")
        response = RESPONSES.get(position.casefold())
        if response is None:
            problems.error(
                line, col("position"), _("Unknown position %(position)r.") % {"position": position}
            )

        countries = set()
        for name in filter(
            None, (n.strip() for n in cell(cells, "recommending states").split(";"))
        ):
            found = ref.country(name)
            if found is None:
                problems.unknown_state(line, col("recommending states"), name, ref)
            else:
                countries.add(found[1])
        theme = cell(cells, "primary theme")
        themes = {ref.theme(Vocabulary.UHRI, theme, create=True)} if theme else set()

        if problems.error_count > errors_before:
            continue
        key = (state[0], cycle, paragraph or f"line {line}")
        if key in drafts:
            problems.error(
                line,
                col("paragraph"),
                _("Same paragraph as line %(line)s.") % {"line": drafts[key].line},
            )
            continue
        drafts[key] = Draft(
            line=line,
            state=state[0],
            cycle=cycle,
            wg_session=session,
            text=text,
            response=response,
            paragraph=paragraph,
            report_symbol=symbol,
            countries=tuple(countries),
            themes=tuple(themes),
        )
    return drafts


def _states_by_symbol(ref) -> dict:
    iso3_of = {pk: iso3 for iso3, pk in ref.country_ids.items()}
    return {
        symbol: (iso3_of[state_id], state_id)
        for symbol, state_id in Review.objects.exclude(report_symbol="").values_list(
            "report_symbol", "state_under_review_id"
        )
    }
