"""API benchmark: times /api/v1/ lists and details on the page benchmark's data.

    .venv/bin/python bench/api.py            # BENCH_DATABASE_URL, else bench/pages.py's

Uses bench/pages.py's database set-up, timing and load run (imported, not copied). For
each kind of request, in-process: "cold" requests each clear the cache first and ask for
a different URL; "warm" repeats one URL with the cache kept. Then a gunicorn server with
16 connections replaying --load-urls different API list URLs for --load-seconds seconds.
Goals (issue 22): a list with 0-5 filters, median under 100 ms and p95 under 200 ms; a
detail under 20 ms; under load at least 100 requests/s with p99 under 500 ms.
"""

import os
import random
import statistics
import sys
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))

import pages  # noqa: E402  (bench/pages.py, beside this file)

# The load run would otherwise meet the anonymous rate limit at once.
os.environ["API_RATE_ANONYMOUS"] = "100000000/m"

LIST_GOAL = (100, 200)
DETAIL_GOAL = (20, None)


def api_list_url(pairs) -> str:
    # Every state under review, as the page benchmark asks: the heaviest case.
    return "/api/v1/recommendations/?" + urlencode([("under_review", "all"), *pairs])


def kinds(values, rng, n):
    def many(make):
        return [make() for _ in range(n)]

    def filtered(low, high, extra=()):
        return lambda: api_list_url(values.filters(rng, rng.randint(low, high)) + list(extra))

    def searched():
        return api_list_url([values.search(rng)] + values.filters(rng, rng.randint(0, 2)))

    def commitments():
        status = rng.choice(["", "adopted", "implemented", "in_progress"])
        return "/api/v1/commitments/?" + urlencode([("status", status)] if status else [])

    places = values.choices["jurisdiction"] or ["united-states"]
    return [
        ("list, no filter", many(lambda: api_list_url([("page_size", rng.randint(10, 100))]))),
        ("list, 1 filter", many(filtered(1, 1))),
        ("list, 2-3 filters", many(filtered(2, 3))),
        ("list, 4-5 filters", many(filtered(4, 5))),
        ("list, search + 0-2 filters", many(searched)),
        ("list, 1 filter + facets", many(filtered(1, 1, [("facets", "true")]))),
        ("commitments list, 0-1 filter", many(commitments)),
        (
            "recommendation detail",
            many(lambda: f"/api/v1/recommendations/{rng.choice(values.recommendations)}/"),
        ),
        ("jurisdiction detail", many(lambda: f"/api/v1/jurisdictions/{rng.choice(places)}/")),
    ]


def verdict(cold, goal) -> str:
    median, p95 = statistics.median(cold), pages.percentile(cold, 0.95)
    misses = []
    if median >= goal[0]:
        misses.append(f"median < {goal[0]}")
    if goal[1] is not None and p95 >= goal[1]:
        misses.append(f"p95 < {goal[1]}")
    return "met" if not misses else "NOT met: " + ", ".join(misses)


def table(client, requests):
    from django.core.cache import cache

    rng = random.Random(7)
    values = pages.Values()
    header = (
        f"\n{'API request':34} {'cold med':>9} {'cold p95':>9} {'warm med':>9} {'queries':>7} "
        f"{'SQL med':>8}  goal"
    )
    print(header + "\n" + "-" * (len(header) - 1))
    for name, urls in kinds(values, rng, requests):
        goal = DETAIL_GOAL if "detail" in name else LIST_GOAL
        cold, sql, queries = [], [], []
        for url in urls:
            cache.clear()
            elapsed, timer = pages.request(client, url)
            cold.append(elapsed * 1000)
            sql.append(timer.seconds * 1000)
            queries.append(timer.queries)
        warm = [pages.request(client, urls[0])[0] * 1000 for _ in range(10)]
        spread = f"{min(queries)}-{max(queries)}" if min(queries) != max(queries) else queries[0]
        print(
            f"{name:34} {statistics.median(cold):7.0f}ms {pages.percentile(cold, 0.95):7.0f}ms "
            f"{statistics.median(warm):7.1f}ms {spread!s:>7} {statistics.median(sql):6.1f}ms  "
            f"{verdict(cold, goal)}",
            flush=True,
        )


def main():
    args = pages.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL", pages.DEFAULT_URL)
    pages.ensure_database(url, args.regenerate)
    pages.setup_django(url)
    from django.db import connection
    from django.test import Client

    from recommendations.models import Recommendation

    pages.fill(args)
    pages.vacuum_analyze()
    print(f"\nData: {Recommendation.objects.count()} recommendations")
    print(f"Machine load (1, 5, 15 min): {os.getloadavg()}", flush=True)
    pages.facet_index_figures()
    pages.like_a_started_worker()
    connection.close()
    table(Client(), args.requests)
    if not args.skip_load:
        # The page benchmark's load run, replaying API list URLs instead of pages.
        pages.list_url = api_list_url
        pages.LOAD_GOAL = {"requests/s": 100, "p99 ms": 500}
        pages.varied_load(url, args)
    print(f"\nMachine load (1, 5, 15 min): {os.getloadavg()}")


if __name__ == "__main__":
    main()
