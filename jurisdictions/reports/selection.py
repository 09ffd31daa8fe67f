"""What a report covers: the /recommendations/ filter parameters, hand-picked ids and the
kind, read from a request (or a saved spec) with every ignored value reported."""

import re
from dataclasses import dataclass, field, replace

from django.db import connection
from django.http import QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from recommendations.filters import EVERY_STATE, RecommendationFilter
from recommendations.listing import clean_params
from recommendations.models import HOME_STATE, Recommendation

from ..models import Jurisdiction
from .models import ReportKind, WordLimit

# Parameters the report pages read besides the list's own filters.
REPORT_PARAMS = {
    "kind",
    "limit",
    "ids",
    "basket",
    "report",
    "action",
    "csrfmiddlewaretoken",
    "state",
    "default_title",
    "drop",
    "language",
}
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
    # The state under review the report is about, when the selection spans several.
    state: str = ""

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
        notes.append(
            _("Unknown report kind “%(kind)s”: made a stakeholder submission instead.")
            % {"kind": kind}
        )
        kind = ReportKind.SUBMISSION
    limit = data.get("limit") or default_limit(kind)
    if limit not in WordLimit.values:
        notes.append(_("Unknown word limit “%(limit)s”: used the default.") % {"limit": limit})
        limit = default_limit(kind)
    ids, bad = [], []
    raw_ids = [*data.getlist("ids"), *(basket if data.get("basket") else [])]
    if not raw_ids and data.get("basket"):
        notes.append(_("The report basket is empty."))
    for value in raw_ids:
        text = str(value).strip()
        if text.isdigit() and len(text) < 12:
            if int(text) not in ids:
                ids.append(int(text))
        else:
            bad.append(text)
    if bad:
        notes.append(
            ngettext(
                "Ignored %(count)s malformed recommendation id.",
                "Ignored %(count)s malformed recommendation ids.",
                len(bad),
            )
            % {"count": len(bad)}
        )
    if len(ids) > MAX_IDS:
        notes.append(
            _("Kept the first %(kept)s of %(count)s chosen recommendations.")
            % {"kept": MAX_IDS, "count": len(ids)}
        )
        ids = ids[:MAX_IDS]
    filters = QueryDict(mutable=True)
    known = set(RecommendationFilter.base_filters)
    for key, values in data.lists():
        if key in REPORT_PARAMS or key in TEXT_FIELDS or key.startswith("assessment-"):
            continue
        if key in IGNORED_LIST_PARAMS:
            continue
        if key not in known:
            notes.append(_("Ignored the unknown parameter “%(name)s”.") % {"name": key[:40]})
            continue
        filters.setlist(key, [v for v in values if v.strip()])
    if raw_ids and not filters.get("under_review") and not filters.get("review"):
        # Hand-picked recommendations keep their own states under review; the list's
        # default (the United States) would drop the others as if they were unknown.
        filters["under_review"] = EVERY_STATE
    filterset = RecommendationFilter(filters, queryset=Recommendation.objects.all())
    for name, errors in filterset.errors.items():
        notes.append(
            _("Ignored the %(name)s filter: %(errors)s")
            % {"name": name, "errors": " ".join(errors)}
        )
        filters.pop(name)
    picked = ids if raw_ids or data.get("basket") else None
    state = str(data.get("state", ""))[:3].upper()
    return Selection(
        kind=kind, limit=limit, query=filters.urlencode(), ids=picked, notes=notes, state=state
    )


