"""The outcome of one import, as the command prints it and an ImportRun stores it."""

from dataclasses import dataclass, field

COUNT_NAMES = ("created", "updated", "unchanged", "skipped", "errors")


@dataclass
class ImportReport:
    format: str = ""
    dry_run: bool = False
    rows: int = 0
    counts: dict = field(default_factory=lambda: dict.fromkeys(COUNT_NAMES, 0))
    errors: list = field(default_factory=list)  # {"line", "column", "message"}
    warnings: list = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.counts["errors"] and not self.errors

    def as_dict(self) -> dict:
        return {
            "format": self.format,
            "dry_run": self.dry_run,
            "rows": self.rows,
            "counts": self.counts,
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


def format_problem(problem: dict) -> str:
    where = f"line {problem['line']}" if problem.get("line") else "file"
    if problem.get("column"):
        where += f", {problem['column']}"
    return f"{where}: {problem['message']}"
