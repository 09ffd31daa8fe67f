"""A report as a list of blocks (headings, numbered paragraphs, tables, editable texts)
and its endnotes. The HTML, Word and PDF renderings all walk the same blocks, so they say
the same thing and the word count holds for each."""

from collections import Counter, defaultdict
from dataclasses import dataclass
from dataclasses import field as _field

from django.conf import settings
from django.utils import translation
from django.utils.dateformat import format as format_date
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext_lazy

from recommendations.absolute_urls import base_url
from recommendations.models import LocalStatus, Recommendation, Response, Theme

from ..models import Commitment, CommitmentLink, ProgressUpdate, Publication
from ..progress.report import progress_section
from .models import WORD_LIMITS, ReportKind
from .selection import (
    TEXT_LIMITS,
    State,
    local_jurisdiction,
    matching_ids,
    one_state,
    plain_text,
    selection_from_spec,
)
from .wordcount import count_words

# The UN's document server has every UPR report in English and Spanish (and the other
# official languages): a report links to the version in its own language.
UN_DOCUMENT_URL = "https://docs.un.org/{language}/{symbol}"


def report_language(value) -> str:
    """The language a spec asks for, one of the site's; a spec from before reports had one
    is in English."""
    return value if value in dict(settings.LANGUAGES) else "en"


def introduction_heading() -> str:
    return _("Introduction")


class NothingSelected(Exception):
    """The selection matches no recommendation; there is no document to make."""


@dataclass
class Run:
    text: str
    url: str = ""
    note: int | None = None  # an endnote reference: printed small, never counted
    italic: bool = False


@dataclass
class Block:
    kind: str  # heading, para, table or text (an editable text of the author's)
    level: int = 1
    runs: list[Run] = _field(default_factory=list)
    numbered: bool = False
    # A text block's form field; on a heading, the field whose text it introduces: such a
    # heading prints only when that text was written.
    field: str = ""
    label: str = ""
    paragraphs: list[str] = _field(default_factory=list)
    headers: list[str] = _field(default_factory=list)
    rows: list[list] = _field(default_factory=list)

    @property
    def value(self) -> str:
        """An editable text as its form field holds it."""
        return "\n\n".join(self.paragraphs)

    @property
    def text(self) -> str:
        return "".join(run.text for run in self.runs if run.note is None)


@dataclass
class Document:
    kind: str
    kind_label: str
    limit: str
    word_limit: int | None
    title: str
    organisations: str
    blocks: list[Block]
    endnotes: list[tuple[int, str]]
    citations: list[str]
    editable_words: int = 0
    # All the selection holds; `citations` has only those laid out (fewer in a preview).
    recommendation_count: int = 0
    notes: list[str] = _field(default_factory=list)
    state: State | None = None
    # Every state under review of the selection: the builder offers the choice.
    state_options: list[State] = _field(default_factory=list)
    base_url: str = ""
    language: str = "en"

    @property
    def word_count(self) -> int:
        return (
            count_words(self.title)
            + count_words(self.organisations)
            + sum(count_words(text) for text in self.counted_texts())
        )

    @property
    def fixed_word_count(self) -> int:
        """The words the author cannot edit; the builder's script adds the fields' words."""
        return self.word_count - self.editable_words

    @property
    def introduction_heading_words(self) -> int:
        with translation.override(self.language):
            return count_words(introduction_heading())

    @property
    def over_limit(self) -> int:
        return max(0, self.word_count - self.word_limit) if self.word_limit else 0

    @property
    def printed_blocks(self) -> list[Block]:
        """The blocks a file prints: a heading over an unwritten text of the author's
        (the introduction left empty) is left out."""
        written = {b.field for b in self.blocks if b.kind == "text" and b.paragraphs}
        return [
            b
            for b in self.blocks
            if not (b.kind == "heading" and b.field and b.field not in written)
        ]

    def counted_texts(self):
        for block in self.printed_blocks:
            if block.kind in ("heading", "para"):
                yield block.text
            elif block.kind == "text":
                yield from block.paragraphs


