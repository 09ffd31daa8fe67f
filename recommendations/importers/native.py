"""The project's own export format (recommendations/native.py), as CSV or JSON.

Derived columns (url, citation, the names beside codes, local_status, local_action,
jurisdictions_acting, acting_jurisdictions) are ignored: the database recomputes them.
"""

import datetime
import re
import uuid

from django.utils.translation import gettext as _

from ..csv_cells import restore
from ..models import Response, Review, Vocabulary
from ..native import LIST_SEPARATOR
from .common import Draft, Options, cycle_of

REQUIRED = ("state_under_review", "cycle", "text")
# What Recommendation.public_id holds: "USA-3-26.49", "USA-1-n12".
PUBLIC_ID = re.compile(r"[A-Z]{3}-[0-9]{1,2}-[A-Za-z0-9._]{1,32}")


def split(value: str) -> list[str]:
    return [v.strip() for v in value.split(LIST_SEPARATOR.strip()) if v.strip()]


def theme_pairs(names: str, vocabularies: str | None):
    """(vocabulary, name, cell) per theme: names with their vocabularies from the
    theme_vocabularies column, in the same order, or (files exported before that column)
    "vocabulary:name" cells."""
    names = split(names)
    if vocabularies is None:
        return [(*value.partition(":")[::2], value) for value in names]
    vocabularies = split(vocabularies)
    if len(vocabularies) != len(names):
        return [("", name, f"{name} (no vocabulary in theme_vocabularies)") for name in names]
    return [(v, name, f"{v}:{name}") for v, name in zip(vocabularies, names, strict=True)]


def dict_rows(rows, header: list[str]):
    """CSV rows as dicts, each cell without the quote our exports put before a formula."""
    keys = [h.strip() for h in header]
    for line, cells in rows:
        yield line, dict(zip(keys, map(restore, cells), strict=False))


