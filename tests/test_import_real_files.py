"""The real exports in ../shared/data, read as they are (Mac Roman with CR line endings,
UTF-8 re-saves): each imports, the command exits 0, and a second run changes nothing."""

import pytest
from django.core.management import call_command

from recommendations import sessions
from recommendations.importers.pipeline import import_file
from recommendations.models import Recommendation, Review
from tests.shared_exports import shared_files


def snapshot() -> tuple:
    """Every recommendation with its fields and relations, and the history length."""
    rows = []
    for rec in Recommendation.objects.prefetch_related(
        "recommending_countries", "themes", "affected_groups", "sdg_targets"
    ).order_by("pk"):
        rows.append(
            (
                rec.pk,
                rec.review_id,
                rec.paragraph,
                rec.text,
                rec.response,
                rec.action_category,
                rec.upr_info_key,
                tuple(sorted(c.pk for c in rec.recommending_countries.all())),
                tuple(sorted(t.pk for t in rec.themes.all())),
            )
        )
    return tuple(rows), Recommendation.history.count()


def test_the_shared_folder_holds_both_upr_info_exports():
    names = [p.name for p in shared_files("upr-info")]
    assert "upr_info_sessions_1-5.csv" in names
    assert "upr_info_sessions_14-17.csv" in names


@pytest.mark.slow  # the real exports, each imported twice
@pytest.mark.django_db(transaction=False)
@pytest.mark.parametrize("name", ["upr_info_sessions_1-5.csv", "upr_info_sessions_14-17.csv"])
def test_each_real_upr_info_export_imports_and_a_second_run_changes_nothing(
    reference_data, name, capsys
):
    [path] = [p for p in shared_files("upr-info") if p.name == name]

    call_command("import_recommendations", str(path))  # raises CommandError on exit 1
    out = capsys.readouterr().out
    assert "(written)" in out and "errors 0" in out
    first = snapshot()
    assert len(first[0]) > 5000
    # Every review shows its year, the year of its session.
    reviews = Review.objects.all()
    assert reviews and all(r.year == sessions.year_of(r.wg_session) for r in reviews)
    assert not reviews.filter(review_date=None).exists()

    again = import_file(path)

    assert again.ok
    assert (again.counts["created"], again.counts["updated"]) == (0, 0)
    assert again.counts["unchanged"] == len(first[0])
    assert snapshot() == first


@pytest.mark.django_db(transaction=False)
def test_the_real_us_report_table_imports_and_a_second_run_changes_nothing(reference_data, capsys):
    [path] = shared_files("us-reviews")

    call_command("import_recommendations", str(path), "--state", "USA")
    out = capsys.readouterr().out
    assert "USA: 347 rows read, 347 imported, 0 skipped" in out
    first = snapshot()
    assert len(first[0]) == 347
    supported = Recommendation.objects.filter(response="supported").count()
    assert supported == 263

    call_command("import_recommendations", str(path))  # the review now names the state
    assert "records 0 created, 0 updated, 347 unchanged" in capsys.readouterr().out
    assert snapshot() == first
