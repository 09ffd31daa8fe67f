"""Bulk import of one jurisdiction's commitments from a CSV file, and the spreadsheet
round trip (download, edit, upload with a dry run) that extends it.

All or nothing: every row is checked with the same form the staff screen uses, every bad
row is reported with its line number, and rows are saved only when the whole file is good.
Themes are looked up once per file and the rows are written in bulk, so the number of
queries does not grow with the rows (a 2,000-row file runs well inside a web request).
"""

import copy
import csv
import io
from dataclasses import dataclass, field

from django import forms
from django.db import IntegrityError, transaction
from django.utils.functional import lazy
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from recommendations.models import Theme

from . import sheets
from .follow.outbox import announce
from .forms import CSV_MAX_BYTES, MAX_TEXT, CommitmentForm
from .models import Commitment, Publication
from .upload_plan import (
    COMMITMENTS_SHEET,
    MAX_ROWS,
    PlanOutdated,
    RowPlan,
    UploadPlan,
)

BATCH = 500

MAX_BYTES = CSV_MAX_BYTES


def _one_of(values: list[str], default: str = "") -> SafeString:
    """The values a column takes, as code: a user types them as they stand, in any language."""
    codes = format_html_join(", ", "<code>{}</code>", ((v,) for v in values))
    if default:
        words = _("One of: {values}. Default: {default}.")
        return format_html(words, values=codes, default=format_html("<code>{}</code>", default))
    return format_html(_("One of: {values}."), values=codes)


one_of = lazy(_one_of, SafeString)

# (column, required, what to put there) — shown on the import screen and in the template.
COLUMNS = [
    ("title", True, gettext_lazy("Short name of the commitment, up to 300 characters.")),
    (
        "kind",
        True,
        one_of(Commitment.Kind.values),
    ),
    (
        "status",
        False,
        one_of(Commitment.Status.values, Commitment.Status.ADOPTED),
    ),
    (
        "instrument_ref",
        False,
        gettext_lazy("The jurisdiction's own number, e.g. Ordinance 34-2016."),
    ),
    (
        "summary",
        False,
        gettext_lazy("What it does, in a few plain sentences (up to 5000 characters)."),
    ),
    ("adopted_on", False, gettext_lazy("Date in the form YYYY-MM-DD.")),
    ("target_date", False, gettext_lazy("Date in the form YYYY-MM-DD, not before adopted_on.")),
    ("responsible_office", False, gettext_lazy("Department or office in charge.")),
    (
        "source_url",
        False,
        gettext_lazy("Link to the official text, starting with http:// or https://."),
    ),
    (
        "themes",
        False,
        gettext_lazy("Theme slugs separated by semicolons; leave empty if unsure."),
    ),
]
COLUMN_NAMES = [name for name, *__ in COLUMNS]
REQUIRED = {name for name, required, __ in COLUMNS if required}

EXAMPLE_ROW = {
    "title": "Fair housing ordinance",
    "kind": "ordinance",
    "status": "adopted",
    "instrument_ref": "Ordinance 12-2021",
    "summary": "Bans refusing a tenant because of the source of their income.",
    "adopted_on": "2021-03-02",
    "target_date": "",
    "responsible_office": "Commission on Human Relations",
    "source_url": "https://example.org/ordinance-12-2021",
    "themes": "",
}


@dataclass
class ImportResult:
    errors: list[tuple[int, str]] = field(default_factory=list)
    created: list[Commitment] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def template_csv() -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMN_NAMES)
    writer.writeheader()
    writer.writerow(EXAMPLE_ROW)
    return out.getvalue()


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        message = _("The file is not UTF-8 text. Save it as “CSV UTF-8” and try again.")
        raise ValueError(message) from None


class _SharedFields(dict):
    """Form fields hold no per-row state: every row's form may use the same ones instead
    of a deep copy each (half the time of validating a large file)."""

    def __deepcopy__(self, memo):
        return self


