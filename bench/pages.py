"""Page benchmark: generates data into PostgreSQL, then times the public pages in-process.

    make bench
    .venv/bin/python bench/pages.py --recommendations 30000 --commitments 10000 --jurisdictions 2000

For each page: the first request with an empty cache, then the median and 95th percentile
server time over --requests requests, the SQL queries one request makes, the time spent in
SQL, and the time outside it. Then the full
recommendations export.csv: rows per second and the process's peak memory.
"""

import argparse
import os
import resource
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/upr_bench"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recommendations", type=int, default=300_000)
    parser.add_argument("--commitments", type=int, default=100_000)
    parser.add_argument("--jurisdictions", type=int, default=20_000)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--skip-export", action="store_true")
    parser.add_argument(
        "--regenerate", action="store_true", help="Drop and refill the benchmark database."
    )
    return parser.parse_args()


def ensure_database(url: str, fresh: bool):
    import psycopg2

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = psycopg2.connect(
        host=parts.hostname,
        port=parts.port or 5432,
        user=parts.username or "postgres",
        password=parts.password or "",
        dbname="postgres",
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        exists = cursor.fetchone() is not None
        if exists and fresh:
            cursor.execute(f'DROP DATABASE "{name}"')
            exists = False
        if not exists:
            cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()


def setup_django(url: str):
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key")
    os.environ.setdefault("DEBUG", "0")
    os.environ["SECURE_SSL_REDIRECT"] = "0"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "upr_tracker.settings")
    import django

    django.setup()
    from django.conf import settings

    settings.ALLOWED_HOSTS = ["testserver"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


class SqlTimer:
    """Counts and times every query through connection.execute_wrapper."""

    def __init__(self):
        self.queries = 0
        self.seconds = 0.0

    def __call__(self, execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - start
            self.queries += 1


def request(client, url):
    from django.db import connection

    timer = SqlTimer()
    with connection.execute_wrapper(timer):
        start = time.perf_counter()
        response = client.get(url)
        if response.streaming:
            for _ in response.streaming_content:
                pass
        elapsed = time.perf_counter() - start
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}")
    return elapsed, timer


def percentile(values, fraction):
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def pages():
    from django.db.models import Count

    from jurisdictions.models import Commitment, Jurisdiction
    from recommendations.models import Recommendation, Review, Theme

    theme = Theme.objects.annotate(n=Count("recommendations")).order_by("-n").values("slug").first()
    rec = (
        Recommendation.objects.filter(jurisdictions_acting__gt=0)
        .order_by("-jurisdictions_acting")
        .first()
        or Recommendation.objects.first()
    )
    busy = (
        Jurisdiction.objects.annotate(n=Count("commitments"))
        .order_by("-n")
        .values("slug", "state_code")
        .first()
    )
    commitment = Commitment.objects.published().annotate(n=Count("links")).order_by("-n").first()
    review = Review.objects.order_by("-cycle").first()
    return [
        ("home", "/"),
        ("recommendations, no filter", "/recommendations/"),
        (
            "recommendations, 3 filters + facets",
            f"/recommendations/?response=supported&region=weog&theme={theme['slug']}",
        ),
        ("search q=police use of force", "/recommendations/?q=police+use+of+force"),
        ("search + 2 filters", "/recommendations/?q=police+use+of+force&cycle=3&response=noted"),
        ("recommendation detail", rec.get_absolute_url()),
        ("theme detail", f"/themes/{theme['slug']}/"),
        ("country detail", "/countries/FRA/"),
        ("review detail", review.get_absolute_url()),
        ("jurisdictions list", f"/jurisdictions/?kind=city&state={busy['state_code'] or 'CA'}"),
        ("jurisdiction detail", f"/jurisdictions/{busy['slug']}/"),
        ("commitments list", "/commitments/?status=adopted"),
        ("commitments search", "/commitments/?q=police+oversight"),
        ("commitment detail", commitment.get_absolute_url()),
        ("themes list", "/themes/"),
        ("commitments feed", "/feeds/commitments/"),
    ]


def main():
    args = parse_args()
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    ensure_database(url, args.regenerate)
    setup_django(url)
    from django.core.management import call_command
    from django.test import Client

    from recommendations.models import Recommendation

    call_command("migrate", verbosity=0, interactive=False)
    have = Recommendation.objects.count()
    if have < args.recommendations:
        if have:
            raise SystemExit(
                f"The benchmark database holds {have} recommendations, fewer than asked for; "
                "run again with --regenerate."
            )
        print("Generating data (this runs once per database) ...", flush=True)
        start = time.perf_counter()
        call_command(
            "generate_benchmark_data",
            recommendations=args.recommendations,
            commitments=args.commitments,
            jurisdictions=args.jurisdictions,
        )
        print(f"generated in {time.perf_counter() - start:.0f} s", flush=True)

    from jurisdictions.models import Commitment, Jurisdiction

    print(
        f"\nData: {Recommendation.objects.count()} recommendations, "
        f"{Commitment.objects.count()} commitments, {Jurisdiction.objects.count()} jurisdictions"
    )
    client = Client()

    if not args.skip_export:
        export(client)
    pages_table(client, args.requests)


def export(client):
    # The export runs first, so the peak memory reported is the export's, not the pages'.
    base_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    start = time.perf_counter()
    response = client.get("/recommendations/export.csv")
    lines = 0
    for chunk in response.streaming_content:
        lines += chunk.count(b"\n")
    export_seconds = time.perf_counter() - start
    peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rows = lines - 1
    print(
        f"\nexport.csv: {rows} rows in {export_seconds:.1f} s = {rows / export_seconds:,.0f} "
        f"rows/s; peak RSS {peak_rss:.0f} MB (before the export {base_rss:.0f} MB)"
    )


def pages_table(client, requests):
    from django.core.cache import cache

    # "cold": the first request after clearing the cache (facet counts and home figures
    # are cached for a few minutes); the median and p95 are over the following requests.
    header = (
        f"\n{'page':38} {'cold':>9} {'queries':>7} {'median':>9} {'p95':>9} "
        f"{'queries':>7} {'SQL':>8} {'non-SQL':>8}"
    )
    print(header + "\n" + "-" * (len(header) - 1))
    for name, page_url in pages():
        cache.clear()
        cold, cold_timer = request(client, page_url)
        times, sql, outside, queries = [], [], [], 0
        for _ in range(requests):
            elapsed, timer = request(client, page_url)
            times.append(elapsed * 1000)
            sql.append(timer.seconds * 1000)
            outside.append((elapsed - timer.seconds) * 1000)
            queries = timer.queries
        print(
            f"{name:38} {cold * 1000:7.0f}ms {cold_timer.queries:7d} "
            f"{statistics.median(times):7.1f}ms {percentile(times, 0.95):7.1f}ms "
            f"{queries:7d} {statistics.median(sql):6.1f}ms {statistics.median(outside):6.1f}ms",
            flush=True,
        )


if __name__ == "__main__":
    main()