def paragraphs_of(text: str) -> list[str]:
    """Paragraphs are separated by blank lines; single line breaks stay inside one."""
    return [" ".join(part.split()) for part in text.split("\n\n") if part.strip()]


def clean_texts(spec: dict) -> dict:
    return {
        **spec,
        "language": report_language(spec.get("language")),
        "title": plain_text(spec.get("title", ""), TEXT_LIMITS["title"]),
        "organisations": plain_text(spec.get("organisations", ""), TEXT_LIMITS["organisations"]),
        "introduction": plain_text(spec.get("introduction", ""), TEXT_LIMITS["introduction"]),
        "assessments": {
            str(key): plain_text(value, TEXT_LIMITS["assessment"])
            for key, value in (spec.get("assessments") or {}).items()
            if str(key).isdigit() and isinstance(value, str) and value.strip()
        },
    }


def default_title(selection, state: State, jurisdiction=None) -> str:
    kind = selection.kind
    if kind == ReportKind.LOCAL and jurisdiction:
        return _("%(jurisdiction)s: local implementation of UPR recommendations") % {
            "jurisdiction": jurisdiction
        }
    if kind == ReportKind.BRIEFING:
        themes = selection.params.getlist("theme")
        theme = Theme.objects.filter(slug=themes[0]).first() if len(themes) == 1 else None
        if theme:
            return _("Briefing: %(theme)s: UPR recommendations to %(state)s and local action") % {
                "theme": theme.localized("name").text,
                "state": state.the_name,
            }
        return _("Briefing: UPR recommendations to %(state)s and local action") % {
            "state": state.the_name
        }
    return _("Stakeholder submission on %(state)s: implementation of UPR recommendations") % {
        "state": state.the_name
    }


def nice_date(value) -> str:
    # Translators: a date as a report prints it (Django date format characters).
    return format_date(value, _("j F Y")) if value else ""


def official_url(recommendation) -> str:
    symbol = recommendation.review.report_symbol
    if not symbol:
        return ""
    return UN_DOCUMENT_URL.format(symbol=symbol, language=translation.get_language() or "en")


class _Notes:
    """Numbers each evidence URL once, in order of first mention."""

    def __init__(self):
        self.numbers: dict[str, int] = {}

    def ref(self, url: str) -> Run:
        number = self.numbers.setdefault(url, len(self.numbers) + 1)
        return Run("", note=number)

    def listing(self) -> list[tuple[int, str]]:
        return [(n, url) for url, n in self.numbers.items()]


# Commitments described under one recommendation; the rest are counted and linked. A
# recommendation that hundreds of places answer would otherwise fill the document (and
# its word limit) with one list.
MAX_LINKS = 10


def load(ids: list[int], jurisdiction=None):
    """Every row the document needs, in four queries whatever the size."""
    recs = list(
        Recommendation.objects.filter(id__in=ids)
        .select_related("review__state_under_review")
        .prefetch_related("recommending_countries")
        .defer("search_vector", "search_vector_es")
        .order_by("review_id", "id")
    )
    links = CommitmentLink.objects.filter(
        recommendation_id__in=ids, commitment__publication=Publication.PUBLISHED
    )
    if jurisdiction:
        links = links.filter(commitment__jurisdiction=jurisdiction)
    links = list(
        links.select_related("commitment__jurisdiction")
        .defer("commitment__search_vector", "commitment__search_vector_es")
        .order_by("commitment__jurisdiction__name", "commitment__title", "commitment_id")
    )
    by_rec = defaultdict(list)
    for link in links:
        by_rec[link.recommendation_id].append(link)
    shown = {link.commitment_id for rec_links in by_rec.values() for link in rec_links[:MAX_LINKS]}
    updates = defaultdict(list)
    for update in ProgressUpdate.objects.filter(
        commitment_id__in=shown, publication=Publication.PUBLISHED
    ).order_by("commitment_id", "-reported_on", "-id"):
        updates[update.commitment_id].append(update)
    return recs, by_rec, updates


