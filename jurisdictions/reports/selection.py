"""What a report covers: the /recommendations/ filter parameters, hand-picked ids and the
kind, read from a request (or a saved spec) with every ignored value reported."""

import re
from dataclasses import dataclass, field

from django.http import QueryDict

from recommendations.filters import RecommendationFilter
from recommendations.listing import clean_params
from recommendations.models import Recommendation

from ..models import Jurisdiction
from .models import ReportKind, WordLimit

# Parameters the report pages read besides the list's own filters.
REPORT_PARAMS = {"kind", "limit", "ids", "basket", "report", "action", "csrfmiddlewaretoken"}
TEXT_FIELDS = {"title", "organisations", "introduction"}
IGNORED_LIST_PARAMS = {"page", "sort"}
MAX_RECOMMENDATIONS = 1000
MAX_IDS = MAX_RECOMMENDATIONS
TEXT_LIMITS = {"title": 300, "organisations": 500, "introduction": 20_000, "assessment": 10_000}
# Control characters other than tab and newlines cannot be stored in a Word file.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def plain_text(value: str, limit: int) -> str:
    return _CONTROL.sub("", value.replace("\r\n", "\n").replace("\r", "\n")).strip()[:limit]


@dataclass
class Selection:
    kind: str
    limit: str
    query: str
    ids: list[int] | None  # None: no hand-picked set; []: an empty one
    notes: list[str] = field(default_factory=list)

    @property
    def params(self) -> QueryDict:
        return QueryDict(self.query)


def default_limit(kind: str) -> str:
    return WordLimit.INDIVIDUAL if kind == ReportKind.SUBMISSION else WordLimit.NONE


def read_selection(data: QueryDict, *, kind: str | None = None, basket=()) -> Selection:
    """The selection a request asks for. Unknown parameters, malformed ids and filter
    values the list would refuse are dropped, each with a note for the page."""
    data = clean_params(data)
    notes = []
    kind = kind or data.get("kind") or ReportKind.SUBMISSION
    if kind not in ReportKind.values:
        notes.append(f"Unknown report kind “{kind}”: made a stakeholder submission instead.")
        kind = ReportKind.SUBMISSION
    limit = data.get("limit") or default_limit(kind)
    if limit not in WordLimit.values:
        notes.append(f"Unknown word limit “{limit}”: used the default.")
        limit = default_limit(kind)
    ids, bad = [], []
    raw_ids = [*data.getlist("ids"), *(basket if data.get("basket") else [])]
    if not raw_ids and data.get("basket"):
        notes.append("The report basket is empty.")
    for value in raw_ids:
        text = str(value).strip()
        if text.isdigit() and len(text) < 12:
            if int(text) not in ids:
                ids.append(int(text))
        else:
            bad.append(text)
    if bad:
        notes.append(
            f"Ignored {len(bad)} malformed recommendation id{'s' if len(bad) > 1 else ''}."
        )
    if len(ids) > MAX_IDS:
        notes.append(f"Kept the first {MAX_IDS} of {len(ids)} chosen recommendations.")
        ids = ids[:MAX_IDS]
    filters = QueryDict(mutable=True)
    known = set(RecommendationFilter.base_filters)
    for key, values in data.lists():
        if key in REPORT_PARAMS or key in TEXT_FIELDS or key.startswith("assessment-"):
            continue
        if key in IGNORED_LIST_PARAMS:
            continue
        if key not in known:
            notes.append(f"Ignored the unknown parameter “{key[:40]}”.")
            continue
        filters.setlist(key, [v for v in values if v.strip()])
    filterset = RecommendationFilter(filters, queryset=Recommendation.objects.all())
    for name, errors in filterset.errors.items():
        notes.append(f"Ignored the {name} filter: {' '.join(errors)}")
        filters.pop(name)
    picked = ids if raw_ids or data.get("basket") else None
    return Selection(kind=kind, limit=limit, query=filters.urlencode(), ids=picked, notes=notes)


def selection_from_spec(spec: dict) -> Selection:
    ids = spec["ids"]
    return Selection(
        kind=spec["kind"],
        limit=spec["limit"],
        query=spec["query"],
        ids=None if ids is None else list(ids),
    )


def matching_ids(selection: Selection) -> tuple[list[int], list[str]]:
    """The recommendation ids in citation order, capped, with notes on unknown ids."""
    notes = []
    qs = RecommendationFilter(selection.params, queryset=Recommendation.objects.all()).qs
    if selection.ids is not None:
        qs = qs.filter(id__in=selection.ids)
    ids = list(
        qs.order_by("review_id", "id").values_list("id", flat=True)[: MAX_RECOMMENDATIONS + 1]
    )
    if selection.ids:
        unknown = len(set(selection.ids) - set(ids))
        if unknown and not selection.query:
            notes.append(
                f"Ignored {unknown} unknown recommendation id{'s' if unknown > 1 else ''}."
            )
    if len(ids) > MAX_RECOMMENDATIONS:
        notes.append(
            f"A report holds at most {MAX_RECOMMENDATIONS} recommendations; it has the first "
            f"{MAX_RECOMMENDATIONS}. Narrow the filters to choose others."
        )
        ids = ids[:MAX_RECOMMENDATIONS]
    return ids, notes


def local_jurisdiction(selection: Selection) -> Jurisdiction | None:
    """A local report is about exactly one jurisdiction, named by the list's own
    `jurisdiction` filter."""
    slugs = selection.params.getlist("jurisdiction")
    if len(slugs) != 1:
        return None
    return Jurisdiction.objects.filter(slug=slugs[0]).first()