class _RowForm(CommitmentForm):
    """The staff form without its themes field (resolved once per file from the slugs)
    and without the per-row database round trips of constraint validation: the form's own
    checks cover the same rules (choices, date order) and the database enforces them."""

    class Meta(CommitmentForm.Meta):
        fields = [name for name in CommitmentForm.Meta.fields if name != "themes"]

    def __init__(self, *args, **kwargs):
        forms.ModelForm.__init__(self, *args, **kwargs)
        self.fields["summary"].max_length = MAX_TEXT
        # Django checks each CheckConstraint with a query per row; these repeat the choice
        # and date-order checks the form has already made.
        self.instance.validate_constraints = lambda exclude=None: None


_RowForm.base_fields = _SharedFields(copy.deepcopy(_RowForm.base_fields))


def _rows(reader, result):
    """The reader's rows; a malformed cell (csv.Error, e.g. one over the field size
    limit) ends the file with an error on its line instead of a server error."""
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            # DictReader.line_num is only updated after a good row; ask the inner reader.
            line = reader.reader.line_num
            result.errors.append(
                (line, _("The CSV cannot be read from this line on: %(error)s.") % {"error": exc})
            )
            return
        yield row


def import_commitments(raw: bytes, jurisdiction, user) -> ImportResult:
    result = ImportResult()
    if len(raw) > MAX_BYTES:
        result.errors.append((0, _("The file is larger than 2 MB. Split it into smaller files.")))
        return result
    try:
        text = _decode(raw)
    except ValueError as exc:
        result.errors.append((0, str(exc)))
        return result

    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = REQUIRED - set(header)
    unknown = [h for h in header if h not in COLUMN_NAMES]
    if missing or unknown:
        if missing:
            result.errors.append(
                (1, _("Missing column(s): %(columns)s.") % {"columns": ", ".join(sorted(missing))})
            )
        if unknown:
            result.errors.append(
                (1, _("Unknown column(s): %(columns)s.") % {"columns": ", ".join(unknown)})
            )
        return result
    reader.fieldnames = header

    themes = dict(Theme.objects.values_list("slug", "pk"))
    forms = []
    for row in _rows(reader, result):
        line = reader.line_num
        if len(forms) >= MAX_ROWS:
            result.errors.append(
                (line, _("More than %(count)s rows; split the file.") % {"count": MAX_ROWS})
            )
            return result
        if None in row:
            result.errors.append((line, _("This row has more cells than the header.")))
            continue
        values = {k: (v or "").strip() for k, v in row.items()}
        if not any(values.values()):
            continue
        theme_slugs = [s.strip() for s in values.pop("themes", "").split(";") if s.strip()]
        unknown_themes = [s for s in theme_slugs if s not in themes]
        data = dict(values)
        data.setdefault("status", "")
        if not data["status"]:
            data["status"] = Commitment.Status.ADOPTED
        form = _RowForm(data=data)
        form.theme_ids = [themes[s] for s in theme_slugs if s in themes]
        problems = []
        if unknown_themes:
            problems.append(
                _("themes: unknown theme(s) %(themes)s") % {"themes": ", ".join(unknown_themes)}
            )
        if not form.is_valid():
            for name, errors in form.errors.items():
                label = name if name != "__all__" else _("row")
                problems.extend(f"{label}: {e}" for e in errors)
        if problems:
            result.errors.append((line, "; ".join(problems)))
        else:
            forms.append(form)

    if not forms and not result.errors:
        result.errors.append((0, _("The file has no rows under the header.")))
    if result.errors:
        return result

    with transaction.atomic():
        for start in range(0, len(forms), BATCH):
            batch = forms[start : start + BATCH]
            objs = []
            for form in batch:
                commitment = form.save(commit=False)
                commitment.jurisdiction = jurisdiction
                commitment.created_by = user
                commitment.publication = Publication.DRAFT
                objs.append(commitment)
            Commitment.objects.bulk_create(objs)
            Commitment.history.bulk_history_create(
                objs, default_user=user, default_change_reason="Bulk import"
            )
            through = Commitment.themes.through
            through.objects.bulk_create(
                through(commitment_id=obj.pk, theme_id=theme_id)
                for obj, form in zip(objs, batch, strict=True)
                for theme_id in form.theme_ids
            )
            result.created.extend(objs)
    return result