def assemble(spec: dict, progress=None, limit: int | None = None) -> Document:
    """The document a spec describes, in the spec's language; raises NothingSelected when
    it would be empty. With a limit, only that many recommendations are laid out (the
    builder's preview); the summary still counts them all."""
    spec = clean_texts(spec)
    with translation.override(spec["language"]):
        return _assemble(spec, progress, limit)


def _assemble(spec: dict, progress, limit: int | None) -> Document:
    selection = selection_from_spec(spec)
    jurisdiction = None
    if selection.kind == ReportKind.LOCAL:
        jurisdiction = local_jurisdiction(selection)
        if jurisdiction is None:
            raise NothingSelected(
                _(
                    "A local implementation report is about one jurisdiction: choose it under "
                    "“Jurisdiction”."
                )
            )
    ids, selection_notes = matching_ids(selection)
    if not ids:
        raise NothingSelected(_("No recommendation matches this selection, so there is no report."))
    ids, state, state_options, state_notes = one_state(ids, selection.state)
    # Links to this site start with the address the report was asked on: the request's
    # (builder.py), which a background build keeps in its spec. SITE_URL wins over both.
    site = spec.get("base_url") or base_url()
    recs, by_rec, updates = load(ids, jurisdiction)
    notes = _Notes()
    title = spec["title"] or default_title(selection, state, jurisdiction)
    introduction = introduction_heading()
    blocks = [Block("heading", runs=[Run(introduction)], field="introduction")]
    intro = paragraphs_of(spec["introduction"])
    blocks.append(
        Block("text", field="introduction", label=introduction, paragraphs=intro, numbered=True)
    )
    blocks += summary_blocks(recs, state, jurisdiction, by_rec)
    if jurisdiction:
        blocks += commitment_overview(jurisdiction, notes)
    blocks.append(Block("heading", runs=[Run(_("Recommendations and their implementation"))]))
    # The builder's title field starts filled with the default title, so it counts as typed.
    editable = count_words(title) + count_words(spec["organisations"])
    editable += sum(count_words(p) for p in intro)
    # Its heading prints only over a written introduction: words of the field too.
    editable += count_words(introduction) if intro else 0
    laid_out = recs if limit is None else recs[:limit]
    if len(laid_out) < len(recs):
        selection_notes.append(
            _(
                "The preview shows the first %(shown)s of %(total)s recommendations, and its "
                "word count covers only those; the Word and PDF files hold all %(total)s and "
                "are built in the background, with their progress shown."
            )
            % {"shown": len(laid_out), "total": len(recs)}
        )
    for done, rec in enumerate(laid_out, start=1):
        assessment = paragraphs_of(spec["assessments"].get(str(rec.pk), ""))
        editable += sum(count_words(p) for p in assessment)
        blocks += recommendation_blocks(
            rec, by_rec[rec.pk], updates, notes, assessment, state=state, site=site
        )
        if progress and (done % 25 == 0 or done == len(laid_out)):
            progress(done, len(laid_out))
    if jurisdiction:
        blocks += progress_blocks(jurisdiction, notes)
    kind_label = str(ReportKind(selection.kind).label)
    return Document(
        kind=selection.kind,
        kind_label=kind_label,
        limit=selection.limit,
        word_limit=WORD_LIMITS[selection.limit],
        title=title,
        organisations=spec["organisations"],
        blocks=blocks,
        endnotes=notes.listing(),
        citations=[rec.citation for rec in laid_out],
        recommendation_count=len(recs),
        editable_words=editable,
        notes=selection_notes + state_notes,
        state=state,
        state_options=state_options,
        base_url=site,
        language=spec["language"],
    )


def own_status(links) -> str:
    """The local-action status the links of one jurisdiction's published commitments give
    a recommendation: the rule of local_status.py, applied to that jurisdiction alone."""
    if not links:
        return LocalStatus.NONE
    if any(link.relation in ("contradicts", "rolls_back") for link in links):
        return LocalStatus.CONTESTED
    if any(
        link.relation in ("implements", "partial") and link.commitment.status == "implemented"
        for link in links
    ):
        return LocalStatus.IMPLEMENTED
    return LocalStatus.ADDRESSED


