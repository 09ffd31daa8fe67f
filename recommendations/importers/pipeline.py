"""The import workflow: read and validate every row first, then hand the drafts to the
writer, which writes everything in one transaction. The management command, the curator
upload task and the upstream sync all call import_file (or run_import_into)."""

import csv
import time

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import facet_index
from ..models import (
    ImportRun,
)
from . import native as native_format
from . import readers, spanish, uhri, un_report, upr_info
from .common import Options, Problems, Reference
from .report import ImportReport
from .writer import ANALYZE_AFTER_ROWS, ImportFailed, analyze_written_tables, upsert


def import_file(
    path,
    *,
    format=None,
    dry_run=False,
    states=None,
    user=None,
    keep_non_upr=True,
    import_run=None,
    progress=None,
) -> ImportReport:
    """Import one file; nothing is written unless every row is valid (or on a dry run)."""
    started = time.monotonic()
    report = ImportReport(dry_run=dry_run)
    problems = Problems()
    run_progress = _run_progress(import_run, progress)
    if import_run is not None and import_run.status != ImportRun.Status.RUNNING:
        ImportRun.objects.filter(pk=import_run.pk).update(
            status=ImportRun.Status.RUNNING, started_at=timezone.now()
        )
    try:
        fmt = readers.normalise_format(format)
        ref = Reference()
        opts = Options(
            ref=ref,
            problems=problems,
            states={s.upper() for s in states} if states else None,
            keep_non_upr=keep_non_upr,
        )
        total = _count_rows(path) if run_progress else 0
        if run_progress:
            run_progress(0, total)
            opts.tick = lambda done: run_progress(done, total)
        fmt, drafts, rows = _parse(path, fmt, opts)
        report.format = fmt
        report.rows = rows
        if run_progress:
            run_progress(rows, max(total, rows))
        report.counts["skipped"] = opts.skipped
        for iso3, read in opts.rows_by_state.items():
            state = report.state(iso3)
            state["rows"] = read
            state["skipped"] = opts.skipped_by_state.get(iso3, 0)
        if rows == 0 and not problems.error_count:
            problems.error(0, "", _("The file has a header but no data rows."))
        if not problems.error_count and fmt != readers.UN_SPANISH:
            _check_paragraphs(drafts, problems)
        if not problems.error_count:
            try:
                with transaction.atomic():
                    if fmt == readers.UN_SPANISH:
                        spanish.write(drafts, report, problems, user=user, dry_run=dry_run)
                    else:
                        upsert(drafts, fmt, ref, report, problems, user=user, dry_run=dry_run)
                    if problems.error_count or dry_run:
                        raise ImportFailed
                written = report.counts["created"] + report.counts["updated"]
                if written >= ANALYZE_AFTER_ROWS:
                    analyze_written_tables()
                if written:
                    # The facets count from an index of the new rows, built now rather
                    # than by the first visitor after the import.
                    facet_index.build_task.delay_on_commit()
            except ImportFailed:
                pass
            except IntegrityError as exc:
                problems.error(0, "", _("The database refused the import: %(exc)s") % {"exc": exc})
    except readers.ReadError as exc:
        problems.error(0, "", str(exc))
    except (csv.Error, UnicodeError) as exc:
        problems.error(0, "", _("Cannot read the file: %(exc)s") % {"exc": exc})
    except FileNotFoundError:
        problems.error(0, "", _("No file at %(path)s.") % {"path": path})
    except OSError as exc:
        problems.error(
            0,
            "",
            _("Cannot open %(path)s: %(value)s.") % {"path": path, "value": exc.strerror or exc},
        )
    report.errors = problems.errors
    report.warnings = problems.warnings
    report.problems = problems.error_count
    report.counts["errors"] = problems.invalid_rows
    # All or nothing: counts of a failed import would describe writes that never happened.
    for state in report.states.values():
        state["imported"] = 0 if problems.error_count else state["rows"] - state["skipped"]
    if problems.error_count:
        for counts in (report.counts, *report.states.values()):
            for name in ("created", "updated", "unchanged"):
                counts[name] = 0
    report.seconds = time.monotonic() - started
    if import_run is not None:
        _finish_run(import_run, report)
    return report


