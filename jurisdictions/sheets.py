"""The indicator, measurement and link sheets of the spreadsheet round trip.

commitment_import.py reads the uploaded file and plans its commitment sheet; each further
sheet is planned here into the same UploadPlan and applied in the same transaction. A row
with an id changes that record; a row without one creates an indicator, a measurement or
a link. A row left out of the file changes nothing: deleting is done on the staff screens,
whose confirm page says what goes with the record. Each row carries the version it was
downloaded at, and a record changed since then is shown as a conflict and left as it is.

Indicators and measurements become drafts for the curators, as on their forms; a link
added or changed takes a public commitment back to review, as on the commitment's page.
Lookups are made once per sheet, so the queries do not grow with the rows.
"""

import copy
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from recommendations.models import Recommendation

from .follow.outbox import announce
from .models import Commitment, CommitmentLink, Publication
from .progress.forms import IndicatorForm, MeasurementForm
from .progress.models import Indicator, Measurement
from .upload_plan import MAX_ROWS, PlanOutdated, RowPlan


@dataclass(frozen=True)
class Sheet:
    key: str
    title: str
    id_column: str
    parent_column: str
    fields: tuple[str, ...]  # compared and written
    reference: tuple[str, ...] = ()  # shown for reference, never read

    @property
    def columns(self) -> list[str]:
        return [self.parent_column, self.id_column, "version", *self.fields, *self.reference]


INDICATORS = Sheet(
    "indicators",
    "Indicators",
    "indicator_id",
    "commitment_id",
    tuple(IndicatorForm.Meta.fields),
    ("publication",),
)
MEASUREMENTS = Sheet(
    "measurements",
    "Measurements",
    "measurement_id",
    "indicator_id",
    tuple(MeasurementForm.Meta.fields),
    ("publication",),
)
LINKS = Sheet(
    "links",
    "Links",
    "link_id",
    "commitment_id",
    ("recommendation", "relation", "rationale"),
    ("citation",),
)
SHEETS = [INDICATORS, MEASUREMENTS, LINKS]
BY_KEY = {sheet.key: sheet for sheet in SHEETS}


def sheet_of(header) -> Sheet | None:
    """Which further sheet a header belongs to (None: the commitment sheet). Found by the
    columns, so a renamed sheet or a CSV of one sheet is read all the same."""
    names = set(header)
    if names & {"measurement_id", "measured_on"}:
        return MEASUREMENTS
    if names & {"link_id", "recommendation"}:
        return LINKS
    if names & {"indicator_id", "baseline_value", "target_value"}:
        return INDICATORS
    return None


# --- Download ------------------------------------------------------------------------


def export_rows(sheet: Sheet, jurisdiction) -> list[list]:
    if sheet is INDICATORS:
        return [
            [i.commitment_id, i.pk, i.version, *[getattr(i, f) for f in sheet.fields]]
            + [i.publication]
            for i in Indicator.objects.filter(commitment__jurisdiction=jurisdiction).order_by("pk")
        ]
    if sheet is MEASUREMENTS:
        return [
            [m.indicator_id, m.pk, m.version, m.measured_on, m.value, m.source_url, m.publication]
            for m in Measurement.objects.filter(
                indicator__commitment__jurisdiction=jurisdiction
            ).order_by("indicator_id", "measured_on", "pk")
        ]
    return [
        [
            link.commitment_id,
            link.pk,
            link.version,
            link.recommendation.public_id,
            link.relation,
            link.rationale,
            link.recommendation.citation,
        ]
        for link in CommitmentLink.objects.filter(commitment__jurisdiction=jurisdiction)
        .select_related("recommendation__review")
        .prefetch_related("recommendation__recommending_countries")
        .order_by("commitment_id", "pk")
    ]


# --- Upload: the dry run -------------------------------------------------------------


def _number(value: str):
    try:
        number = int(float(value))
    except (ValueError, OverflowError):
        return None
    return number if 0 < number < 2**63 else None


def text(value) -> str:
    """A stored value as the diff shows it: 100.0000 as 100, dates as YYYY-MM-DD."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


class _Records:
    """The jurisdiction's records a sheet may name, loaded once per upload."""

    def __init__(self, jurisdiction):
        self.jurisdiction = jurisdiction
        self.commitments = dict(
            Commitment.objects.filter(jurisdiction=jurisdiction).values_list("pk", "title")
        )
        self.indicators = {
            i.pk: i for i in Indicator.objects.filter(commitment__jurisdiction=jurisdiction)
        }
        self.measurements = {
            m.pk: m
            for m in Measurement.objects.filter(
                indicator__commitment__jurisdiction=jurisdiction
            ).select_related("indicator")
        }
        self.links = {
            link.pk: link
            for link in CommitmentLink.objects.filter(
                commitment__jurisdiction=jurisdiction
            ).select_related("recommendation")
        }


