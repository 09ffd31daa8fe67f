"""Page benchmark: generates data into PostgreSQL, then times the public pages.

    make bench
    .venv/bin/python bench/pages.py --recommendations 30000 --commitments 10000 --jurisdictions 2000

For each kind of page, in-process: "cold" requests each clear the cache first and ask for
a different URL (other filters, searches, pages or records), as visitors rarely repeat
each other; "warm" repeats one URL with the cache kept. Printed: cold median and 95th
percentile, warm median, the SQL queries of one request and the median time in SQL. Then
the CSV export (first byte, rows per second, peak memory) and a varied-load run: a server
on 127.0.0.1 (gunicorn, its workers sharing a Redis cache when one answers) and 16
connections replaying --load-urls different filter and search URLs for --load-seconds
seconds: requests per second, percentiles and errors, first visits apart from repeats.
The facet index is brought up to date first, as the build task would after an import.
Longer than most modules because the URL generators and the load run live here.
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
SEARCH_WORDS = [
    "police",
    "housing",
    "death penalty",
    "migrants",
    "torture",
    "detention",
    "voting",
    "trafficking",
    "journalists",
    "water",
    "firearms",
    "education",
    "eviction",
    "police use of force",
    "solitary confinement",
    "asylum",
    "climate",
    "legal aid",
]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recommendations", type=int, default=300_000)
    parser.add_argument("--commitments", type=int, default=100_000)
    parser.add_argument("--jurisdictions", type=int, default=20_000)
    parser.add_argument("--requests", type=int, default=30, help="Cold requests per page.")
    parser.add_argument("--skip-export", action="store_true")
    parser.add_argument("--skip-load", action="store_true")
    parser.add_argument("--load-urls", type=int, default=500)
    parser.add_argument("--load-seconds", type=int, default=60)
    parser.add_argument("--connections", type=int, default=16)
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


class Values:
    """What the filters can take in this database, to build varied URLs from."""

    def __init__(self):
        from jurisdictions.models import Jurisdiction
        from recommendations import facet_index
        from recommendations.models import (
            AffectedGroup,
            Country,
            Recommendation,
            Review,
            SdgGoal,
            Theme,
        )

        acting = facet_index.current().busiest("jurisdiction", None, 200)
        self.choices = {
            "cycle": ["1", "2", "3", "4"],
            "response": list(Recommendation.Response.values),
            "action": ["1", "2", "3", "4", "5"],
            "local_action": ["any", "none"],
            "theme": list(
                Theme.objects.filter(recommendations__isnull=False)
                .distinct()
                .values_list("slug", flat=True)
            ),
            "country": list(Country.objects.filter(kind="state").values_list("iso3", flat=True)),
            "region": ["african", "asia_pacific", "eeg", "grulac", "weog"],
            "group": list(AffectedGroup.objects.values_list("slug", flat=True)),
            "sdg": [str(n) for n in SdgGoal.objects.values_list("number", flat=True)],
            "jurisdiction": list(
                Jurisdiction.objects.filter(pk__in=[int(v) for v in acting]).values_list(
                    "slug", flat=True
                )
            ),
        }
        self.recommendations = list(
            Recommendation.objects.order_by("?").values_list("public_id", flat=True)[:500]
        )
        self.themes = self.choices["theme"]
        self.reviews = list(
            Review.objects.filter(recommendations__isnull=False)
            .distinct()
            .values_list("pk", flat=True)
        )
        self.countries = self.choices["country"]
        from jurisdictions.models import Commitment

        self.commitments = list(
            Commitment.objects.published().order_by("?").values_list("pk", flat=True)[:500]
        )
        # Places with local action, to compare two to four of them.
        self.places = self.choices["jurisdiction"]

    def filters(self, rng, count: int) -> list[tuple[str, str]]:
        names = rng.sample(sorted(self.choices), count)
        return [(name, rng.choice(self.choices[name])) for name in names if self.choices[name]]

    def search(self, rng) -> tuple[str, str]:
        return ("q", rng.choice(SEARCH_WORDS))


def list_url(pairs) -> str:
    from urllib.parse import urlencode

    # Every state under review: the whole table, the heaviest case (the default shows
    # only the United States' reviews).
    return "/recommendations/?" + urlencode([("under_review", "all"), *pairs])


def page_kinds(values, rng, n):
    """(name, [n different URLs]) for each kind of page."""

    def many(make):
        return [make() for _ in range(n)]

    sorts = ["citation", "response", "local"]
    return [
        ("home", many(lambda: "/?v=" + str(rng.random()))),
        (
            "list, no filter (sorts, pages 1-20)",
            many(lambda: list_url([("sort", rng.choice(sorts)), ("page", rng.randint(1, 20))])),
        ),
        ("list, 1 filter + facets", many(lambda: list_url(values.filters(rng, 1)))),
        (
            "list, 2-3 filters + facets",
            many(lambda: list_url(values.filters(rng, rng.randint(2, 3)))),
        ),
        (
            "list, 4-5 filters + facets",
            many(lambda: list_url(values.filters(rng, rng.randint(4, 5)))),
        ),
        ("search alone", many(lambda: list_url([values.search(rng)]))),
        (
            "search + 1-3 filters",
            many(lambda: list_url([values.search(rng)] + values.filters(rng, rng.randint(1, 3)))),
        ),
        (
            "list, any page number",
            many(
                lambda: list_url(
                    values.filters(rng, rng.randint(0, 1)) + [("page", rng.randint(1, 12000))]
                )
            ),
        ),
        (
            "recommendation detail",
            many(lambda: f"/r/{rng.choice(values.recommendations)}/"),
        ),
        ("themes list", many(lambda: "/themes/?v=" + str(rng.random()))),
        ("theme page", many(lambda: f"/themes/{rng.choice(values.themes)}/")),
        ("country page", many(lambda: f"/countries/{rng.choice(values.countries)}/")),
        ("review page", many(lambda: f"/reviews/{rng.choice(values.reviews)}/")),
        ("commitment detail", many(lambda: f"/commitments/{rng.choice(values.commitments)}/")),
        (
            "compare places",
            many(
                lambda: (
                    "/compare/?"
                    + "&".join(f"j={slug}" for slug in rng.sample(values.places, rng.randint(2, 4)))
                )
            ),
        ),
        ("mirror", many(lambda: "/mirror/?v=" + str(rng.random()))),
    ]


def main():
    args = parse_args()
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    ensure_database(url, args.regenerate)
    setup_django(url)
    from django.db import connection
    from django.test import Client

    from recommendations.models import Recommendation

    fill(args)
    vacuum_analyze()

    from jurisdictions.models import Commitment, Jurisdiction

    print(
        f"\nData: {Recommendation.objects.count()} recommendations, "
        f"{Commitment.objects.count()} commitments, {Jurisdiction.objects.count()} jurisdictions"
    )
    print(f"Machine load (1, 5, 15 min): {os.getloadavg()}", flush=True)
    facet_index_figures()
    like_a_started_worker()
    client = Client()
    if not args.skip_export:
        export(client)
    connection.close()
    pages_table(client, args.requests)
    if not args.skip_load:
        varied_load(url, args)
    print(f"\nMachine load (1, 5, 15 min): {os.getloadavg()}")


def fill(args):
    """Migrates, then generates the data set `args` asks for unless the database holds it
    (once per database; --regenerate starts again)."""
    from django.core.management import call_command

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


def vacuum_analyze():
    """Autovacuum is off on the benchmark machine; a deployed server's would have run. Index-
    only scans and the planner's estimates need both the visibility map and statistics (and
    other benchmarks on the same database leave dead rows behind)."""
    from django.db import connection

    with connection.cursor() as cursor:
        start = time.perf_counter()
        cursor.execute("VACUUM ANALYZE")
        print(f"VACUUM ANALYZE in {time.perf_counter() - start:.0f} s", flush=True)


def facet_index_figures():
    """Brings the facet index up to date (the task an import queues) and times what a
    process does once per data change: a fresh one loads the stored index."""
    from recommendations import facet_index

    built = facet_index.build()
    facet_index.forget_held()
    start = time.perf_counter()
    facet_index.current()
    print(
        f"facet index: built in {built['seconds']:.1f} s, {built['bytes'] / 1e6:.1f} MB; "
        f"a process loads it in {(time.perf_counter() - start) * 1000:.0f} ms",
        flush=True,
    )


def like_a_started_worker():
    """A server worker freezes what lives on once it has started (gunicorn_conf.py), so
    that full garbage collections skip it; this process, timing requests in place of one,
    does the same after its set-up, or a collection walking the set-up's objects (tens of
    ms) would land in some page's time."""
    from upr_tracker.gunicorn_conf import freeze_what_lives_on

    freeze_what_lives_on()