def summary_blocks(recs, state, jurisdiction=None, by_rec=None) -> list[Block]:
    responses = Counter(rec.response for rec in recs)
    recommendations = _("Recommendations")
    if jurisdiction:
        # A local report counts the jurisdiction's own action, not action anywhere.
        local = Counter(own_status(by_rec[rec.pk]) for rec in recs)
        local_table = Block(
            "table",
            label=_("Recommendations by %(jurisdiction)s’s action")
            % {"jurisdiction": jurisdiction},
            headers=[
                _("Action by %(jurisdiction)s") % {"jurisdiction": jurisdiction},
                recommendations,
            ],
            rows=[[str(label), local.get(key, 0)] for key, label in OWN_ACTION_LABELS.items()],
        )
        covers = ngettext(
            "This report covers %(count)s recommendation made to %(state)s in the Universal "
            "Periodic Review that %(jurisdiction)s’s published commitments answer.",
            "This report covers %(count)s recommendations made to %(state)s in the Universal "
            "Periodic Review that %(jurisdiction)s’s published commitments answer.",
            len(recs),
        )
    else:
        local = Counter(rec.local_status for rec in recs)
        local_table = Block(
            "table",
            label=_("Recommendations by local action"),
            headers=[_("Local action"), recommendations],
            rows=[[str(label), local.get(key, 0)] for key, label in LocalStatus.choices],
        )
        covers = ngettext(
            "This report covers %(count)s recommendation made to %(state)s in the Universal "
            "Periodic Review.",
            "This report covers %(count)s recommendations made to %(state)s in the Universal "
            "Periodic Review.",
            len(recs),
        )
    words = {"count": len(recs), "state": state.the_name, "jurisdiction": jurisdiction}
    return [
        Block("heading", runs=[Run(_("Summary"))]),
        Block("para", runs=[Run(covers % words)]),
        Block(
            "table",
            label=state.response_caption,
            headers=[state.response_label, recommendations],
            rows=[[str(label), responses.get(key, 0)] for key, label in Response.choices],
        ),
        local_table,
    ]


# One jurisdiction's action on a recommendation (own_status), in words that fit one place.
OWN_ACTION_LABELS = {
    LocalStatus.NONE: gettext_lazy("No published action"),
    LocalStatus.ADDRESSED: gettext_lazy("Addressed"),
    LocalStatus.IMPLEMENTED: pgettext_lazy("a recommendation", "Implemented"),
    LocalStatus.CONTESTED: gettext_lazy("Contested (contradicted or rolled back)"),
}


def commitment_overview(jurisdiction, notes) -> list[Block]:
    commitments = (
        Commitment.objects.published()
        .filter(jurisdiction=jurisdiction)
        .defer("search_vector", "search_vector_es")
        .select_related("modelled_on__jurisdiction")
        .order_by("-adopted_on", "title")
    )
    blocks = [
        Block(
            "heading",
            runs=[
                Run(_("Published commitments of %(jurisdiction)s") % {"jurisdiction": jurisdiction})
            ],
        )
    ]
    for commitment in commitments:
        runs = [Run(commitment_sentence(commitment))]
        model = commitment.modelled_on
        if model is not None and model.publication == Publication.PUBLISHED:
            runs.append(
                Run(
                    " "
                    + _("Modelled on %(jurisdiction)s's “%(title)s”.")
                    % {
                        "jurisdiction": model.jurisdiction,
                        "title": model.localized("title").noted(),
                    }
                )
            )
        if commitment.source_url:
            runs.append(notes.ref(commitment.source_url))
        blocks.append(Block("para", runs=runs, numbered=True))
    return blocks


