from django.core.management.base import BaseCommand

from opendata import bulk


class Command(BaseCommand):
    help = "Write today's bulk files (CSV zip, JSON Lines, manifest) under OPEN_DATA_DIR."

    def handle(self, *args, **options):
        counts = bulk.build()
        if not counts["built"]:
            self.stdout.write(f"The set of {counts['day']} exists already; nothing written.")
            return
        tables = ", ".join(
            f"{k} {v}" for k, v in counts.items() if k not in {"built", "day", "seconds"}
        )
        self.stdout.write(
            f"Wrote {bulk.data_dir() / counts['day']} in {counts['seconds']} s: {tables}."
        )
