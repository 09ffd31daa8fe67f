"""UPR Info database exports: one row per recommending state, 11 named columns.

Two headers exist, column by column: `SuR, Rgrp, Org, Recommendation, RS, Rgrp, Org,
Response, Action, Issue, Session` and the re-save `To, To-Rgrp, To-Org, Text, From,
From-Rgrp, From-Org, Response, Action, Issue, Session`. The original repeats "Rgrp" and
"Org" for both states, so only their place says whose they are: a header is accepted
when each of its first 11 names is one of the two spellings of that place, and refused
otherwise (a file with To and From swapped would silently swap the two states).
"""

from django.utils.translation import gettext as _

from ..models import Vocabulary
from .common import (
    RESPONSES,
    Draft,
    Options,
    combine_responses,
    cycle_of,
    make_upr_info_key,
    session_number,
    too_many_cells,
)
from .readers import ReadError, header_key

# Each column's two names, as the original export and the re-save spell them.
COLUMNS = (
    ("SuR", "To"),
    ("Rgrp", "To-Rgrp"),
    ("Org", "To-Org"),
    ("Recommendation", "Text"),
    ("RS", "From"),
    ("Rgrp", "From-Rgrp"),
    ("Org", "From-Org"),
    ("Response",),
    ("Action",),
    ("Issue",),
    ("Session",),
)
WIDTH = len(COLUMNS)
# The columns read, by their original name.
READ = ("SuR", "Recommendation", "RS", "Response", "Action", "Issue", "Session")

# A recommendation UPR Info could not attribute to a state (after entity decoding).
UNKNOWN_RECOMMENDER = {"(unknown)", "unknown", ""}


def check_header(header: list[str]) -> dict[str, int]:
    """Where each read column is, from the header's names; ReadError when the header is
    not UPR Info's."""
    if len(header) < WIDTH:
        raise ReadError(
            _("Not a UPR Info export: it has %(WIDTH)s columns, this header has %(header_count)s.")
            % {"WIDTH": WIDTH, "header_count": len(header)}
        )
    for position, names in enumerate(COLUMNS):
        if header_key(header[position]) not in {header_key(name) for name in names}:
            expected = " or ".join(repr(name) for name in names)
            raise ReadError(
                _(
                    "Not a UPR Info header: column %(count)s is %(header)r where a UPR Info "
                    "export has %(expected)s. Columns out of their order would mix up the state "
                    "under review and the recommending state."
                )
                % {"count": position + 1, "header": header[position], "expected": expected}
            )
    return {names[0]: position for position, names in enumerate(COLUMNS) if names[0] in READ}


def parse(rows, header: list[str], opts: Options) -> dict[str, Draft]:
    """Drafts keyed by UPR Info key; rows of one review with the same text merge."""

    def col(index: int) -> str:
        name = header[index] if index < len(header) else ""
        return f"{name} (column {index + 1})"

    where = check_header(header)
    state_at, text_at, recommender_at, response_at, action_at, issue_at, session_at = (
        where[name] for name in READ
    )
    ref, problems = opts.ref, opts.problems
    drafts: dict[str, Draft] = {}
    last = (None, "")
    for count, (line, cells) in enumerate(rows, start=1):
        if opts.tick and count % 500 == 0:
            opts.tick(count)
        if len(cells) < WIDTH:
            problems.error(
                line,
                "",
                _("Expected %(WIDTH)s columns, found %(cells_count)s.")
                % {"WIDTH": WIDTH, "cells_count": len(cells)},
            )
            continue
        if too_many_cells(line, cells, header, problems):
            continue
        errors_before = problems.error_count

        state = ref.country(cells[state_at])
        if state is None:
            problems.unknown_state(line, col(state_at), cells[state_at], ref)
        elif not opts.take(state[0]):
            continue

        text = cells[text_at]
        if not text:
            problems.error(line, col(text_at), _("The recommendation text is missing."))

        session = session_number(cells[session_at])
        if session is None:
            problems.error(
                line,
                col(session_at),
                _("Session %(cells)r is not a number.") % {"cells": cells[session_at]},
            )

        recommender = None
        if cells[recommender_at].casefold() not in UNKNOWN_RECOMMENDER:
            recommender = ref.country(cells[recommender_at])
            if recommender is None:
                problems.unknown_state(line, col(recommender_at), cells[recommender_at], ref)

        response = RESPONSES.get(cells[response_at].casefold())
        if response is None:
            problems.error(
                line,
                col(response_at),
                _("Unknown response %(cells)r.") % {"cells": cells[response_at]},
            )

        action = None
        if cells[action_at]:
            if cells[action_at] in {"1", "2", "3", "4", "5"}:
                action = int(cells[action_at])
            else:
                problems.error(
                    line,
                    col(action_at),
                    _("Action %(cells)r is not 1 to 5.") % {"cells": cells[action_at]},
                )

        themes = set()
        for issue in filter(None, (i.strip() for i in cells[issue_at].split(","))):
            theme = ref.theme(Vocabulary.UPR_INFO, issue, create=False)
            if theme is None:
                problems.error(
                    line, col(issue_at), _("Unknown UPR Info issue %(issue)r.") % {"issue": issue}
                )
            else:
                themes.add(theme)

        if problems.error_count > errors_before:
            continue
        # Rows of one recommendation usually follow each other: skip re-hashing the text.
        if last[0] != (state[0], session, text):
            last = ((state[0], session, text), make_upr_info_key(state[0], session, text))
        key = last[1]
        draft = drafts.get(key)
        countries = (recommender[1],) if recommender is not None else ()
        # The answer to this row's recommending state (None: a row UPR Info could not
        # attribute still counts towards the recommendation's response).
        position = (recommender[1] if recommender is not None else None, response)
        # Tuples, not sets: a 200,000-row file holds one draft per recommendation in
        # memory, and a one-item tuple is a fifth of a set's size.
        if draft is None:
            draft = drafts[key] = Draft(
                line=line,
                state=state[0],
                cycle=cycle_of(session),
                wg_session=session,
                text=text,
                action_category=action,
                upr_info_key=key,
                countries=countries,
                themes=tuple(themes),
                positions=(position,),
            )
        else:
            draft.themes = _union(draft.themes, themes)
            draft.countries = _union(draft.countries, countries)
            if draft.action_category is None:
                draft.action_category = action
            earlier = next((p for p in draft.positions if p[0] == position[0]), None)
            if earlier is None or position[0] is None:
                draft.positions = _union(draft.positions, (position,))
            elif earlier != position:
                problems.warning(
                    line,
                    col(response_at),
                    f"{cells[recommender_at]} made this recommendation twice and got two "
                    f"answers; kept the first ({earlier[1]}).",
                )

    for draft in drafts.values():
        draft.response = combine_responses(response for __, response in draft.positions)
    return drafts


def _union(have: tuple, more) -> tuple:
    extra = [item for item in more if item not in have]
    return have + tuple(extra) if extra else have