# --- The spreadsheet round trip -------------------------------------------------------
# A manager downloads the jurisdiction's commitments (with their indicators, measurements
# and links as further sheets, planned and applied by sheets.py), edits them, and uploads
# the file: rows with an id change that commitment, rows without one create a draft.
# The upload is first planned (a dry run: created, changed field by field, unchanged,
# conflicts, errors by sheet, row and column), then applied in one transaction. Each row
# carries the version it was downloaded at: a record saved since then is shown as a
# conflict and never overwritten.

ROUND_TRIP_COLUMNS = ["id", "version", *COLUMN_NAMES]
COMPARED = [name for name in COLUMN_NAMES if name != "themes"]
XLSX_MAX_UNPACKED = 20 * 1024 * 1024


def _plain(value) -> str:
    """A cell as text: dates as YYYY-MM-DD, whole numbers without a decimal point."""
    import datetime

    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_tables(raw: bytes, filename: str) -> list[tuple[str, list[str], list]]:
    """[(sheet title, header, [(row number, cells)])] of every sheet of an .xlsx, or of
    a CSV file (titled by the sheet its header belongs to); raises ValueError with a
    message for a file that cannot be read."""
    from recommendations.csv_cells import restore

    if filename.lower().endswith(".xlsx"):
        import zipfile

        from openpyxl import load_workbook

        try:
            with zipfile.ZipFile(io.BytesIO(raw)) as archive:
                unpacked = sum(member.file_size for member in archive.infolist())
            if unpacked > XLSX_MAX_UNPACKED:
                raise ValueError(_("The spreadsheet unpacks to more than 20 MB; split it."))
            book = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
        except (zipfile.BadZipFile, OSError, KeyError) as exc:
            raise ValueError(
                _("The file is not an Excel workbook (.xlsx): %(error)s.") % {"error": exc}
            ) from None
        tables = []
        for sheet in book.worksheets:
            rows = sheet.iter_rows(values_only=True)
            header = [_plain(cell) for cell in next(rows, ())]
            body = [(n, [_plain(c) for c in cells]) for n, cells in enumerate(rows, start=2)]
            if any(header) or any(any(cells) for _, cells in body):
                tables.append((sheet.title, header, body))
        book.close()
        return tables
    reader = csv.reader(io.StringIO(_decode(raw), newline=""))
    try:
        header = [h.strip() for h in next(reader, [])]
        body = [(reader.line_num, [restore(c) for c in cells]) for cells in reader]
    except csv.Error as exc:
        raise ValueError(
            _("The CSV cannot be read from line %(line)s on: %(error)s.")
            % {"line": reader.line_num, "error": exc}
        ) from None
    further = sheets.sheet_of([h.lower() for h in header])
    return [(further.title if further else COMMITMENTS_SHEET, header, body)]


def plan_upload(raw: bytes, filename: str, jurisdiction) -> UploadPlan:
    """What applying the file would do; writes nothing."""
    plan = UploadPlan(filename=filename)
    if len(raw) > MAX_BYTES:
        plan.errors.append(
            ("", 0, "", _("The file is larger than 2 MB. Split it into smaller files."))
        )
        return plan
    try:
        tables = read_tables(raw, filename)
    except ValueError as exc:
        plan.errors.append(("", 0, "", str(exc)))
        return plan
    kinds = set()
    for title, header, body in tables:
        header = [h.strip().lower() for h in header]
        further = sheets.sheet_of(header)
        kind = further.key if further else "commitments"
        if kind in kinds:
            message = "A second sheet of the same kind; keep one of them."
            plan.errors.append((title, 1, "", message))
            continue
        kinds.add(kind)
        if further:
            sheets.plan_sheet(plan, further, title, header, body, jurisdiction)
        else:
            _plan_commitments(plan, title, header, body, jurisdiction)
    if not plan.rows and not plan.errors:
        plan.errors.append(("", 0, "", _("The file has no rows under the header.")))
    return plan


