"""Benchmark: the weekly digest of saved searches ("Follow this search"). Evaluates
BENCH_SEARCHES distinct searches (default 10,000; goal: under 5 minutes of worker time
over 300,000 recommendations), each followed by BENCH_FOLLOWERS addresses, after a week in
which BENCH_CHANGED_SHARE of the published commitments changed.

    .venv/bin/python bench/follow_digest.py
    BENCH_RECOMMENDATIONS=20000 BENCH_COMMITMENTS=5000 BENCH_SEARCHES=1000 \
        .venv/bin/python bench/follow_digest.py        # a small run

It uses the status-refresh benchmark's database and generator (bench/status_refresh.py:
BENCH_DATABASE_URL, BENCH_RECOMMENDATIONS, BENCH_COMMITMENTS), then replaces the saved
searches, their subscriptions and digests on every run. Searches are drawn from the
filters people use: recommendations by theme, response, cycle or acting jurisdiction
(every state under review, as the generated rows are not all the United States'),
commitments by status, kind, theme or jurisdiction, jurisdictions by name. The time is
that of writing the digests (evaluation and rendering), not of sending the mail.
"""

import itertools
import os
import random
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import status_refresh  # noqa: E402 - the database set-up and generator shared with it

SEARCHES = int(os.environ.get("BENCH_SEARCHES", 10_000))
FOLLOWERS = int(os.environ.get("BENCH_FOLLOWERS", 2))
CHANGED_SHARE = float(os.environ.get("BENCH_CHANGED_SHARE", 0.02))
GOAL_SECONDS = 300.0
GOAL_SEARCHES = 10_000


def queries(rng: random.Random):
    """Distinct (kind, query string) pairs, cycling through the kinds of filter."""
    from jurisdictions.models import Jurisdiction
    from recommendations.models import Theme

    themes = list(Theme.objects.values_list("slug", flat=True))
    places = list(Jurisdiction.objects.values_list("slug", flat=True))
    rng.shuffle(themes)
    rng.shuffle(places)
    responses = ["supported", "noted", "supported_in_part"]
    statuses = ["proposed", "adopted", "in_progress", "implemented", "stalled"]
    pools = [
        (("recommendations", f"theme={t}&under_review=all") for t in themes),
        (
            ("recommendations", f"response={r}&theme={t}&under_review=all")
            for t in themes
            for r in responses
        ),
        (("recommendations", f"jurisdiction={p}&under_review=all") for p in places),
        (("recommendations", f"local_action=any&theme={t}&under_review=all") for t in themes),
        (("commitments", f"jurisdiction={p}") for p in places),
        (("commitments", f"status={s}&theme={t}") for t in themes for s in statuses),
        (("jurisdictions", f"q=town {n}") for n in range(1, 2000)),
    ]
    seen = set()
    for pair in itertools.chain.from_iterable(itertools.zip_longest(*pools)):
        if pair and pair not in seen:
            seen.add(pair)
            yield pair


def prepare(rng: random.Random) -> int:
    from django.db import connection
    from django.utils import timezone

    from jurisdictions.follow.models import SavedSearch
    from jurisdictions.models import Commitment, DigestDelivery, ProgressUpdate, Subscription

    DigestDelivery.objects.filter(kind="search").delete()
    Subscription.objects.filter(search__isnull=False).delete()
    SavedSearch.objects.all().delete()
    pairs = list(itertools.islice(queries(rng), SEARCHES))
    searches = SavedSearch.objects.bulk_create(
        [SavedSearch(kind=kind, query=query) for kind, query in pairs], batch_size=5000
    )
    week_ago = timezone.now() - timedelta(days=7)
    Subscription.objects.bulk_create(
        [
            Subscription(
                email=f"bench-{search.pk}-{n}@example.org",
                token=f"bench-{search.pk}-{n}",
                search=search,
                frequency="weekly",
                confirmed_at=week_ago,
                last_sent_at=week_ago,
            )
            for search in searches
            for n in range(FOLLOWERS)
        ],
        batch_size=5000,
    )
    # Last week: everything old (the generator dates its rows, progress updates included,
    # on the day it runs); this week: a share of the published commitments changed.
    before = week_ago - timedelta(days=1)
    Commitment.objects.update(updated_at=before)
    Commitment.objects.filter(published_at__gt=week_ago).update(published_at=before)
    ProgressUpdate.objects.filter(created_at__gt=week_ago).update(created_at=before)
    published = list(Commitment.objects.published().values_list("pk", flat=True))
    changed = rng.sample(published, int(len(published) * CHANGED_SHARE))
    Commitment.objects.filter(pk__in=changed).update(updated_at=timezone.now())
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return len(searches)


def main() -> int:
    status_refresh.setup_django()
    from django.db import connection
    from django.utils import timezone

    from jurisdictions.follow.digests import prepare_search_digests
    from jurisdictions.models import Commitment
    from recommendations.models import Recommendation

    rng = random.Random(23)
    status_refresh.generate(rng)
    print(
        f"Rows: {Recommendation.objects.count():,} recommendations, "
        f"{Commitment.objects.published().count():,} published commitments",
        flush=True,
    )
    searches = prepare(rng)
    print(f"{searches:,} saved searches, {FOLLOWERS} followers each", flush=True)

    queries_run = []

    def count(execute, sql, params, many, context):
        # Counted, not logged: a log keeps only the last 9,000 and costs time itself.
        queries_run.append(1)
        return execute(sql, params, many, context)

    started, cpu = time.perf_counter(), time.process_time()
    with connection.execute_wrapper(count):
        counts = prepare_search_digests(timezone.now(), "weekly")
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    print(
        f"Weekly digest: {seconds:.1f} s ({cpu:.1f} s CPU in Python), "
        f"{counts['digests']:,} digests written, {counts['quiet']:,} followers with nothing new, "
        f"{len(queries_run):,} queries ({len(queries_run) / max(searches, 1):.1f} per search), "
        f"{1000 * seconds / max(searches, 1):.1f} ms per search",
        flush=True,
    )
    estimate = seconds / max(searches, 1) * GOAL_SEARCHES
    print(
        f"At this rate {GOAL_SEARCHES:,} searches take about {estimate:.0f} s on these rows "
        f"(goal: under {GOAL_SECONDS:.0f} s over 300,000 recommendations)",
        flush=True,
    )
    if searches >= GOAL_SEARCHES and Recommendation.objects.count() >= 300_000:
        print("Goal met" if seconds < GOAL_SECONDS else "Goal NOT met")
    # A second run in the same week finds everyone served and writes nothing.
    started = time.perf_counter()
    again = prepare_search_digests(timezone.now(), "weekly")
    print(f"Rerun in the same week: {again}, {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