def export(client):
    # The export runs first, so the peak memory reported is the export's, not the pages'.
    # One small request before it, so its first byte does not include the process's own
    # start-up (URL configuration, templates, middleware).
    client.get("/robots.txt")
    base_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    start = time.perf_counter()
    response = client.get("/recommendations/export.csv?under_review=all")
    lines = 0
    first = None
    for chunk in response.streaming_content:
        if first is None:
            first = time.perf_counter() - start
        lines += chunk.count(b"\n")
    export_seconds = time.perf_counter() - start
    peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rows = lines - 1
    print(
        f"\nexport.csv: first byte after {first * 1000:.0f} ms; {rows} rows in "
        f"{export_seconds:.1f} s = {rows / export_seconds:,.0f} rows/s; peak RSS "
        f"{peak_rss:.0f} MB (before the export {base_rss:.0f} MB)"
    )


# The speed goals (cold median, cold p95, in ms) each kind of page is held to; list and
# search pages also spend at most their SQL time plus LIST_OUTSIDE_SQL_MS outside SQL.
LIST = (100, 200)
GOALS = {
    "home": (50, 100),
    "list, no filter (sorts, pages 1-20)": LIST,
    "list, 1 filter + facets": LIST,
    "list, 2-3 filters + facets": LIST,
    "list, 4-5 filters + facets": LIST,
    "search alone": LIST,
    "search + 1-3 filters": LIST,
    "list, any page number": LIST,
    "recommendation detail": (30, None),
    "themes list": (50, None),
    "theme page": (50, None),
    # Learning across places (issue 26).
    "commitment detail": (150, None),
    "compare places": (150, None),
    "mirror": (150, None),
}
LIST_OUTSIDE_SQL_MS = 30
LOAD_GOAL = {"requests/s": 60, "p99 ms": 500}