def plan_sheet(plan, sheet: Sheet, title: str, header, body, jurisdiction, records=None):
    """Adds the sheet's rows and errors to ``plan`` (upload_plan.UploadPlan)."""

    def error(row, column, reason):
        plan.errors.append((title, row, column, reason))

    missing = [c for c in (sheet.id_column, sheet.parent_column) if c not in header]
    unknown = [h for h in header if h and h not in sheet.columns]
    if missing or unknown:
        if missing:
            error(1, ", ".join(missing), _("Missing column(s)."))
        if unknown:
            error(1, ", ".join(unknown), _("Unknown column(s)."))
        return
    records = records or _Records(jurisdiction)
    rows = [
        (number, {k: v for k, v in zip(header, cells, strict=False) if k}) for number, cells in body
    ]
    rows = [(number, values) for number, values in rows if any(values.values())]
    if len(rows) > MAX_ROWS:
        error(rows[MAX_ROWS][0], "", _("More than %(n)s rows; split the file.") % {"n": MAX_ROWS})
        return
    recommendations = {}
    if sheet is LINKS:
        wanted = {v.get("recommendation", "").strip() for _n, v in rows} - {""}
        recommendations = {
            r.public_id: r for r in Recommendation.objects.filter(public_id__in=wanted)
        }
    seen = set()
    for number, values in rows:
        row = _plan_row(sheet, number, values, records, recommendations, seen, error)
        if row is not None:
            row.sheet, row.sheet_key = title, sheet.key
            plan.rows.append(row)


def _plan_row(sheet, number, values, records, recommendations, seen, error):
    jurisdiction = records.jurisdiction
    existing = None
    raw_id = values.get(sheet.id_column, "").strip()
    if raw_id:
        pk = _number(raw_id)
        pool = {
            INDICATORS: records.indicators,
            MEASUREMENTS: records.measurements,
            LINKS: records.links,
        }[sheet]
        existing = pool.get(pk)
        if existing is None:
            error(
                number,
                sheet.id_column,
                _("No %(what)s number %(id)s belongs to %(place)s.")
                % {"what": _what(sheet), "id": raw_id, "place": jurisdiction},
            )
            return None
        if pk in seen:
            error(number, sheet.id_column, _("This id appears twice in the sheet."))
            return None
        seen.add(pk)

    parent_pk = _number(values.get(sheet.parent_column, "").strip())
    parent = _parent(sheet, existing, parent_pk, values, records, number, error)
    if parent is None:
        return None

    data = {}
    for name in sheet.fields:
        if name in values:
            data[name] = values[name].strip()
        elif existing is not None:
            data[name] = _current_text(sheet, existing, name)
        else:
            data[name] = ""
    cleaned, problems = _clean(sheet, data, existing, parent, recommendations, records)
    if sheet is LINKS and existing is None and not problems:
        key = (parent, cleaned["recommendation"].pk)
        if (
            key in seen
            or CommitmentLink.objects.filter(
                commitment_id=parent, recommendation=cleaned["recommendation"]
            ).exists()
        ):
            problems.append(("recommendation", _("This recommendation is already linked.")))
        seen.add(key)
    for column, message in problems:
        error(number, column, message)
    if problems:
        return None

    row = RowPlan(row=number, action="create", record=existing, values=cleaned, parent=parent)
    row.title = _label(sheet, cleaned, existing, parent, records)
    if existing is None:
        return row
    for name in sheet.fields:
        old, new = getattr(existing, name), cleaned[name]
        if name == "recommendation":
            if old.pk != new.pk:
                row.changes.append((name, old.public_id, new.public_id))
        elif (old if old is not None else "") != (new if new is not None else ""):
            row.changes.append((name, text(old), text(new)))
    row.settle(_number(values.get("version", "").strip()), existing.version)
    return row


def _what(sheet):
    return {INDICATORS: _("indicator"), MEASUREMENTS: _("measurement"), LINKS: _("link")}[sheet]


def _parent(sheet, existing, parent_pk, values, records, number, error):
    """The commitment (indicators, links) or indicator (measurements) the row belongs to."""
    column = sheet.parent_column
    if existing is not None:
        current = existing.indicator_id if sheet is MEASUREMENTS else existing.commitment_id
        if parent_pk is not None and parent_pk != current:
            error(number, column, _("A row cannot move to another record; add a new row."))
            return None
        return current
    if sheet is MEASUREMENTS:
        if parent_pk not in records.indicators:
            error(
                number,
                column,
                _(
                    "Give the id of one of %(place)s’s indicators (an indicator new in "
                    "this file has none yet: apply the file, download it again, then add "
                    "its measurements)."
                )
                % {"place": records.jurisdiction},
            )
            return None
        return parent_pk
    if parent_pk not in records.commitments:
        error(
            number,
            column,
            _(
                "Give the id of one of %(place)s’s commitments (a commitment new in this "
                "file has none yet: apply the file, download it again, then add rows for it)."
            )
            % {"place": records.jurisdiction},
        )
        return None
    return parent_pk


def _current_text(sheet, record, name) -> str:
    if name == "recommendation":
        return record.recommendation.public_id
    return text(getattr(record, name))


