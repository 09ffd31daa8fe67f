"""Finding the stored recommendation each draft of a file describes.

Natural keys first (the UHRI annotation id, the UPR Info key, the paragraph inside its
review); a draft no key finds is looked for by its normalised text inside its review,
among the records that lack this source's key: exactly, then fuzzily.

One wording, several paragraphs. The UN report sometimes repeats a wording in separate
paragraphs made by different states (the US 2020 review: OP-CAT from Liechtenstein in
26.35 and from Denmark in 26.55). A UPR Info export cannot tell them apart and merges its
rows by text into one draft; the UN's files (UHRI, the report table) keep them apart.
Whichever file comes first, the result is one record per paragraph, by this rule:

- A merged UPR Info draft that finds several records with its text is split among them by
  recommending state: each record takes the rows (answers, issues, action category) of
  its own recommending states. The UPR Info key stays on the record that holds it, or
  goes to the lowest paragraph.
- Several drafts of a UN file that find one merged UPR Info record are the reverse: the
  lowest paragraph takes the record, the others are created and take the UPR Info data
  of their own recommending states from it (`inherit`).

A split needs each record's recommending states to be among the draft's, each state in
one record only; a state no paragraph names is dropped, as the UN's files say who
recommended. Where the recommending states do not settle an ambiguous match, the import
stops with an error naming the candidates: it never creates a record by guess.
"""

import dataclasses

from django.utils.translation import gettext as _
from rapidfuzz import fuzz, process

from . import readers
from .common import Draft, combine_responses, normalise_text

# rapidfuzz ratio (0-100) above which two texts of one review are the same recommendation;
# rewordings between UPR Info and the UN report rarely fall below it, and two different
# recommendations of one review rarely rise above it.
FUZZY_THRESHOLD = 90
# Two candidates this close to each other are ambiguous: the recommending states decide.
FUZZY_MARGIN = 2


def paragraph_order(paragraph: str) -> tuple:
    """ "26.35" before "26.185"; records without a paragraph last."""
    if not paragraph:
        return (1,)
    return (0, *(int(part) if part.isdigit() else 0 for part in paragraph.split(".")))


@dataclasses.dataclass
class Matches:
    drafts: list  # the drafts to write: the file's, with split UPR Info drafts replaced
    records: dict  # id(draft) -> the stored row it updates
    inherit: dict  # id(draft) -> the stored row whose UPR Info data a new record takes


class _Matcher:
    def __init__(self, reviews, existing: dict, current: dict, fmt: str, problems):
        self.reviews, self.existing, self.fmt, self.problems = reviews, existing, fmt, problems
        self.countries = current["countries"]
        self.by_review: dict = {}
        for rec in existing.values():
            self.by_review.setdefault(rec["review_id"], []).append(rec)
        self.texts: dict = {}
        self.claimed: set = set()
        self.records: dict = {}
        self.inherit: dict = {}
        self.split: dict = {}  # id(draft) -> its parts

    def text(self, rec) -> str:
        if rec["id"] not in self.texts:
            self.texts[rec["id"]] = normalise_text(rec["text"])
        return self.texts[rec["id"]]

    def states(self, rec) -> set:
        return set(self.countries.get(rec["id"], ()))

    def claim(self, draft, rec):
        self.records[id(draft)] = rec
        self.claimed.add(rec["id"])

    def candidate(self, rec, draft) -> bool:
        """Text matching looks among records lacking the key this draft would give them."""
        if rec["id"] in self.claimed:
            return False
        if draft.uhri_id:
            return not rec["uhri_id"] and not rec["paragraph"]
        if draft.upr_info_key:
            return not rec["upr_info_key"]
        if draft.paragraph:
            return not rec["paragraph"]
        return not (rec["uhri_id"] or rec["upr_info_key"] or rec["paragraph"])

    def split_by_state(self, draft: Draft, recs: list) -> list | None:
        """The parts of a merged UPR Info draft, one per record (see the module notes), or
        None when the recommending states do not divide the draft among the records."""
        wanted = set(draft.countries)
        if draft.positions is None or not wanted:
            return None
        covered: set = set()
        for rec in recs:
            theirs = self.states(rec)
            if not theirs or not theirs <= wanted or theirs & covered:
                return None
            covered |= theirs
        # States of UPR Info rows that no paragraph names are dropped: the UN's files say
        # who recommended (merge.relation_changes), in either order of import.
        holder = next((r for r in recs if r["upr_info_key"] == draft.upr_info_key), None)
        holder = holder or min(recs, key=lambda r: (paragraph_order(r["paragraph"]), r["id"]))
        parts = []
        for rec in recs:
            theirs = self.states(rec)
            keeps = rec is holder
            positions = tuple(
                p for p in draft.positions if p[0] in theirs or (keeps and p[0] is None)
            )
            parts.append(
                (
                    dataclasses.replace(
                        draft,
                        countries=tuple(c for c in draft.countries if c in theirs),
                        positions=positions,
                        response=combine_responses(r for __, r in positions),
                        upr_info_key=draft.upr_info_key if keeps else "",
                    ),
                    rec,
                )
            )
        return parts

    def settle(self, draft, recs: list) -> bool:
        """An ambiguous match settled by recommending states: the one record that shares
        them, or a split. False when neither works."""
        wanted = set(draft.countries)
        sharing = [r for r in recs if self.states(r) & wanted]
        if len(sharing) == 1:
            self.claim(draft, sharing[0])
            return True
        parts = self.split_by_state(draft, sharing) if len(sharing) > 1 else None
        if parts is None:
            return False
        self.split[id(draft)] = [part for part, __ in parts]
        for part, rec in parts:
            self.claim(part, rec)
        return True

    def ambiguous(self, draft, recs: list):
        names = ", ".join(
            f"#{r['id']}" + (f" (para. {r['paragraph']})" if r["paragraph"] else "")
            for r in sorted(recs, key=lambda r: (paragraph_order(r["paragraph"]), r["id"]))
        )
        self.problems.error(
            draft.line,
            "text",
            _(
                "The text matches %(names)s equally and the recommending states do not say which "
                "one this row is; nothing was imported. Give the rows their UPR Info key or "
                "annotation id, or import the file whose paragraphs tell them apart first."
            )
            % {"names": names},
        )


