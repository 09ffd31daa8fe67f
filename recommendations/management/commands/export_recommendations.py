import csv
import json
import sys

from django.core.management.base import BaseCommand

from recommendations import native
from recommendations.csv_cells import neutralise
from recommendations.models import Recommendation, Response


class Command(BaseCommand):
    help = "Write recommendations in the native format (the format import_recommendations reads)."

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=["csv", "json"], default="csv")
        parser.add_argument("--output", "-o", help="File to write; standard output if left out.")
        parser.add_argument("--state", nargs="+", metavar="ISO3", help="States under review.")
        parser.add_argument("--cycle", nargs="+", type=int)
        parser.add_argument("--response", nargs="+", choices=Response.values)

    def handle(self, *args, **options):
        recs = Recommendation.objects.for_export().order_by(
            "review__state_under_review__iso3", "review__cycle", "id"
        )
        if options["state"]:
            recs = recs.filter(
                review__state_under_review__iso3__in=[s.upper() for s in options["state"]]
            )
        if options["cycle"]:
            recs = recs.filter(review__cycle__in=options["cycle"])
        if options["response"]:
            recs = recs.filter(response__in=options["response"])
        out = (
            open(options["output"], "w", encoding="utf-8", newline="")
            if options["output"]
            else sys.stdout
        )
        try:
            count = write(out, recs, options["format"])
        finally:
            if options["output"]:
                out.close()
        if options["output"]:
            self.stderr.write(f"{count} recommendations written to {options['output']}.")


def write(out, recs, fmt: str) -> int:
    names = native.acting_names()
    rows = (native.row(rec, acting=names) for rec in recs.iterator(chunk_size=2000))
    count = 0
    if fmt == "json":
        # One object per line inside the list keeps a diff of two exports readable.
        out.write("[")
        for count, row in enumerate(rows, start=1):
            out.write(("\n" if count == 1 else ",\n") + json.dumps(row, ensure_ascii=False))
        out.write("\n]\n")
        return count
    writer = csv.DictWriter(out, fieldnames=native.FIELDS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({name: neutralise(value) for name, value in row.items()})
        count += 1
    return count
