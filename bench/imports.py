"""Import benchmark (run by `make bench`; not a test).

Generates a UPR Info-shaped CSV shaped like the real exports (about 1.03 rows per
recommendation, texts of about 135 characters on average, one to three issues; BENCH_FILE can point
at a real export instead), then, each in a fresh process so that its peak memory is its
own: imports it into an emptied PostgreSQL database, and imports it again unchanged.
Prints the time and peak memory of each. Target: the re-import of 200,000 rows < 400 MB.

    BENCH_DATABASE_URL  default postgres://postgres@127.0.0.1:5432/upr_bench_import
    BENCH_ROWS          rows of the generated file (200000)
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
SUBJECTS = ["housing", "torture", "migrants", "water", "women", "justice", "children", "police"]


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
    """About 1.03 rows (recommending states) per recommendation, as in real exports."""
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
            # Real texts average about 135 characters.
            words = [rng.choice(SUBJECTS) for _ in range(rng.randint(5, 18))]
            text = (
                f"{rng.choice(VERBS)} {rng.choice(OBJECTS)} {' '.join(words)}, "
                f"measure {n} of the review."
            )
            issues = ",".join(rng.sample(UPR_INFO_ISSUES, rng.randint(1, 3)))
            response = rng.choice(["Accepted", "Accepted", "Noted"])
            action = str(rng.randint(1, 5))
            recommenders = 2 if rng.random() < 0.03 else 1
            for recommender in rng.sample(names, min(rows - written, recommenders)):
                row = [state, "WEOG", "", text, recommender, "WEOG", ""]
                writer.writerow(row + [response, action, issues, str(session)])
                written += 1


def empty():
    from django.db import connection

    from recommendations.models import Recommendation, Review

    Recommendation.history.all().delete()
    Recommendation.objects.all().delete()
    Review.objects.all().delete()
    # Autovacuum may be off: without this, each run would wade through the last one's
    # dead rows and measure a slower import every time.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def timed_import(path) -> tuple[float, dict]:
    from recommendations.importers.pipeline import import_file

    started = time.monotonic()
    report = import_file(path)
    if not report.ok:
        raise SystemExit(f"import failed: {report.errors[:5]}")
    return time.monotonic() - started, report.counts


def child(path, first: bool):
    """One import in a fresh process; prints its time, counts and peak memory. The parent
    empties the database first, so that deleting a previous run is not measured."""
    setup()
    seconds, counts = timed_import(path)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    label = "first import" if first else "re-import unchanged"
    print(f"{label}: {seconds:.1f} s, peak memory {peak:.0f} MB, {counts}", flush=True)


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        child(sys.argv[2], first=sys.argv[3] == "first")
        return
    setup()
    rows = int(os.environ.get("BENCH_ROWS", "200000"))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(os.environ.get("BENCH_FILE") or Path(folder) / "upr-info.csv")
        if not os.environ.get("BENCH_FILE"):
            generate(path, rows)
        print(f"{path.name}: {rows} rows")
        empty()
        for step in ("first", "again"):
            subprocess.run([sys.executable, __file__, "--child", str(path), step], check=True)
        print("target: re-import peak < 400 MB")
        empty()


if __name__ == "__main__":
    main()
