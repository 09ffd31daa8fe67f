"""The outcome of one import, as the command prints it and an ImportRun stores it."""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

COUNT_NAMES = ("created", "updated", "unchanged", "skipped", "errors")
# Per state under review: rows read, rows skipped (not a chosen state), rows imported,
# and what those rows did to the records.
STATE_COUNT_NAMES = ("rows", "skipped", "imported", "created", "updated", "unchanged")


@dataclass
class ImportReport:
    format: str = ""
    dry_run: bool = False
    rows: int = 0
    counts: dict = field(default_factory=lambda: dict.fromkeys(COUNT_NAMES, 0))
    errors: list = field(default_factory=list)  # {"line", "column", "message"}
    warnings: list = field(default_factory=list)
    seconds: float = 0.0
    problems: int = 0  # problems found; counts["errors"] is the number of invalid rows
    states: dict = field(default_factory=dict)  # ISO3 -> STATE_COUNT_NAMES

    @classmethod
    def from_dict(cls, data: dict) -> "ImportReport":
        """Back from ImportRun.report (what as_dict stored)."""
        report = cls(dry_run=bool(data.get("dry_run")), rows=data.get("rows", 0))
        report.counts.update(data.get("counts") or {})
        report.errors = data.get("errors") or []
        report.states = data.get("states") or {}
        return report

    def state(self, iso3: str) -> dict:
        return self.states.setdefault(iso3, dict.fromkeys(STATE_COUNT_NAMES, 0))

    @property
    def imported(self) -> int:
        """Rows that reached the database (or would have, on a dry run)."""
        return sum(s["imported"] for s in self.states.values()) if self.ok else 0

    @property
    def ok(self) -> bool:
        return not self.counts["errors"] and not self.errors

    def as_dict(self) -> dict:
        return {
            "format": self.format,
            "dry_run": self.dry_run,
            "rows": self.rows,
            "counts": self.counts,
            "problems": self.problems,
            "states": self.states,
            "errors": self.errors,
            "warnings": self.warnings,
            "seconds": round(self.seconds, 2),
        }

    def error_lines(self) -> list[str]:
        return [format_problem(e) for e in self.errors]

    def summary(self) -> str:
        counts = ", ".join(f"{name} {self.counts[name]}" for name in COUNT_NAMES)
        mode = "dry run, nothing written" if self.dry_run else "written"
        if not self.ok:
            mode = "failed, nothing written"
        return f"{self.format or 'unknown'} format, {self.rows} rows: {counts} ({mode})."

    def state_lines(self) -> list[str]:
        """One line per state under review: rows read, imported and skipped."""
        return [state_line(iso3, counts) for iso3, counts in sorted(self.states.items())]

    def nothing_imported(self) -> str:
        """A plain sentence when no row was (or, on a dry run, would be) imported."""
        if not self.ok or self.imported:
            return ""
        skipped = self.counts["skipped"]
        if skipped and self.dry_run:
            return _(
                "Nothing would be imported: all %(count)s rows are about states under review "
                "that were not chosen."
            ) % {"count": skipped}
        if skipped:
            return _(
                "Nothing was imported: all %(count)s rows are about states under review that "
                "were not chosen."
            ) % {"count": skipped}
        if self.dry_run:
            return _("Nothing would be imported: the file has no rows to import.")
        return _("Nothing was imported: the file has no rows to import.")


def state_line(iso3: str, counts: dict) -> str:
    return (
        f"{iso3}: {counts['rows']} rows read, {counts['imported']} imported, "
        f"{counts['skipped']} skipped; records {counts['created']} created, {counts['updated']} "
        f"updated, {counts['unchanged']} unchanged"
    )


def format_problem(problem: dict) -> str:
    where = f"line {problem['line']}" if problem.get("line") else "file"
    if problem.get("column"):
        where += f", {problem['column']}"
    return f"{where}: {problem['message']}"