def _plan_commitments(plan, title, header, body, jurisdiction):
    unknown = [h for h in header if h and h not in ROUND_TRIP_COLUMNS]
    missing = sorted(REQUIRED - set(header))
    if unknown or missing:
        if missing:
            plan.errors.append((title, 1, ", ".join(missing), _("Missing column(s).")))
        if unknown:
            plan.errors.append((title, 1, ", ".join(unknown), _("Unknown column(s).")))
        return
    existing = {
        c.pk: c
        for c in Commitment.objects.filter(jurisdiction=jurisdiction).prefetch_related("themes")
    }
    themes = dict(Theme.objects.values_list("slug", "pk"))
    slugs = {pk: slug for slug, pk in themes.items()}
    seen_ids = set()
    planned = 0
    for number, cells in body:
        if planned >= MAX_ROWS:
            plan.errors.append(
                (
                    title,
                    number,
                    "",
                    _("More than %(count)s rows; split the file.") % {"count": MAX_ROWS},
                )
            )
            break
        values = dict(zip(header, cells, strict=False))
        values.pop("", None)
        if not any(values.values()):
            continue  # a blank row
        planned += 1
        before = len(plan.errors)
        _plan_row(plan, number, values, jurisdiction, existing, themes, slugs, seen_ids)
        plan.errors[before:] = [(title, *e) for e in plan.errors[before:]]
        if plan.rows and plan.rows[-1].row == number and plan.rows[-1].sheet_key == "commitments":
            plan.rows[-1].sheet = title


def _number(value: str):
    try:
        return int(float(value))
    except ValueError:
        return None


def _plan_row(plan, number, values, jurisdiction, existing, themes, slugs, seen_ids):
    commitment = None
    if values.get("id"):
        pk = _number(values["id"])
        commitment = existing.get(pk)
        if commitment is None:
            message = _("No commitment number %(number)s belongs to %(jurisdiction)s.") % {
                "number": values["id"],
                "jurisdiction": jurisdiction,
            }
            plan.errors.append((number, "id", message))
            return
        if pk in seen_ids:
            plan.errors.append(
                (
                    number,
                    "id",
                    _("Commitment %(number)s appears twice in the file.") % {"number": pk},
                )
            )
            return
        seen_ids.add(pk)
    data = {name: values.get(name, "") for name in COLUMN_NAMES if name != "themes"}
    if commitment is not None:
        # A column left out of the file keeps the commitment's value.
        for name in COMPARED:
            if name not in values:
                data[name] = _shown(commitment, name)
    if not data["status"]:
        data["status"] = Commitment.Status.ADOPTED
    form = _RowForm(data=data)
    problems = []
    if not form.is_valid():
        for name, errors in form.errors.items():
            problems.extend((number, name if name != "__all__" else "", e) for e in errors)
    theme_slugs = [s.strip() for s in values.get("themes", "").split(";") if s.strip()]
    unknown_themes = [s for s in theme_slugs if s not in themes]
    if unknown_themes:
        problems.append(
            (
                number,
                "themes",
                _("Unknown theme(s): %(themes)s") % {"themes": ", ".join(unknown_themes)},
            )
        )
    if problems:
        plan.errors.extend(problems)
        return
    row = RowPlan(row=number, action="create", form=form, title=form.cleaned_data["title"])
    row.theme_ids = [themes[s] for s in theme_slugs]
    if commitment is None:
        plan.rows.append(row)
        return
    row.commitment = commitment
    if "themes" not in values:
        row.theme_ids = [t.pk for t in commitment.themes.all()]
    for name in COMPARED:
        old, new = getattr(commitment, name), form.cleaned_data[name]
        if (old or "") != (new or ""):
            row.changes.append((name, _text(old), _text(new)))
    old_themes = sorted(slugs[t.pk] for t in commitment.themes.all())
    new_themes = sorted(slugs[pk] for pk in row.theme_ids)
    if old_themes != new_themes:
        row.changes.append(("themes", "; ".join(old_themes), "; ".join(new_themes)))
    row.settle(_number(values.get("version", "")), commitment.version)
    plan.rows.append(row)


def _text(value) -> str:
    if value is None:
        return ""
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def _shown(commitment, name) -> str:
    return _text(getattr(commitment, name))


