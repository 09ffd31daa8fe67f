"""A large import leaves the planner statistics of the tables it wrote up to date: with
autovacuum off, plans made for an empty table would crawl over the imported rows."""

from pathlib import Path

import pytest
from django.db import connection

from recommendations.importers import pipeline
from recommendations.models import Recommendation

pytestmark = pytest.mark.django_db
DATA = Path(__file__).parent / "data"


def planner_rows(table: str) -> float:
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [table])
        return cursor.fetchone()[0]


def test_an_import_above_the_threshold_analyzes_what_it_wrote(reference_data, monkeypatch):
    monkeypatch.setattr(pipeline, "ANALYZE_AFTER_ROWS", 1)
    report = pipeline.import_file(DATA / "upr_info_original.csv")
    assert report.ok and report.counts["created"] > 0
    assert planner_rows("recommendations_recommendation") == Recommendation.objects.count()
    links = Recommendation.themes.through.objects.count()
    assert planner_rows("recommendations_recommendation_themes") == links


def test_a_dry_run_analyzes_nothing(reference_data, monkeypatch):
    calls = []
    monkeypatch.setattr(pipeline, "ANALYZE_AFTER_ROWS", 1)
    monkeypatch.setattr(pipeline, "analyze_written_tables", lambda: calls.append(1))
    report = pipeline.import_file(DATA / "upr_info_original.csv", dry_run=True)
    assert report.counts["created"] > 0
    assert calls == []
