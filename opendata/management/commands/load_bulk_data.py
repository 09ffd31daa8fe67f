from django.core.management.base import BaseCommand, CommandError

from opendata import load


class Command(BaseCommand):
    help = (
        "Load one day's bulk files (a folder holding manifest.json) into an empty instance: "
        "the same public data under the same permanent identifiers."
    )

    def add_arguments(self, parser):
        parser.add_argument("folder", help="A day's folder, e.g. media/opendata/2026-12-03")
        parser.add_argument("--format", choices=load.FORMATS, default="jsonl")

    def handle(self, *args, folder, format, **options):
        try:
            counts = load.load(folder, format)
        except load.LoadError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write("Loaded " + ", ".join(f"{k} {v}" for k, v in counts.items()) + ".")