def apply_plan(plan: UploadPlan, jurisdiction, user, *, keep_public: bool) -> dict:
    """Writes the plan in one transaction: creates the new rows as drafts, applies the
    changed rows (a staff change to a public commitment takes it back to draft unless
    ``keep_public``, as on the edit form), skips conflicts. Each change is recorded in the
    history with the upload as its reason. Raises PlanOutdated, writing nothing, if a
    commitment was saved after the dry run."""
    reason = f"Spreadsheet upload: {plan.filename}"[:100]
    counts = {"created": 0, "changed": 0}
    try:
        with transaction.atomic():
            _apply(plan, jurisdiction, user, reason, counts, keep_public=keep_public)
    except IntegrityError:
        # A link made by someone else between the dry run and now.
        raise PlanOutdated from None
    return counts


def _apply(plan, jurisdiction, user, reason, counts, *, keep_public):
    changing = plan.of("change", "commitments")
    locked = {
        c.pk: c
        for c in Commitment.objects.select_for_update().filter(
            pk__in=[r.commitment.pk for r in changing], jurisdiction=jurisdiction
        )
    }
    for row in changing:
        current = locked.get(row.commitment.pk)
        if current is None or current.version != row.commitment.version:
            raise PlanOutdated
        for name in COMPARED:
            setattr(current, name, row.form.cleaned_data[name])
        if not keep_public and current.publication == Publication.PUBLISHED:
            current.publication = Publication.DRAFT
        current.version += 1
        current._change_reason = reason
        current.save()
        current.themes.set(row.theme_ids)
        counts["changed"] += 1
    announce(Commitment.objects.filter(pk__in=list(locked)))
    touched = set(locked)
    for row in plan.of("create", "commitments"):
        commitment = row.form.save(commit=False)
        commitment.jurisdiction = jurisdiction
        commitment.created_by = user
        commitment.publication = Publication.DRAFT
        commitment._change_reason = reason
        commitment.save()
        commitment.themes.set(row.theme_ids)
        counts["created"] += 1
    further = sheets.apply_rows(plan, user, reason, keep_public=keep_public, touched=touched)
    for key, number in further.items():
        counts[key] += number


def export_rows(jurisdiction):
    """The round trip's commitment rows (as lists)."""
    commitments = (
        Commitment.objects.filter(jurisdiction=jurisdiction)
        .prefetch_related("themes")
        .order_by("pk")
    )
    return [
        [
            c.pk,
            c.version,
            *[getattr(c, name) for name in COMPARED],
            "; ".join(sorted(t.slug for t in c.themes.all())),
        ]
        for c in commitments
    ]


ROUND_TRIP_ORDER = ["id", "version", *COMPARED, "themes"]


def export_xlsx(jurisdiction) -> bytes:
    from openpyxl import Workbook

    tables = [(COMMITMENTS_SHEET, ROUND_TRIP_ORDER, export_rows(jurisdiction))] + [
        (sheet.title, sheet.columns, sheets.export_rows(sheet, jurisdiction))
        for sheet in sheets.SHEETS
    ]
    book = Workbook()
    for index, (title, header, body) in enumerate(tables):
        sheet = book.active if index == 0 else book.create_sheet()
        sheet.title = title
        sheet.append(header)
        for row in body:
            sheet.append(row)
        for cells in sheet.iter_rows(min_row=2):
            for cell in cells:
                if cell.is_date:
                    cell.number_format = "yyyy-mm-dd"
                elif isinstance(cell.value, str) and cell.value[:1] in "=+-@":
                    cell.data_type = "s"  # never a formula
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def export_csv(jurisdiction, sheet=None) -> str:
    """One sheet as CSV: the commitments, or ``sheet`` (one of sheets.SHEETS)."""
    from recommendations.csv_cells import neutralise_row

    if sheet is None:
        header, rows = ROUND_TRIP_ORDER, export_rows(jurisdiction)
    else:
        header, rows = sheet.columns, sheets.export_rows(sheet, jurisdiction)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow(neutralise_row(_text(v) if v is not None else "" for v in row))
    return out.getvalue()