def progress_blocks(jurisdiction, notes) -> list[Block]:
    """The local report's roll-up, status then and now, and indicators (progress/report.py)."""
    section = progress_section(jurisdiction)
    if section is None:
        return []
    blocks = [Block("heading", runs=[Run(_("Progress over time"))])]
    for table in section.tables:
        blocks.append(Block("table", label=table.label, headers=table.headers, rows=table.rows))
    for text, url in section.sentences:
        blocks.append(Block("para", runs=[Run(text), *([notes.ref(url)] if url else [])]))
    return blocks


def commitment_sentence(commitment) -> str:
    name = commitment.localized("title").noted()
    if commitment.instrument_ref:
        name += f" ({commitment.instrument_ref})"
    parts = [
        f"{name}, {commitment.get_kind_display().lower()}: "
        f"{commitment.get_status_display().lower()}"
    ]
    parts += dates_of(commitment)
    return "; ".join(parts) + "."


def dates_of(commitment) -> list[str]:
    parts = []
    if commitment.adopted_on:
        parts.append(_("adopted %(date)s") % {"date": nice_date(commitment.adopted_on)})
    if commitment.target_date:
        parts.append(_("target date %(date)s") % {"date": nice_date(commitment.target_date)})
    return parts


def recommendation_blocks(rec, links, updates, notes, assessment, *, state, site) -> list[Block]:
    states = ", ".join(country.name for country in rec.recommending_countries.all())
    blocks = [
        Block("heading", level=2, runs=[Run(rec.citation, url=official_url(rec))]),
        Block(
            "para",
            numbered=True,
            runs=[
                Run(f"“{rec.localized('text').noted()}”", italic=True),
                Run(
                    " "
                    + _("Recommended by %(states)s.")
                    % {"states": states or _("an unrecorded state")}
                    + f" {state.response_label}: {rec.get_response_display().lower()}."
                ),
            ],
        ),
    ]
    if not links:
        # A remark, not a point of the submission: it takes no paragraph number.
        blocks.append(
            Block("para", runs=[Run(_("No published state or local commitment answers it yet."))])
        )
    for link in links[:MAX_LINKS]:
        blocks.append(
            Block(
                "para",
                numbered=True,
                runs=link_runs(link, updates[link.commitment_id], notes, site),
            )
        )
    if len(links) > MAX_LINKS:
        more = len(links) - MAX_LINKS
        blocks.append(
            Block(
                "para",
                numbered=True,
                runs=[
                    Run(
                        ngettext(
                            "One more published commitment answers it: see ",
                            "%(count)s more published commitments answer it: see ",
                            more,
                        )
                        % {"count": more}
                    ),
                    Run(rec.citation, url=site + rec.get_absolute_url()),
                    Run("."),
                ],
            )
        )
    blocks.append(
        Block(
            "text",
            field=f"assessment-{rec.pk}",
            label=_("Assessment of %(citation)s") % {"citation": rec.citation},
            paragraphs=assessment,
            numbered=True,
        )
    )
    return blocks


def link_runs(link, updates, notes, site) -> list[Run]:
    commitment = link.commitment
    runs = [
        Run(f"{commitment.jurisdiction}: "),
        Run(commitment.localized("title").noted(), url=site + commitment.get_absolute_url()),
    ]
    if commitment.instrument_ref:
        runs.append(Run(f" ({commitment.instrument_ref})"))
    facts = [
        _("%(relation)s the recommendation") % {"relation": link.get_relation_display().lower()},
        _("status %(status)s") % {"status": commitment.get_status_display().lower()},
        *dates_of(commitment),
    ]
    runs.append(Run(": " + "; ".join(facts) + "."))
    if commitment.source_url:
        runs.append(notes.ref(commitment.source_url))
    if updates:
        latest = updates[0]
        runs.append(
            Run(
                " "
                + _("Latest progress update (%(date)s):") % {"date": nice_date(latest.reported_on)}
                + f" {' '.join(latest.localized('summary').noted().split())}"
            )
        )
    for update in updates:
        if update.evidence_url:
            runs.append(notes.ref(update.evidence_url))
    return runs
