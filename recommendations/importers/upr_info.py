"""UPR Info database exports: 11 columns read by position, one row per recommending state.

Both headers are accepted: `SuR, Rgrp, Org, Recommendation, RS, Rgrp, Org, Response,
Action, Issue, Session` and the re-save `To, To-Rgrp, To-Org, Text, From, From-Rgrp,
From-Org, Response, Action, Issue, Session`.
"""

from ..models import Vocabulary
from .common import (
    RESPONSES,
    Draft,
    Options,
    combine_responses,
    cycle_of,
    make_upr_info_key,
    session_number,
)

STATE, TEXT, RECOMMENDER, RESPONSE, ACTION, ISSUE, SESSION = 0, 3, 4, 7, 8, 9, 10
WIDTH = 11

# A recommendation UPR Info could not attribute to a state (after entity decoding).
UNKNOWN_RECOMMENDER = {"(unknown)", "unknown", ""}


def parse(rows, header: list[str], opts: Options) -> dict[str, Draft]:
    """Drafts keyed by UPR Info key; rows of one review with the same text merge."""

    def col(index: int) -> str:
        name = header[index] if index < len(header) else ""
        return f"{name} (column {index + 1})"

    ref, problems = opts.ref, opts.problems
    drafts: dict[str, Draft] = {}
    last = (None, "")
    for count, (line, cells) in enumerate(rows, start=1):
        if opts.tick and count % 500 == 0:
            opts.tick(count)
        if len(cells) < WIDTH:
            problems.error(line, "", f"Expected {WIDTH} columns, found {len(cells)}.")
            continue
        errors_before = problems.error_count

        state = ref.country(cells[STATE])
        if state is None:
            problems.unknown_state(line, col(STATE), cells[STATE], ref)
        elif not opts.take(state[0]):
            continue

        text = cells[TEXT]
        if not text:
            problems.error(line, col(TEXT), "The recommendation text is missing.")

        session = session_number(cells[SESSION])
        if session is None:
            problems.error(line, col(SESSION), f"Session {cells[SESSION]!r} is not a number.")

        recommender = None
        if cells[RECOMMENDER].casefold() not in UNKNOWN_RECOMMENDER:
            recommender = ref.country(cells[RECOMMENDER])
            if recommender is None:
                problems.unknown_state(line, col(RECOMMENDER), cells[RECOMMENDER], ref)

        response = RESPONSES.get(cells[RESPONSE].casefold())
        if response is None:
            problems.error(line, col(RESPONSE), f"Unknown response {cells[RESPONSE]!r}.")

        action = None
        if cells[ACTION]:
            if cells[ACTION] in {"1", "2", "3", "4", "5"}:
                action = int(cells[ACTION])
            else:
                problems.error(line, col(ACTION), f"Action {cells[ACTION]!r} is not 1 to 5.")

        themes = set()
        for issue in filter(None, (i.strip() for i in cells[ISSUE].split(","))):
            theme = ref.theme(Vocabulary.UPR_INFO, issue, create=False)
            if theme is None:
                problems.error(line, col(ISSUE), f"Unknown UPR Info issue {issue!r}.")
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
                responses=(response,),
            )
        else:
            draft.themes = _union(draft.themes, themes)
            draft.responses = _union(draft.responses, (response,))
            draft.countries = _union(draft.countries, countries)
            if draft.action_category is None:
                draft.action_category = action

    for draft in drafts.values():
        draft.response = combine_responses(set(draft.responses))
        draft.responses = None
    return drafts


def _union(have: tuple, more) -> tuple:
    extra = [item for item in more if item not in have]
    return have + tuple(extra) if extra else have