def _clean(sheet, data, existing, parent, recommendations, records):
    """Checks a row with the form the staff screen uses; returns (values, problems)."""
    problems = []
    if sheet is LINKS:
        cleaned = dict(data)
        rec = recommendations.get(data["recommendation"])
        if rec is None:
            problems.append(
                (
                    "recommendation",
                    _("No recommendation has the identifier “%(id)s” (e.g. USA-3-26.49).")
                    % {"id": data["recommendation"][:60]},
                )
            )
        elif existing is not None and rec.pk != existing.recommendation_id:
            problems.append(
                (
                    "recommendation",
                    _("A link’s recommendation cannot change: add a new row for the other one."),
                )
            )
        cleaned["recommendation"] = rec
        if data["relation"] not in CommitmentLink.Relation.values:
            problems.append(
                (
                    "relation",
                    _("One of: %(choices)s.")
                    % {"choices": ", ".join(CommitmentLink.Relation.values)},
                )
            )
        if len(data["rationale"]) > 2000:
            problems.append(("rationale", _("At most 2000 characters.")))
        return cleaned, problems
    # A form writes its values onto its instance: give it a copy, to compare with after.
    instance = copy.copy(existing)
    if sheet is INDICATORS:
        form = IndicatorForm(data=data, instance=instance or Indicator(commitment_id=parent))
    else:
        form = MeasurementForm(
            data=data,
            instance=instance or Measurement(indicator_id=parent),
            indicator=records.indicators[parent],
        )
    # The form's clean() holds the same rules as the check constraints; skip their query
    # per row (the database still enforces them).
    form.instance.validate_constraints = lambda exclude=None: None
    if not form.is_valid():
        for name, errors in form.errors.items():
            problems.extend((name if name != "__all__" else "", e) for e in errors)
        return {}, problems
    return {name: form.cleaned_data[name] for name in sheet.fields}, problems


def _label(sheet, cleaned, existing, parent, records) -> str:
    """How the dry run names the row: the indicator, the indicator and date of a
    measurement, the commitment and recommendation of a link."""
    if sheet is INDICATORS:
        return existing.name if existing else cleaned["name"]
    if sheet is MEASUREMENTS:
        measured = existing.measured_on if existing else cleaned["measured_on"]
        return f"{records.indicators[parent].name}, {text(measured)}"
    return f"{records.commitments[parent]} → {cleaned['recommendation'].public_id}"


# --- Upload: applying ----------------------------------------------------------------


def apply_rows(plan, user, reason, *, keep_public, touched: set[int]):
    """Writes the further sheets' rows of ``plan``, inside the caller's transaction.
    ``touched`` holds the commitments already saved by this upload; a link change saves
    each other commitment once more (version and review), as the commitment page does.
    Raises upload_plan.PlanOutdated if a record changed after the dry run."""
    counts = {"created": 0, "changed": 0}
    rows = [r for r in plan.rows if r.values is not None and r.action in {"create", "change"}]
    for model, sheet in ((Indicator, INDICATORS), (Measurement, MEASUREMENTS)):
        mine = [r for r in rows if r.sheet_key == sheet.key]
        locked = _locked(model, [r for r in mine if r.action == "change"])
        for row in mine:
            record = locked[row.record.pk] if row.action == "change" else model()
            if row.action == "change":
                if record.version != row.record.version:
                    raise PlanOutdated
                record.version += 1
            else:
                record.author = user
                setattr(record, sheet.parent_column, row.parent)
            for name in sheet.fields:
                setattr(record, name, row.values[name])
            record.publication = Publication.DRAFT
            record._change_reason = reason
            record.save()
            counts["created" if row.action == "create" else "changed"] += 1
    links = [r for r in rows if r.sheet_key == LINKS.key]
    locked = _locked(CommitmentLink, [r for r in links if r.action == "change"])
    for row in links:
        if row.action == "change":
            link = locked[row.record.pk]
            if link.version != row.record.version:
                raise PlanOutdated
            link.version += 1
        else:
            link = CommitmentLink(
                commitment_id=row.parent,
                recommendation=row.values["recommendation"],
                created_by=user,
            )
        link.relation, link.rationale = row.values["relation"], row.values["rationale"]
        link._change_reason = reason
        link.save()
        counts["created" if row.action == "create" else "changed"] += 1
    linked = {row.parent for row in links} - touched
    for commitment in Commitment.objects.select_for_update().filter(pk__in=linked):
        if not keep_public and commitment.publication == Publication.PUBLISHED:
            commitment.publication = Publication.DRAFT
        commitment.version += 1
        commitment._change_reason = reason
        commitment.save()
    # Links are public with their commitment.
    announce(Commitment.objects.filter(pk__in=linked))
    return counts


def _locked(model, rows):
    pks = [r.record.pk for r in rows]
    locked = {obj.pk: obj for obj in model.objects.select_for_update().filter(pk__in=pks)}
    if len(locked) != len(pks):
        raise PlanOutdated  # deleted since the dry run
    return locked
