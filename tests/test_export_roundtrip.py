"""Export, import into an empty database, export again: the files are identical."""

import csv
import datetime
import uuid

import pytest
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection

from recommendations.models import (
    AffectedGroup,
    Country,
    Position,
    Recommendation,
    Review,
    SdgTarget,
    Theme,
)

pytestmark = pytest.mark.django_db


def empty_database():
    """Recommendations and reviews gone and the id sequence restarted, as in a new site
    (exported URLs carry the id)."""
    Recommendation.objects.all().delete()
    Review.objects.all().delete()
    table = Recommendation._meta.db_table
    statements = connection.ops.sequence_reset_by_name_sql(
        no_style(), [{"table": table, "column": "id"}]
    )
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def build_data():
    countries = {c.iso3: c for c in Country.objects.filter(iso3__in=["CAN", "USA", "FRA", "CHE"])}
    project = Theme.objects.create(vocabulary="project", name="Housing first", slug="t-housing")
    canada = Review.objects.create(state_under_review=countries["CAN"], cycle=1, wg_session=4)
    usa = Review.objects.create(
        state_under_review=countries["USA"],
        cycle=3,
        wg_session=36,
        report_symbol="A/HRC/46/15",
        status="responded",
    )
    first = Recommendation.objects.create(
        review=canada,
        text="Consult indigenous peoples, including on land; report back.",
        response="noted",
        action_category=4,
        upr_info_key="a" * 40,
    )
    first.recommending_countries.set([countries["FRA"], countries["CHE"]])
    Position.objects.create(recommendation=first, country=countries["FRA"], response="noted")
    Position.objects.create(recommendation=first, country=countries["CHE"], response="supported")
    first.themes.set(Theme.objects.filter(vocabulary="upr_info", name="Indigenous peoples"))
    second = Recommendation.objects.create(
        review=usa,
        paragraph="26.49",
        text='Ratify the "children\'s" convention;\nthen report.',
        response="supported_in_part",
        response_note="Supports the aim, not every step.",
        uhri_id=uuid.UUID(int=7),
        body="",
    )
    second.recommending_countries.set([countries["CHE"]])
    second.themes.set(
        [
            project,
            *Theme.objects.filter(name="Ratification of & accession to international instruments"),
        ]
    )
    second.affected_groups.set(AffectedGroup.objects.filter(name="Children"))
    second.sdg_targets.set(SdgTarget.objects.filter(code__in=["16.3", "1.a"]))
    Recommendation.objects.create(
        review=usa, text="Adopt a law on hate speech.", body="Human Rights Committee"
    )


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_export_import_export_gives_identical_files(reference_data, tmp_path, fmt):
    empty_database()
    build_data()
    first = tmp_path / f"first.{fmt}"
    second = tmp_path / f"second.{fmt}"
    call_command("export_recommendations", "--format", fmt, "--output", str(first))

    empty_database()
    call_command("import_recommendations", str(first))
    call_command("export_recommendations", "--format", fmt, "--output", str(second))

    assert Recommendation.objects.count() == 3
    assert first.read_bytes() == second.read_bytes()


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_cells_that_look_like_formulas_survive_the_round_trip(reference_data, tmp_path, fmt):
    empty_database()
    build_data()
    usa = Review.objects.get(cycle=3)
    texts = ['=HYPERLINK("http://evil.example","x")', "+1 more step", "-based approach", "@all"]
    for n, text in enumerate(texts):
        Recommendation.objects.create(
            review=usa, paragraph=f"27.{n}", text=text, response_note="'=quoted on purpose"
        )
    first = tmp_path / f"first.{fmt}"
    second = tmp_path / f"second.{fmt}"
    call_command("export_recommendations", "--format", fmt, "--output", str(first))
    if fmt == "csv":
        with first.open(encoding="utf-8", newline="") as fh:
            written = {row["text"] for row in csv.DictReader(fh)}
        assert {"'" + text for text in texts} <= written

    empty_database()
    call_command("import_recommendations", str(first))
    call_command("export_recommendations", "--format", fmt, "--output", str(second))

    assert first.read_bytes() == second.read_bytes()
    assert sorted(
        Recommendation.objects.filter(paragraph__startswith="27.").values_list("text", flat=True)
    ) == sorted(texts)
    assert set(
        Recommendation.objects.filter(paragraph__startswith="27.").values_list(
            "response_note", flat=True
        )
    ) == {"'=quoted on purpose"}


def test_importing_an_export_into_the_same_database_changes_nothing(reference_data, tmp_path):
    build_data()
    path = tmp_path / "export.csv"
    call_command("export_recommendations", "--output", str(path))

    from recommendations.importers.pipeline import import_file

    report = import_file(path)

    assert report.counts["unchanged"] == 3
    assert report.counts["created"] == report.counts["updated"] == 0


def test_export_filters_by_state_cycle_and_response(reference_data, tmp_path):
    build_data()
    path = tmp_path / "usa.csv"

    call_command(
        "export_recommendations",
        "--state",
        "usa",
        "--cycle",
        "3",
        "--response",
        "pending",
        "--output",
        str(path),
    )

    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2
    assert "Adopt a law on hate speech." in lines[1]


REVIEW_FIELDS = [
    "wg_session",
    "review_date",
    "report_symbol",
    "response_symbol",
    "response_date",
    "status",
    "notes",
]


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_a_round_trip_keeps_every_field_of_every_review(reference_data, tmp_path, fmt):
    empty_database()
    build_data()
    Review.objects.filter(cycle=3).update(
        review_date=datetime.date(2020, 11, 9),
        response_symbol="A/HRC/46/15/Add.1",
        response_date=datetime.date(2021, 3, 4),
        notes="347 recommendations from 114 states.",
    )
    Review.objects.filter(cycle=1).update(status="postponed")
    before = sorted(Review.objects.values_list("state_under_review__iso3", "cycle", *REVIEW_FIELDS))
    path = tmp_path / f"export.{fmt}"
    call_command("export_recommendations", "--format", fmt, "--output", str(path))

    empty_database()
    call_command("import_recommendations", str(path))

    after = sorted(Review.objects.values_list("state_under_review__iso3", "cycle", *REVIEW_FIELDS))
    assert after == before
    answers = Position.objects.values_list("country__iso3", "response")
    assert sorted(answers) == [("CHE", "supported"), ("FRA", "noted")]


def test_native_rows_of_one_review_that_disagree_on_its_fields_are_refused(
    reference_data, tmp_path
):
    from recommendations.importers.pipeline import import_file

    empty_database()
    build_data()
    Review.objects.filter(cycle=3).update(review_date=datetime.date(2020, 11, 9))
    path = tmp_path / "export.csv"
    call_command("export_recommendations", "--output", str(path))
    lines = path.read_text(encoding="utf-8").splitlines()
    # The last USA row says the review sat on another day.
    lines[-1] = lines[-1].replace("2020-11-09", "2020-11-10")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    report = import_file(path)

    assert not report.ok
    assert any("differ from line" in e["message"] for e in report.errors)