def parse(rows, opts: Options) -> dict:
    """`rows` yields (line, dict) pairs; drafts are keyed by their strongest natural key."""
    ref, problems = opts.ref, opts.problems
    drafts: dict = {}
    reviews: dict = {}
    for count, (line, row) in enumerate(rows, start=1):
        if opts.tick and count % 500 == 0:
            opts.tick(count)
        if count == 1:
            missing = [name for name in REQUIRED if name not in row]
            if missing:
                problems.error(line, ", ".join(missing), _("Required native column missing."))
                return {}
        errors_before = problems.error_count
        get = row.get

        state = ref.country(get("state_under_review", ""))
        if state is None:
            problems.unknown_state(line, "state_under_review", get("state_under_review", ""), ref)
        elif not opts.take(state[0]):
            continue

        session = None
        if get("wg_session"):
            if get("wg_session", "").isdigit() and int(get("wg_session")) >= 1:
                session = int(get("wg_session"))
            else:
                problems.error(line, "wg_session", f"{get('wg_session')!r} is not a number.")
        cycle = get("cycle", "")
        if not cycle.isdigit() or not 1 <= int(cycle) <= 20:
            problems.error(
                line, "cycle", _("Cycle %(cycle)r is not a number from 1 to 20.") % {"cycle": cycle}
            )
            cycle = None
        else:
            cycle = int(cycle)
            if session and cycle_of(session) != cycle:
                problems.error(
                    line,
                    "wg_session",
                    _("Session %(session)s is not in cycle %(cycle)s.")
                    % {"session": session, "cycle": cycle},
                )

        review = _review_fields(line, get, problems)
        if state is not None and cycle is not None and review:
            # One review, one set of fields: rows that disagree cannot both be right.
            first = reviews.setdefault((state[0], cycle), (line, review))
            if first[1] != review:
                problems.error(
                    line,
                    "review_date",
                    _("The review's fields differ from line %(first)s.") % {"first": first[0]},
                )

        text = get("text", "").strip()
        if not text:
            problems.error(line, "text", _("The recommendation text is missing."))
        response = get("response", "") or Response.PENDING
        if response not in Response.values:
            problems.error(
                line, "response", _("Unknown response %(response)r.") % {"response": response}
            )
        action = get("action_category", "")
        if action and action not in {"1", "2", "3", "4", "5"}:
            problems.error(
                line, "action_category", _("Action %(action)r is not 1 to 5.") % {"action": action}
            )
        uhri_id = get("uhri_id", "") or None
        if uhri_id:
            try:
                uhri_id = str(uuid.UUID(uhri_id))
            except ValueError:
                problems.error(line, "uhri_id", f"{uhri_id!r} is not an annotation id.")

        public_id = get("public_id", "").strip()
        if public_id and not PUBLIC_ID.fullmatch(public_id):
            problems.error(line, "public_id", f"{public_id[:60]!r} is not a public identifier.")

        countries = set()
        for code in split(get("recommending_states", "")):
            found = ref.country(code)
            if found is None:
                problems.unknown_state(line, "recommending_states", code, ref)
            else:
                countries.add(found[1])
        positions = []
        for value in split(get("positions", "")):
            code, __, answer = value.partition(":")
            found = ref.country(code.strip())
            if found is None or answer.strip() not in Response.values:
                problems.error(line, "positions", f"{value!r} is not ISO3:response.")
            else:
                positions.append((found[1], answer.strip()))
        themes = set()
        for vocabulary, name, value in theme_pairs(get("themes", ""), get("theme_vocabularies")):
            if vocabulary not in Vocabulary.values or not name:
                problems.error(line, "themes", f"{value!r} is not a theme of a known vocabulary.")
                continue
            # UPR Info's 54 issues are a closed list; the other vocabularies grow.
            theme = ref.theme(vocabulary, name, create=vocabulary != Vocabulary.UPR_INFO)
            if theme is None:
                problems.error(line, "themes", _("Unknown theme %(value)r.") % {"value": value})
            else:
                themes.add(theme)
        groups = {ref.group(name, create=True) for name in split(get("affected_groups", ""))}
        sdgs = set()
        for code in split(get("sdg_targets", "")):
            if code not in ref.sdgs:
                problems.error(
                    line, "sdg_targets", _("Unknown SDG target %(code)r.") % {"code": code}
                )
            else:
                sdgs.add(ref.sdgs[code])

        if problems.error_count > errors_before:
            continue
        draft = Draft(
            line=line,
            state=state[0],
            cycle=cycle,
            wg_session=session,
            text=text,
            text_es=get("text_es", "").strip(),
            response=response,
            paragraph=get("paragraph", "").strip()[:16],
            action_category=int(action) if action else None,
            response_note=get("response_note", ""),
            uhri_id=uhri_id,
            upr_info_key=get("upr_info_key", "").strip(),
            public_id=public_id,
            body=get("body", "").strip(),
            report_symbol=get("report_symbol", "").strip(),
            countries=tuple(countries),
            themes=tuple(themes),
            groups=tuple(groups),
            sdgs=tuple(sdgs),
            positions=tuple(positions) or None,
            review=review,
        )
        key = (
            ("uhri", uhri_id)
            if uhri_id
            else ("upr_info", draft.upr_info_key)
            if draft.upr_info_key
            else ("paragraph", draft.state, cycle, draft.paragraph)
            if draft.paragraph
            else ("line", line)
        )
        if key in drafts:
            problems.error(
                line, "", _("Same recommendation as line %(line)s.") % {"line": drafts[key].line}
            )
            continue
        drafts[key] = draft
    return drafts


def _review_fields(line, get, problems) -> dict:
    """The review columns of a row (exports before they existed lack them): only those
    with a value, as the Review model holds them."""
    found = {}
    for column in ("review_date", "response_date"):
        value = get(column, "").strip()
        if value:
            try:
                found[column] = datetime.date.fromisoformat(value)
            except ValueError:
                problems.error(line, column, f"{value!r} is not a date (YYYY-MM-DD).")
    if symbol := get("response_symbol", "").strip():
        found["response_symbol"] = symbol[:40]
    if status := get("review_status", "").strip():
        if status in Review.Status.values:
            found["status"] = status
        else:
            problems.error(
                line, "review_status", _("Unknown review status %(status)r.") % {"status": status}
            )
    if notes := get("review_notes", "").strip():
        found["notes"] = notes
    return found
