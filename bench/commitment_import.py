"""Staff commitment CSV import benchmark: a 2,000-row file through the upload view.

    .venv/bin/python bench/commitment_import.py [--rows 2000] [--runs 5]

Uses its own PostgreSQL database (BENCH_COMMITMENT_DATABASE_URL, default
upr_bench_commitments), signs in an editor of one jurisdiction, posts the file the way the
browser does, and prints the median and each run's wall time with the query count. The
goal is well under 5 s (gunicorn's timeout is 30 s). Each run starts from no commitments.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from pages import SqlTimer, ensure_database, setup_django  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/upr_bench_commitments"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    url = os.environ.get("BENCH_COMMITMENT_DATABASE_URL", DEFAULT_URL)
    ensure_database(url, True)
    setup_django(url)
    from django.contrib.auth import get_user_model
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from jurisdictions.models import Commitment, Jurisdiction, Membership
    from recommendations.models import Theme

    call_command("migrate", verbosity=0, interactive=False)
    call_command("seed_reference", verbosity=0)
    place = Jurisdiction.objects.get(slug="pennsylvania")
    editor = get_user_model().objects.create_user("bench-editor", "bench@example.org", "x")
    Membership.objects.create(user=editor, jurisdiction=place, role=Membership.Role.EDITOR)
    themes = list(Theme.objects.values_list("slug", flat=True)[:2])
    rows = [
        f"Plan {n},policy,2021-01-01,https://example.org/{n},{';'.join(themes)},"
        f'"What the plan {n} does, who carries it out and by when, in a sentence or two."'
        for n in range(args.rows)
    ]
    raw = ("title,kind,adopted_on,source_url,themes,summary\n" + "\n".join(rows)).encode()
    client = Client()
    client.force_login(editor)
    target = reverse("staff:commitment-import", args=[place.slug])
    times = []
    for _ in range(args.runs):
        Commitment.objects.all().delete()
        timer = SqlTimer()
        with connection.execute_wrapper(timer):
            start = time.perf_counter()
            response = client.post(
                target, {"file": SimpleUploadedFile("c.csv", raw, content_type="text/csv")}
            )
            times.append(time.perf_counter() - start)
        if response.status_code not in (200, 302):
            raise SystemExit(f"The import answered {response.status_code}")
        created = Commitment.objects.filter(jurisdiction=place).count()
        print(f"run: {times[-1]:.2f} s, {timer.queries} queries, {created} commitments")
    print(f"median over {args.runs} runs of {args.rows} rows: {statistics.median(times):.2f} s")
    print(f"load average: {os.getloadavg()}")


if __name__ == "__main__":
    main()