def verdict(name, cold, sql) -> str:
    goal = GOALS.get(name)
    if goal is None:
        return "(no goal)"
    median, p95 = statistics.median(cold), percentile(cold, 0.95)
    misses = []
    if median >= goal[0]:
        misses.append(f"median < {goal[0]}")
    if goal[1] is not None and p95 >= goal[1]:
        misses.append(f"p95 < {goal[1]}")
    if (
        goal is LIST
        and median - statistics.median(sql) > statistics.median(sql) + LIST_OUTSIDE_SQL_MS
    ):
        misses.append(f"outside SQL <= SQL + {LIST_OUTSIDE_SQL_MS}")
    return "met" if not misses else "NOT met: " + ", ".join(misses)


def pages_table(client, requests):
    import random

    from django.core.cache import cache

    rng = random.Random(7)
    values = Values()
    header = (
        f"\n{'page':38} {'cold med':>9} {'cold p95':>9} {'warm med':>9} {'queries':>7} "
        f"{'SQL med':>8}  goal"
    )
    print(header + "\n" + "-" * (len(header) - 1))
    for name, urls in page_kinds(values, rng, requests):
        cold, sql, queries = [], [], []
        for page_url in urls:
            cache.clear()
            elapsed, timer = request(client, page_url)
            cold.append(elapsed * 1000)
            sql.append(timer.seconds * 1000)
            queries.append(timer.queries)
        warm = []
        for _ in range(10):
            elapsed, _ = request(client, urls[0])
            warm.append(elapsed * 1000)
        spread = (
            f"{min(queries)}-{max(queries)}" if min(queries) != max(queries) else str(queries[0])
        )
        print(
            f"{name:38} {statistics.median(cold):7.0f}ms {percentile(cold, 0.95):7.0f}ms "
            f"{statistics.median(warm):7.1f}ms {spread:>7} {statistics.median(sql):6.1f}ms  "
            f"{verdict(name, cold, sql)}",
            flush=True,
        )


