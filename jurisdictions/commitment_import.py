"""Bulk import of one jurisdiction's commitments from a CSV file.

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
from django.db import transaction

from recommendations.models import Theme

from .forms import CSV_MAX_BYTES, MAX_TEXT, CommitmentForm
from .models import Commitment, Publication

BATCH = 500

MAX_BYTES = CSV_MAX_BYTES
MAX_ROWS = 2000

# (column, required, what to put there) — shown on the import screen and in the template.
COLUMNS = [
    ("title", True, "Short name of the commitment, up to 300 characters."),
    (
        "kind",
        True,
        "One of: " + ", ".join(Commitment.Kind.values) + ".",
    ),
    ("status", False, "One of: " + ", ".join(Commitment.Status.values) + ". Default: adopted."),
    ("instrument_ref", False, "The jurisdiction's own number, e.g. Ordinance 34-2016."),
    ("summary", False, "What it does, in a few plain sentences (up to 5000 characters)."),
    ("adopted_on", False, "Date in the form YYYY-MM-DD."),
    ("target_date", False, "Date in the form YYYY-MM-DD, not before adopted_on."),
    ("responsible_office", False, "Department or office in charge."),
    ("source_url", False, "Link to the official text, starting with http:// or https://."),
    ("themes", False, "Theme slugs separated by semicolons; leave empty if unsure."),
]
COLUMN_NAMES = [name for name, _, _ in COLUMNS]
REQUIRED = {name for name, required, _ in COLUMNS if required}

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
        message = "The file is not UTF-8 text. Save it as “CSV UTF-8” and try again."
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
            result.errors.append((line, f"The CSV cannot be read from this line on: {exc}."))
            return
        yield row


def import_commitments(raw: bytes, jurisdiction, user) -> ImportResult:
    result = ImportResult()
    if len(raw) > MAX_BYTES:
        result.errors.append((0, "The file is larger than 2 MB. Split it into smaller files."))
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
            result.errors.append((1, "Missing column(s): " + ", ".join(sorted(missing)) + "."))
        if unknown:
            result.errors.append((1, "Unknown column(s): " + ", ".join(unknown) + "."))
        return result
    reader.fieldnames = header

    themes = dict(Theme.objects.values_list("slug", "pk"))
    forms = []
    for row in _rows(reader, result):
        line = reader.line_num
        if len(forms) >= MAX_ROWS:
            result.errors.append((line, f"More than {MAX_ROWS} rows; split the file."))
            return result
        if None in row:
            result.errors.append((line, "This row has more cells than the header."))
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
            problems.append("themes: unknown theme(s) " + ", ".join(unknown_themes))
        if not form.is_valid():
            for name, errors in form.errors.items():
                label = name if name != "__all__" else "row"
                problems.extend(f"{label}: {e}" for e in errors)
        if problems:
            result.errors.append((line, "; ".join(problems)))
        else:
            forms.append(form)

    if not forms and not result.errors:
        result.errors.append((0, "The file has no rows under the header."))
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
