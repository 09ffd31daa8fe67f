"""Bulk file benchmark: the daily build of the whole public data set.

    .venv/bin/python bench/bulk.py --recommendations 20000 --commitments 7000 --jurisdictions 1500
    .venv/bin/python bench/bulk.py        # the goal's size: 300,000 / 100,000 / 20,000

Fills a database of its own with generate_benchmark_data (once; --regenerate refills it),
then builds the bulk files (the CSV zip, the JSON Lines files and the manifest) in a fresh
process, so that the peak memory printed is the build's alone, and prints the wall time,
the peak resident memory, the rows and the size of each file. Goal at 300,000
recommendations: under 2 minutes and 300 MB. Uses bench/pages.py's database set-up.

    BENCH_BULK_DATABASE_URL  default postgres://postgres@127.0.0.1:5432/upr_bench_bulk
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import pages  # noqa: E402  (bench/pages.py, beside this file)

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/upr_bench_bulk"
GOAL_SECONDS = 120
GOAL_MB = 300


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recommendations", type=int, default=300_000)
    parser.add_argument("--commitments", type=int, default=100_000)
    parser.add_argument("--jurisdictions", type=int, default=20_000)
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument("--build-into", help=argparse.SUPPRESS)
    return parser.parse_args()


def build_only(url: str, folder: str):
    """The child process: one build, its counts as JSON on the last line."""
    pages.setup_django(url)
    from django.conf import settings

    from opendata import bulk

    settings.OPEN_DATA_DIR = Path(folder)
    counts = bulk.build()
    print(json.dumps(counts))


def main():
    args = parse_args()
    url = os.environ.get("BENCH_BULK_DATABASE_URL", DEFAULT_URL)
    if args.build_into:
        build_only(url, args.build_into)
        return
    pages.ensure_database(url, args.regenerate)
    pages.setup_django(url)
    from django.db import connection

    from jurisdictions.models import Commitment
    from recommendations.models import Recommendation

    pages.fill(args)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    print(
        f"Data: {Recommendation.objects.count()} recommendations, "
        f"{Commitment.objects.published().count()} published commitments"
    )
    connection.close()
    print(f"Machine load (1, 5, 15 min): {os.getloadavg()}", flush=True)

    with tempfile.TemporaryDirectory(prefix="upr-bench-bulk-") as folder:
        start = time.perf_counter()
        child = subprocess.run(
            [sys.executable, __file__, "--build-into", folder],
            check=True,
            capture_output=True,
            text=True,
        )
        seconds = time.perf_counter() - start
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        counts = json.loads(child.stdout.strip().splitlines()[-1])
        manifest = json.loads((Path(folder) / counts["day"] / "manifest.json").read_text())
    print(f"\n{'file':<36} {'rows':>10} {'MB':>8}")
    for entry in manifest["files"]:
        rows = entry.get("rows", sum(t["rows"] for t in entry.get("tables", [])))
        print(f"{entry['name']:<36} {rows:>10} {entry['bytes'] / 1e6:>8.1f}")
    met = "met" if seconds < GOAL_SECONDS and peak_mb < GOAL_MB else "NOT met"
    print(
        f"\nbuild: {seconds:.1f} s wall (in the job {counts['seconds']} s), peak RSS "
        f"{peak_mb:.0f} MB; goal at 300,000 recommendations: under {GOAL_SECONDS} s and "
        f"{GOAL_MB} MB: {met}"
    )
    print(f"Machine load (1, 5, 15 min): {os.getloadavg()}")


if __name__ == "__main__":
    main()
