"""UHRI (Universal Human Rights Index) exports: columns found by header name.

Every cell value starts with "- " and a cell with several values puts each on its own
line. Rows whose recommending body is not the UPR are kept with their body (their cycle
follows from the publication date) or skipped, as the curator chooses.
"""

import datetime
import re
import uuid

from django.utils.translation import gettext as _

from ..models import Response, Vocabulary
from .common import RESPONSES, Draft, Options, cycle_of, session_number, table_rows
from .readers import column_index

REQUIRED = ("text", "countries concerned", "ohchr annotation id")
PARAGRAPH = re.compile(r"^(\d{1,4}(?:\.\d{1,4}){1,3})\.?\s+")
SDG = re.compile(r"^(\d{1,2}\.(?:\d{1,2}|[a-z]))\b\s*(?:-\s*)?(.*)$")
EXCEL_EPOCH = datetime.date(1899, 12, 30)

# Approximate first publication date of each cycle's documents, for non-UPR rows.
CYCLE_STARTS = [
    (datetime.date(2012, 5, 1), 1),
    (datetime.date(2017, 5, 1), 2),
    (datetime.date(2022, 11, 1), 3),
]


def values(cell: str) -> list[str]:
    """'- a\\n- b' -> ['a', 'b']."""
    out = []
    for part in cell.split("\n"):
        part = part.strip()
        if part.startswith("-"):
            part = part[1:].strip()
        if part:
            out.append(part)
    return out


def first(cell: str) -> str:
    found = values(cell)
    return found[0] if found else ""


def excel_date(value: str) -> datetime.date | None:
    value = first(value)
    if not value:
        return None
    try:
        return EXCEL_EPOCH + datetime.timedelta(days=int(float(value)))
    except ValueError:
        pass
    try:
        return datetime.date.fromisoformat(value[:10])
    except ValueError:
        return None


def cycle_for_date(day: datetime.date) -> int:
    cycle = 4
    for start, number in CYCLE_STARTS:
        if day < start:
            cycle = number
            break
    return cycle


def is_upr(body: str) -> bool:
    body = body.casefold()
    return body in ("upr", "") or "universal periodic review" in body


def parse(rows, header: list[str], opts: Options) -> dict[str, Draft]:
    ref, problems = opts.ref, opts.problems
    index = column_index(header, REQUIRED, "UHRI")

    def cell(cells, key):
        position = index.get(key)
        return cells[position] if position is not None and position < len(cells) else ""

    def col(key):
        position = index.get(key)
        if position is None:
            return key.title()
        return f"{header[position]} (column {position + 1})"

    drafts: dict[str, Draft] = {}
    for line, cells in table_rows(rows, header, opts):
        errors_before = problems.error_count

        body = first(cell(cells, "recommending body"))
        upr = is_upr(body)
        if not upr and not opts.keep_non_upr:
            opts.skipped += 1
            continue

        concerned = values(cell(cells, "countries concerned"))
        state = ref.country(concerned[0]) if concerned else None
        if not concerned:
            problems.error(line, col("countries concerned"), _("No country concerned."))
        elif state is None:
            problems.unknown_state(line, col("countries concerned"), concerned[0], ref)
        elif not opts.take(state[0]):
            continue
        elif len(concerned) > 1:
            problems.warning(
                line,
                col("countries concerned"),
                _("Several countries; kept %(concerned)r.") % {"concerned": concerned[0]},
            )

        raw_text = first(cell(cells, "text")) if cell(cells, "text").startswith("-") else ""
        raw_text = raw_text or cell(cells, "text").strip()
        paragraph = ""
        match = PARAGRAPH.match(raw_text)
        if match:
            paragraph = match.group(1)
            raw_text = raw_text[match.end() :].strip()
        if not raw_text:
            problems.error(line, col("text"), _("The recommendation text is missing."))

        annotation = first(cell(cells, "ohchr annotation id"))
        try:
            uhri_id = str(uuid.UUID(annotation))
        except ValueError:
            uhri_id = None
            problems.error(
                line, col("ohchr annotation id"), f"{annotation!r} is not an annotation id."
            )
        if uhri_id in drafts:
            problems.error(
                line,
                col("ohchr annotation id"),
                _("Annotation id repeated (first on line %(line)s).")
                % {"line": drafts[uhri_id].line},
            )

        session = None
        raw_session = first(cell(cells, "upr session"))
        if raw_session:
            session = session_number(raw_session)
            if session is None:
                problems.error(
                    line,
                    col("upr session"),
                    _("Session %(raw_session)r is not a number.") % {"raw_session": raw_session},
                )
        cycle = cycle_of(session) if session else None
        if cycle is None and not problems.error_count > errors_before:
            published = excel_date(cell(cells, "document publication date"))
            if upr or published is None:
                problems.error(
                    line, col("upr session"), _("No session or publication date for a cycle.")
                )
            else:
                cycle = cycle_for_date(published)

        position = first(cell(cells, "upr position"))
        response = RESPONSES.get(position.casefold())
        if response is None:
            problems.error(
                line,
                col("upr position"),
                _("Unknown position %(position)r.") % {"position": position},
            )

        countries = set()
        for name in values(cell(cells, "upr recommending states")):
            found = ref.country(name)
            if found is None:
                problems.unknown_state(line, col("upr recommending states"), name, ref)
            else:
                countries.add(found[1])

        themes = {
            ref.theme(Vocabulary.UHRI, name, create=True) for name in values(cell(cells, "themes"))
        }
        groups = set()
        for name in values(cell(cells, "affected persons")):
            group = ref.group(name, create=True)
            if isinstance(group, tuple):
                problems.warning(
                    line,
                    col("affected persons"),
                    _("New affected group %(name)r.") % {"name": name},
                )
            groups.add(group)
        sdgs = set()
        for value in values(cell(cells, "sdgs")):
            match = SDG.match(value)
            code = match.group(1) if match else None
            if code not in ref.sdgs:
                problems.error(
                    line, col("sdgs"), _("Unknown SDG target %(value)r.") % {"value": value}
                )
                continue
            sdgs.add(ref.sdgs[code])
            title = match.group(2).strip()
            if title and not ref.sdg_titles.get(code):
                ref.sdg_title_fill.setdefault(code, title[:300])

        if problems.error_count > errors_before:
            continue
        drafts[uhri_id] = Draft(
            line=line,
            state=state[0],
            cycle=cycle,
            wg_session=session,
            text=raw_text,
            response=response or Response.PENDING,
            paragraph=paragraph if upr else "",
            uhri_id=uhri_id,
            body="" if upr else body[:120],
            report_symbol=first(cell(cells, "document symbol"))[:40] if upr else "",
            countries=tuple(countries),
            themes=tuple(themes),
            groups=tuple(groups),
            sdgs=tuple(sdgs),
        )
    return drafts