def run_import_into(import_run: ImportRun, path=None) -> ImportReport:
    """Run an ImportRun with the options it was created with (the task calls this)."""
    options = import_run.options or {}
    return import_file(
        path or import_run.file_path,
        format=import_run.format or None,
        dry_run=bool(options.get("dry_run")),
        states=options.get("states") or None,
        user=import_run.user,
        keep_non_upr=not options.get("skip_non_upr", False),
        import_run=import_run,
    )


def _run_progress(import_run, progress):
    if import_run is None and progress is None:
        return None

    def update(done, total):
        if import_run is not None:
            ImportRun.objects.filter(pk=import_run.pk).update(rows_done=done, rows_total=total)
        if progress is not None:
            progress(done, total)

    return update


def _finish_run(import_run, report):
    import_run.refresh_from_db()
    import_run.status = ImportRun.Status.SUCCEEDED if report.ok else ImportRun.Status.FAILED
    import_run.format = import_run.format or report.format
    for name, value in report.counts.items():
        setattr(import_run, name, value)
    import_run.rows_done = report.rows
    import_run.rows_total = max(import_run.rows_total, report.rows)
    import_run.report = report.as_dict()
    import_run.finished_at = timezone.now()
    import_run.save()


def _count_rows(path) -> int:
    if readers.is_json(path):
        return sum(1 for __ in readers.iter_json(path))
    return max(0, sum(1 for __ in readers.iter_rows(path)) - 1)


def _parse(path, fmt, opts) -> tuple[str, dict, int]:
    counted = _Counter()
    if fmt in (None, readers.NATIVE) and readers.is_json(path):
        drafts = native_format.parse(counted.wrap(readers.iter_json(path)), opts)
        return readers.NATIVE, drafts, counted.n
    rows = readers.iter_rows(path)
    first = next(rows, None)
    if first is None:
        raise readers.ReadError(_("The file is empty."))
    header = first[1]
    detected = readers.detect_format(header)
    fmt = fmt or detected
    if fmt is None:
        # Worded for both the command line and the upload page: each offers the formats.
        raise readers.ReadError(
            _(
                "Cannot tell the format from the header: choose the format the file is in (UPR "
                "Info export, UHRI export, UN report table or UPR Tracker export)."
            )
        )
    _check_header(fmt, header)
    rows = counted.wrap(rows)
    if fmt == readers.UPR_INFO:
        drafts = upr_info.parse(rows, header, opts)
    elif fmt == readers.UHRI:
        drafts = uhri.parse(rows, header, opts)
    elif fmt == readers.UN_REPORT:
        drafts = un_report.parse(rows, header, opts)
    elif fmt == readers.UN_SPANISH:
        drafts = spanish.parse(rows, header, opts)
    else:
        drafts = native_format.parse(native_format.dict_rows(rows, header), opts)
    return fmt, drafts, counted.n


def _check_header(fmt, header):
    """A format the curator named must match the file's columns before any row is read."""
    keys = {h.strip() for h in header}
    if fmt == readers.NATIVE:
        missing = [name for name in native_format.REQUIRED if name not in keys]
        if missing:
            raise readers.ReadError(
                _(
                    "Not a UPR Tracker export: the native columns %(value)s are missing from the "
                    "header."
                )
                % {"value": ", ".join(missing)}
            )
    elif fmt == readers.UPR_INFO:
        upr_info.check_header(header)


class _Counter:
    def __init__(self):
        self.n = 0

    def wrap(self, rows):
        for item in rows:
            self.n += 1
            yield item


def _check_paragraphs(drafts: dict, problems: Problems):
    seen = {}
    for draft in drafts.values():
        if draft.paragraph:
            key = (draft.state, draft.cycle, draft.paragraph)
            if key in seen:
                problems.error(
                    draft.line,
                    "paragraph",
                    _("Paragraph %(paragraph)s repeats line %(seen)s.")
                    % {"paragraph": draft.paragraph, "seen": seen[key]},
                )
            seen.setdefault(key, draft.line)
