"""Report benchmark: a 300-recommendation stakeholder submission at benchmark scale.

    .venv/bin/python bench/reports.py [--recommendations 300000 --commitments 100000
        --jurisdictions 20000] [--size 300]

Uses the page benchmark's database (BENCH_DATABASE_URL, generated once by bench/pages.py
or here). Chooses the `--size` recommendations with the most local action, the heaviest
case, then times the builder page, the Word file and the PDF, each from the request to
the last byte (wall clock, and this process's CPU time, which other load on the machine
does not inflate), with the SQL queries each makes. The goal is under 10 s for each file.
"""

import argparse
import os
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from pages import DEFAULT_URL, SqlTimer, ensure_database, setup_django  # noqa: E402


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recommendations", type=int, default=300_000)
    parser.add_argument("--commitments", type=int, default=100_000)
    parser.add_argument("--jurisdictions", type=int, default=20_000)
    parser.add_argument("--size", type=int, default=300)
    parser.add_argument("--regenerate", action="store_true")
    return parser.parse_args()


def timed(client, method, url, data=None):
    from django.db import connection

    timer = SqlTimer()
    with connection.execute_wrapper(timer):
        start, cpu = time.perf_counter(), time.process_time()
        response = getattr(client, method)(url, data or {})
        body = response.content
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}")
    return elapsed, cpu, timer, len(body)


def main():
    args = parse_args()
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    ensure_database(url, args.regenerate)
    setup_django(url)
    from django.core.management import call_command
    from django.test import Client

    from jurisdictions.reports import builder
    from recommendations.models import Recommendation

    call_command("migrate", verbosity=0, interactive=False)
    if Recommendation.objects.count() < args.recommendations:
        print("Generating data (this runs once per database) ...", flush=True)
        call_command(
            "generate_benchmark_data",
            recommendations=args.recommendations,
            commitments=args.commitments,
            jurisdictions=args.jurisdictions,
        )
    ids = list(
        Recommendation.objects.order_by("-jurisdictions_acting", "id").values_list("id", flat=True)[
            : args.size
        ]
    )
    # The comparison is with the in-request path: the file is built while timing.
    builder.TASK_THRESHOLD = len(ids)
    post = {"kind": "submission", "limit": "joint", "ids": ids, "introduction": "Our view."}
    client = Client()
    print(f"Data: {Recommendation.objects.count()} recommendations; report of {len(ids)}")
    print(f"{'step':<14}{'seconds':>9}{'CPU s':>8}{'queries':>9}{'SQL s':>8}{'bytes':>11}")
    for label, action in (("builder page", "preview"), ("Word file", "docx"), ("PDF", "pdf")):
        elapsed, cpu, timer, size = timed(
            client, "post", "/reports/new/", {**post, "action": action}
        )
        print(
            f"{label:<14}{elapsed:>9.2f}{cpu:>8.2f}{timer.queries:>9}{timer.seconds:>8.2f}"
            f"{size:>11,}"
        )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory {peak:.0f} MB")


if __name__ == "__main__":
    main()