def match(drafts: list, reviews, existing: dict, current: dict, fmt, problems) -> Matches:
    m = _Matcher(reviews, existing, current, fmt, problems)
    by_uhri = {r["uhri_id"]: r for r in existing.values() if r["uhri_id"]}
    by_key = {r["upr_info_key"]: r for r in existing.values() if r["upr_info_key"]}
    by_paragraph = {
        (r["review_id"], r["paragraph"]): r for r in existing.values() if r["paragraph"]
    }
    rest = []
    for draft in drafts:
        review_id = reviews[(draft.state, draft.cycle)].pk
        rec = (
            (draft.uhri_id and by_uhri.get(draft.uhri_id))
            or (draft.upr_info_key and by_key.get(draft.upr_info_key))
            or (draft.paragraph and by_paragraph.get((review_id, draft.paragraph)))
        )
        if rec and rec["id"] not in m.claimed:
            if draft.upr_info_key and len(draft.countries) > 1:
                # A key found the record this draft was split onto last time: split again.
                text = normalise_text(draft.text)
                siblings = [
                    r
                    for r in m.by_review.get(review_id, ())
                    if r is not rec
                    and r["id"] not in m.claimed
                    and not r["upr_info_key"]
                    and m.text(r) in (text, m.text(rec))
                ]
                if siblings and m.settle(draft, [rec, *siblings]):
                    continue
            m.claim(draft, rec)
        elif review_id:
            rest.append((draft, review_id))
    if rest:
        _match_text(m, rest)
    written = [part for draft in drafts for part in m.split.get(id(draft), (draft,))]
    return Matches(written, m.records, m.inherit)


def _match_text(m: _Matcher, rest: list):
    # Drafts of this file sharing one wording in one review, lowest paragraph first.
    same_text: dict = {}
    for draft, review_id in rest:
        if not draft.upr_info_key:
            same_text.setdefault((review_id, normalise_text(draft.text)), []).append(draft)
    for group in same_text.values():
        group.sort(key=lambda d: (paragraph_order(d.paragraph), d.line))
    handled: set = set()

    for draft, review_id in rest:
        if id(draft) in handled:
            continue
        pool = [r for r in m.by_review.get(review_id, ()) if m.candidate(r, draft)]
        if not pool:
            continue
        text = normalise_text(draft.text)
        exact = [r for r in pool if m.text(r) == text]
        if len(exact) == 1:
            group = same_text.get((review_id, text), [draft])
            if len(group) > 1:
                _divide_record(m, group, exact[0])
                handled |= {id(d) for d in group}
            else:
                m.claim(draft, exact[0])
            continue
        if len(exact) > 1:
            if not m.settle(draft, exact):
                m.ambiguous(draft, exact)
            continue
        if m.fmt == readers.NATIVE and not (draft.uhri_id or draft.upr_info_key):
            continue  # a keyless native row matches its own text exactly or not at all
        choices = {r["id"]: m.text(r) for r in pool}
        found = process.extract(
            text, choices, scorer=fuzz.ratio, limit=None, score_cutoff=FUZZY_THRESHOLD
        )
        if not found:
            continue
        best = found[0][1]
        close = [m.existing[key] for __, score, key in found if best - score < FUZZY_MARGIN]
        if len(close) > 1:
            if not m.settle(draft, close):
                m.ambiguous(draft, close)
            continue
        __, score, rec_id = found[0]
        m.claim(draft, m.existing[rec_id])
        m.problems.warning(
            draft.line,
            "text",
            _("Matched recommendation #%(rec_id)s by its text (score %(score).0f).")
            % {"rec_id": rec_id, "score": score},
        )


def _divide_record(m: _Matcher, group: list, rec: dict):
    """Several drafts of this file (its paragraphs) found one record merged by text: the
    drafts that share its recommending states divide it, the lowest paragraph taking the
    record and the others becoming records that inherit from it; a draft sharing none of
    its states is a recommendation of its own. A record with no states (UPR Info could
    not attribute its rows) goes to the lowest paragraph, and the others inherit."""
    have = m.states(rec)
    sharing = [d for d in group if set(d.countries) & have] if have else group
    covered: set = set()
    for draft in sharing:
        theirs = set(draft.countries)
        if have and (not theirs <= have or theirs & covered):
            sharing = []
            break
        covered |= theirs
    if not sharing:
        lines = ", ".join(str(d.line) for d in group)
        m.problems.error(
            group[0].line,
            "text",
            _(
                "Lines %(lines)s share one text, and so does the stored recommendation #%(rec)s, "
                "whose recommending states do not divide among them; nothing was imported."
            )
            % {"lines": lines, "rec": rec["id"]},
        )
        return
    m.claim(sharing[0], rec)
    for draft in sharing[1:]:
        m.inherit[id(draft)] = rec
