"""Import benchmark (run by `make bench`; not a test).

Generates a UPR Info-shaped CSV of 40,000 rows (about 20,000 recommendations; BENCH_FILE
can point at a real export instead), imports it into an emptied PostgreSQL database,
imports it again unchanged, and measures the peak memory of a separate import process
for a 200,000-row file. Targets: first import < 30 s, re-import < 15 s, 200k rows < 400 MB.

    BENCH_DATABASE_URL  default postgres://postgres@127.0.0.1:5432/upr_bench_import
    BENCH_ROWS          rows of the generated file (40000)
    BENCH_MEMORY_ROWS   rows of the memory run (200000; 0 skips it)
"""

import csv
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/upr_bench_import"
os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "upr_tracker.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key")
os.environ.pop("REDIS_URL", None)

HEADER = ["To", "To-Rgrp", "To-Org", "Text", "From", "From-Rgrp", "From-Org"]
HEADER += ["Response", "Action", "Issue", "Session"]
VERBS = ["Ratify", "Adopt", "Strengthen", "Consider", "Continue", "Ensure", "Establish"]
OBJECTS = ["a national plan", "the legal framework", "an independent body", "measures"]
SUBJECTS = ["on housing", "against torture", "for migrants", "on water access", "for women"]


def ensure_database():
    import psycopg2
    from django.conf import settings

    db = settings.DATABASES["default"]
    conn = psycopg2.connect(
        dbname="postgres", user=db["USER"], host=db["HOST"], port=db["PORT"] or 5432
    )
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]])
        if not cursor.fetchone():
            cursor.execute(f'CREATE DATABASE "{db["NAME"]}"')
    conn.close()


def setup():
    import django

    django.setup()
    ensure_database()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from recommendations.seed import seed_reference

    seed_reference()


def generate(path: Path, rows: int, seed: int = 5):
    """Two rows (two recommending states) per recommendation on average."""
    from recommendations.models import Country
    from recommendations.reference import UPR_INFO_ISSUES

    rng = random.Random(seed)
    names = list(Country.objects.filter(kind="state").values_list("name", flat=True))
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADER)
        written = n = 0
        while written < rows:
            n += 1
            state = names[n % len(names)]
            session = 1 + (n // len(names)) % 40
            text = (
                f"{rng.choice(VERBS)} {rng.choice(OBJECTS)} {rng.choice(SUBJECTS)}, "
                f"measure {n} of the review."
            )
            issues = ",".join(rng.sample(UPR_INFO_ISSUES, rng.randint(1, 3)))
            response = rng.choice(["Accepted", "Accepted", "Noted"])
            action = str(rng.randint(1, 5))
            for recommender in rng.sample(names, min(rows - written, rng.choice([1, 2, 3]))):
                row = [state, "WEOG", "", text, recommender, "WEOG", ""]
                writer.writerow(row + [response, action, issues, str(session)])
                written += 1


def empty():
    from recommendations.models import Recommendation, Review

    Recommendation.history.all().delete()
    Recommendation.objects.all().delete()
    Review.objects.all().delete()


def timed_import(path) -> tuple[float, dict]:
    from recommendations.importers.pipeline import import_file

    started = time.monotonic()
    report = import_file(path)
    if not report.ok:
        raise SystemExit(f"import failed: {report.errors[:5]}")
    return time.monotonic() - started, report.counts


def child(path):
    """The memory run: one import in a fresh process."""
    setup()
    empty()
    seconds, counts = timed_import(path)
    print(f"  ({seconds:.1f} s, {counts})")


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        child(sys.argv[2])
        return
    setup()
    rows = int(os.environ.get("BENCH_ROWS", "40000"))
    memory_rows = int(os.environ.get("BENCH_MEMORY_ROWS", "200000"))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(os.environ.get("BENCH_FILE") or Path(folder) / "upr-info.csv")
        if not os.environ.get("BENCH_FILE"):
            generate(path, rows)
        empty()
        seconds, counts = timed_import(path)
        print(f"import {path.name}: {seconds:.1f} s {counts} (target < 30 s for 40k rows)")
        seconds, counts = timed_import(path)
        print(f"re-import unchanged: {seconds:.1f} s {counts} (target < 15 s)")

        if memory_rows:
            big = Path(folder) / "upr-info-big.csv"
            generate(big, memory_rows, seed=7)
            subprocess.run([sys.executable, __file__, "--child", str(big)], check=True)
            peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
            print(f"peak memory importing {memory_rows} rows: {peak:.0f} MB (target < 400 MB)")
        empty()


if __name__ == "__main__":
    main()
