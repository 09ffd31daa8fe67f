from django.core.management.base import BaseCommand, CommandError

from recommendations.importers.pipeline import import_file
from recommendations.importers.report import format_problem


class Command(BaseCommand):
    help = (
        "Import recommendations from a UPR Info export, a UHRI export, a UN report table or "
        "the native format (CSV, XLSX, XLS or JSON). All or nothing: any invalid row means "
        "nothing is written. --format un-spanish adds the Spanish text of a UN report table "
        "to the recommendations already imported."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument(
            "--format",
            choices=["upr-info", "uhri", "native", "un-report", "un-spanish"],
            help="Detected from the header when left out.",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Validate and count, write nothing."
        )
        parser.add_argument(
            "--state",
            nargs="+",
            metavar="ISO3",
            help="Only these states under review; other rows are skipped.",
        )
        parser.add_argument(
            "--skip-non-upr",
            action="store_true",
            help="UHRI: skip treaty-body and special-procedure rows instead of keeping them.",
        )
        parser.add_argument(
            "--warnings", action="store_true", help="Also print warnings (fuzzy matches, ...)."
        )

    def handle(self, *args, **options):
        report = import_file(
            options["file"],
            format=options["format"],
            dry_run=options["dry_run"],
            states=options["state"],
            keep_non_upr=not options["skip_non_upr"],
        )
        for problem in report.errors:
            self.stderr.write(format_problem(problem))
        if options["warnings"]:
            for problem in report.warnings:
                self.stdout.write("warning: " + format_problem(problem))
        elif report.warnings:
            self.stdout.write(f"{len(report.warnings)} warnings (--warnings to list them).")
        self.stdout.write(f"{report.summary()} {report.seconds:.1f} s.")
        for line in report.state_lines():
            self.stdout.write(line)
        if report.nothing_imported():
            self.stdout.write(report.nothing_imported())
        if not report.ok:
            rows, problems = report.counts["errors"], report.problems
            if rows:
                raise CommandError(
                    f"{rows} invalid rows ({problems} problems); nothing was written."
                )
            raise CommandError("The file cannot be imported; nothing was written.")