def selection_from_spec(spec: dict) -> Selection:
    ids = spec["ids"]
    return Selection(
        kind=spec["kind"],
        limit=spec["limit"],
        query=spec["query"],
        ids=None if ids is None else list(ids),
        state=spec.get("state", ""),
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
    missing = set(selection.ids or ()) - set(ids)
    if missing:
        # Left out by the filters, or no such recommendation: only the latter is unknown.
        unknown = len(missing) - Recommendation.objects.filter(id__in=missing).count()
        if unknown:
            notes.append(
                ngettext(
                    "Ignored %(count)s unknown recommendation id.",
                    "Ignored %(count)s unknown recommendation ids.",
                    unknown,
                )
                % {"count": unknown}
            )
    if len(ids) > MAX_RECOMMENDATIONS:
        notes.append(
            _(
                "A report holds at most %(count)s recommendations; it has the first %(count)s. "
                "Narrow the filters to choose others."
            )
            % {"count": MAX_RECOMMENDATIONS}
        )
        ids = ids[:MAX_RECOMMENDATIONS]
    return ids, notes


@dataclass
class State:
    """A state under review, named as a report's sentences need it."""

    iso3: str
    name: str
    count: int = 0

    @property
    def the_name(self) -> str:
        return _("the United States") if self.iso3 == HOME_STATE else self.name

    @property
    def response_caption(self) -> str:
        """ "Recommendations by US response": the summary table's caption."""
        if self.iso3 == HOME_STATE:
            return _("Recommendations by US response")
        return _("Recommendations by Response of %(state)s") % {"state": self.name}

    @property
    def response_label(self) -> str:
        """ "US response", "Response of Cuba"."""
        if self.iso3 == HOME_STATE:
            return _("US response")
        return _("Response of %(state)s") % {"state": self.name}


def one_state(ids: list[int], wanted: str) -> tuple[list[int], State, list[State], list[str]]:
    """A report is about one state under review. A selection spanning several keeps the
    one asked for, else the United States, else the state with most recommendations, and
    says what it left out. Returns the kept ids, the state, every state of the selection
    (for the builder's choice) and the notes."""
    rows = Recommendation.objects.filter(id__in=ids).values_list(
        "id", "review__state_under_review__iso3", "review__state_under_review__name"
    )
    state_of, states = {}, {}
    for pk, iso3, name in rows:
        state_of[pk] = iso3
        states.setdefault(iso3, State(iso3, name)).count += 1
    options = sorted(states.values(), key=lambda s: (s.iso3 != HOME_STATE, -s.count, s.name))
    if len(options) == 1:
        return ids, options[0], options, []
    chosen = states.get(wanted) or options[0]
    others = [s for s in options if s is not chosen]
    left_out = ", ".join(f"{s.name} ({s.count})" for s in others)
    note = _(
        "This selection holds recommendations made to %(count)s states under review. A "
        "report is about one: this one covers %(state)s (%(kept)s) and leaves out "
        "%(left_out)s. Choose another under “State under review”."
    ) % {
        "count": len(options),
        "state": chosen.the_name,
        "kept": chosen.count,
        "left_out": left_out,
    }
    kept = [pk for pk in ids if state_of.get(pk) == chosen.iso3]
    return kept, chosen, options, [note]


def local_jurisdiction(selection: Selection) -> Jurisdiction | None:
    """A local report is about exactly one jurisdiction, named by the list's own
    `jurisdiction` filter."""
    slugs = selection.params.getlist("jurisdiction")
    if len(slugs) != 1:
        return None
    return Jurisdiction.objects.filter(slug=slugs[0]).first()


def jurisdiction_choices(selection: Selection, limit: int = 100) -> list[Jurisdiction]:
    """The jurisdictions a local report on this selection can be about: those acting on its
    recommendations (whichever one is chosen now), the busiest first."""
    params = selection.params.copy()
    params.pop("jurisdiction", None)
    ids, _ = matching_ids(replace(selection, query=params.urlencode()))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT j FROM recommendations_recommendation, unnest(acting_jurisdiction_ids) j "
            "WHERE id = ANY(%s) GROUP BY j ORDER BY count(*) DESC, j LIMIT %s",
            [ids, limit],
        )
        pks = [row[0] for row in cursor.fetchall()]
    return sorted(Jurisdiction.objects.filter(pk__in=pks), key=lambda j: j.name)