def shared_cache() -> dict:
    """The server's workers share a Redis cache, as deployed (README), when Redis answers
    at BENCH_REDIS_URL; a database of its own, as the bench clears it."""
    import redis

    redis_url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/9")
    try:
        redis.Redis.from_url(redis_url, socket_timeout=2).ping()
    except redis.RedisError:
        print("varied load: no Redis, each worker keeps its own cache")
        return {}
    redis.Redis.from_url(redis_url).flushdb()
    print(f"varied load: the workers share the Redis cache at {redis_url} (emptied first)")
    return {"REDIS_URL": redis_url}


def varied_load(url, args):
    """A gunicorn server on 127.0.0.1 and a bounded load generator: each of the
    connections sends its next URL as soon as the last answer arrived."""
    import http.client
    import random
    import socket
    import subprocess
    import threading

    rng = random.Random(11)
    values = Values()
    urls = []
    for _ in range(args.load_urls):
        kind = rng.random()
        if kind < 0.25:
            pairs = [values.search(rng)] + values.filters(rng, rng.randint(0, 2))
        else:
            pairs = values.filters(rng, rng.randint(0, 5))
        urls.append(list_url(pairs))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {
        **os.environ,
        **shared_cache(),
        "DATABASE_URL": url,
        "DEBUG": "0",
        "SECURE_SSL_REDIRECT": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SETTINGS_MODULE": "upr_tracker.settings",
    }
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "upr_tracker.wsgi",
            "--config",
            "python:upr_tracker.gunicorn_conf",  # as docker-compose.yml runs it
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        for _ in range(100):
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                time.sleep(0.2)
        times, errors, lock = [], [], threading.Lock()
        firsts, repeats, seen, first_order = [], [], set(), []
        deadline = time.monotonic() + args.load_seconds

        def worker(n):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            i = n
            while time.monotonic() < deadline:
                path = urls[i % len(urls)]
                i += args.connections
                start = time.perf_counter()
                try:
                    conn.request("GET", path)
                    response = conn.getresponse()
                    response.read()
                    ok = response.status == 200
                except (OSError, http.client.HTTPException):
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                    ok = False
                with lock:
                    elapsed = time.perf_counter() - start
                    (times if ok else errors).append(elapsed)
                    if ok:
                        (repeats if path in seen else firsts).append(elapsed)
                        if path not in seen:
                            first_order.append((elapsed, len(times)))
                    seen.add(path)
            conn.close()

        threads = [threading.Thread(target=worker, args=(n,)) for n in range(args.connections)]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        seconds = time.monotonic() - started
    finally:
        server.terminate()
        server.wait(timeout=30)
    done = [t * 1000 for t in times] or [0]
    print(
        f"\nvaried load: {args.connections} connections, {len(urls)} different URLs, "
        f"{seconds:.0f} s: {len(times) / seconds:.1f} requests/s, median "
        f"{statistics.median(done):.0f} ms, p95 {percentile(done, 0.95):.0f} ms, p99 "
        f"{percentile(done, 0.99):.0f} ms, errors {len(errors)}"
    )
    rate, p99 = len(times) / seconds, percentile(done, 0.99)
    met = rate >= LOAD_GOAL["requests/s"] and p99 < LOAD_GOAL["p99 ms"] and not errors
    print(
        f"  goal: at least {LOAD_GOAL['requests/s']} requests/s with p99 under "
        f"{LOAD_GOAL['p99 ms']} ms, no errors: {'met' if met else 'NOT met'}"
    )
    slowest = sorted(first_order, reverse=True)[:4]
    print(
        "  slowest first visits (ms, at answer no.): "
        + ", ".join(f"{t * 1000:.0f} at {n}" for t, n in slowest)
    )
    for name, values in (("first visits", firsts), ("repeats", repeats)):
        ms = [t * 1000 for t in values] or [0]
        print(
            f"  {name}: {len(values)}, median {statistics.median(ms):.0f} ms, "
            f"p95 {percentile(ms, 0.95):.0f} ms, p99 {percentile(ms, 0.99):.0f} ms"
        )


if __name__ == "__main__":
    main()
