"""Benchmark: the full local-action status refresh at 300,000 recommendations and
100,000 commitments on PostgreSQL. Target: under 60 seconds.

    make bench            (or: .venv/bin/python bench/status_refresh.py)

It uses its own database (BENCH_DATABASE_URL, by default upr_tracker_bench on the local
server), creates and migrates it if needed, fills it once with generated rows and reuses
them on later runs.
"""

import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

RECOMMENDATIONS = int(os.environ.get("BENCH_RECOMMENDATIONS", 300_000))
COMMITMENTS = int(os.environ.get("BENCH_COMMITMENTS", 100_000))
LIMIT_SECONDS = 60.0
BENCH_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/upr_tracker_bench"
)


def ensure_database(url: str) -> None:
    import dj_database_url
    import psycopg2

    cfg = dj_database_url.parse(url)
    admin = psycopg2.connect(
        dbname="postgres",
        user=cfg["USER"],
        password=cfg["PASSWORD"],
        host=cfg["HOST"],
        port=cfg["PORT"] or 5432,
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [cfg["NAME"]])
        if not cursor.fetchone():
            cursor.execute(f'CREATE DATABASE "{cfg["NAME"]}"')
    admin.close()


def setup_django() -> None:
    os.environ["DATABASE_URL"] = BENCH_URL
    os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "upr_tracker.settings")
    ensure_database(BENCH_URL)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def generate(rng: random.Random) -> None:
    """Bulk inserts, in batches; only what is missing is added."""
    from django.core.management import get_commands

    from jurisdictions.models import Commitment, CommitmentLink, Jurisdiction
    from recommendations.models import Country, Recommendation, Review, Theme

    if (
        "generate_benchmark_data" in get_commands()
        and Recommendation.objects.count() < RECOMMENDATIONS
    ):
        from django.core.management import call_command

        print("Generating rows with generate_benchmark_data ...", flush=True)
        try:
            call_command(
                "generate_benchmark_data",
                recommendations=RECOMMENDATIONS,
                commitments=COMMITMENTS,
            )
        except Exception as exc:  # fall back to our own rows below
            print(f"  generate_benchmark_data failed ({exc}); using the built-in generator")

    have = Recommendation.objects.count()
    if have < RECOMMENDATIONS:
        print(f"Generating {RECOMMENDATIONS - have} recommendations ...", flush=True)
        themes = list(Theme.objects.filter(slug__startswith="t-bench-"))
        if not themes:
            Theme.objects.bulk_create(
                [
                    Theme(vocabulary="project", name=f"Bench theme {n}", slug=f"t-bench-{n}")
                    for n in range(60)
                ]
            )
            themes = list(Theme.objects.filter(slug__startswith="t-bench-"))
        per_review = 1000
        reviews = []
        for n in range((RECOMMENDATIONS - have) // per_review + 1):
            country, _ = Country.objects.get_or_create(
                iso3=f"X{chr(65 + n // 26 % 26)}{chr(65 + n % 26)}",
                defaults={"name": f"Bench state {n}", "kind": "group"},
            )
            review, _ = Review.objects.get_or_create(
                state_under_review=country, cycle=1 + n // 676, defaults={"status": "responded"}
            )
            reviews.append(review)
        made = 0
        through = Recommendation.themes.through
        for review in reviews:
            if made >= RECOMMENDATIONS - have:
                break
            batch = [
                Recommendation(
                    review=review,
                    paragraph=f"b{review.pk}.{i}",
                    text=f"Benchmark recommendation {review.pk}-{i}.",
                    response=rng.choice(["supported", "noted", "supported_in_part"]),
                )
                for i in range(min(per_review, RECOMMENDATIONS - have - made))
            ]
            created = Recommendation.objects.bulk_create(batch, batch_size=5000)
            through.objects.bulk_create(
                [
                    through(recommendation_id=rec.pk, theme_id=rng.choice(themes).pk)
                    for rec in created
                ],
                batch_size=5000,
                ignore_conflicts=True,
            )
            made += len(created)

    have = Commitment.objects.count()
    if have < COMMITMENTS:
        print(f"Generating {COMMITMENTS - have} commitments and their links ...", flush=True)
        jurisdictions = list(
            Jurisdiction.objects.filter(slug__startswith="bench-").values_list("pk", flat=True)
        )
        if not jurisdictions:
            Jurisdiction.objects.bulk_create(
                [
                    Jurisdiction(kind="city", name=f"Bench town {n}", slug=f"bench-{n}")
                    for n in range(2000)
                ]
            )
            jurisdictions = list(
                Jurisdiction.objects.filter(slug__startswith="bench-").values_list("pk", flat=True)
            )
        rec_ids = list(Recommendation.objects.values_list("pk", flat=True))
        statuses = ["proposed", "adopted", "in_progress", "implemented", "stalled", "repealed"]
        relations = ["implements", "partial", "partial", "implements", "contradicts", "rolls_back"]
        remaining = COMMITMENTS - have
        while remaining > 0:
            size = min(10_000, remaining)
            created = Commitment.objects.bulk_create(
                [
                    Commitment(
                        jurisdiction_id=rng.choice(jurisdictions),
                        title="Benchmark commitment",
                        kind="ordinance",
                        status=rng.choice(statuses),
                        publication="published" if rng.random() < 0.85 else "draft",
                    )
                    for _ in range(size)
                ],
                batch_size=5000,
            )
            links = []
            for commitment in created:
                for rec_id in rng.sample(rec_ids, rng.choice([1, 2, 2, 3])):
                    links.append(
                        CommitmentLink(
                            commitment_id=commitment.pk,
                            recommendation_id=rec_id,
                            relation=rng.choice(relations),
                        )
                    )
            CommitmentLink.objects.bulk_create(links, batch_size=5000, ignore_conflicts=True)
            remaining -= size
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def main() -> int:
    setup_django()
    from jurisdictions.models import Commitment, CommitmentLink
    from jurisdictions.tasks import refresh_commitment_statuses, refresh_recommendation_statuses
    from recommendations.models import Recommendation

    generate(random.Random(6))
    print(
        f"Rows: {Recommendation.objects.count():,} recommendations, "
        f"{Commitment.objects.count():,} commitments, "
        f"{CommitmentLink.objects.count():,} links",
        flush=True,
    )
    # Worst case first: every status reset, so the refresh rewrites every acted-on row.
    Recommendation.objects.exclude(local_status="none").update(
        local_status="none", jurisdictions_acting=0
    )
    results = []
    for label in ("full refresh, from scratch", "full refresh, nothing changed"):
        started = time.perf_counter()
        counts = refresh_recommendation_statuses()
        elapsed = time.perf_counter() - started
        results.append(elapsed)
        print(f"{label}: {elapsed:.2f} s  {counts}", flush=True)
    started = time.perf_counter()
    counts = refresh_commitment_statuses()
    print(f"commitment statuses: {time.perf_counter() - started:.2f} s  {counts}")
    worst = max(results)
    verdict = "OK" if worst < LIMIT_SECONDS else "TOO SLOW"
    print(f"status refresh: {worst:.2f} s (target < {LIMIT_SECONDS:.0f} s) {verdict}")
    return 0 if worst < LIMIT_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
