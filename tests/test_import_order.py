"""The same two files give the same data in either order.

The pair is built from the real US 2020 table in ../shared/data: a UN file that keeps
every paragraph apart (as UHRI or as the report table) and a UPR Info export of the same
review, one row per recommending state, which merges paragraphs sharing a wording (OP-CAT
from Liechtenstein 26.35 and Denmark 26.55, and two pairs of death-penalty texts)."""

import pytest

from recommendations.importers.pipeline import import_file
from recommendations.models import Position, Recommendation, Review
from tests.shared_exports import shared_files, us_2020_rows, write_uhri, write_upr_info

pytestmark = pytest.mark.django_db


def import_ok(path):
    # The report table names no state under review: the import is limited to the one.
    states = ["USA"] if path.name.startswith("table") else None
    report = import_file(path, states=states)
    assert report.ok, report.errors[:3]
    return report


def data() -> tuple:
    """Everything the two files say, by paragraph: comparable across databases."""
    recs = []
    for rec in Recommendation.objects.prefetch_related(
        "recommending_countries", "themes", "positions__country"
    ):
        recs.append(
            (
                rec.paragraph,
                str(rec.uhri_id or ""),
                rec.upr_info_key,
                rec.text,
                rec.response,
                rec.action_category,
                sorted(c.iso3 for c in rec.recommending_countries.all()),
                sorted((t.vocabulary, t.name) for t in rec.themes.all()),
                sorted((p.country.iso3, p.response) for p in rec.positions.all()),
            )
        )
    reviews = list(
        Review.objects.values_list(
            "state_under_review__iso3", "cycle", "wg_session", "review_date", "status"
        )
    )
    return sorted(recs), sorted(reviews)


def wipe():
    Recommendation.objects.all().delete()
    Review.objects.all().delete()


@pytest.mark.parametrize("un_file", ["uhri", "table"])
def test_a_un_file_and_a_upr_info_export_give_the_same_data_in_either_order(
    reference_data, tmp_path, un_file
):
    rows = us_2020_rows()
    upr_info = write_upr_info(rows, tmp_path / "upr-info.csv")
    if un_file == "uhri":
        un = write_uhri(rows, tmp_path / "uhri.csv")
    else:
        un = tmp_path / "table.csv"
        un.write_bytes(shared_files("us-reviews")[0].read_bytes())

    import_ok(un)
    import_ok(upr_info)
    un_first = data()
    wipe()
    import_ok(upr_info)
    import_ok(un)
    upr_info_first = data()

    assert len(upr_info_first[0]) == len(rows) == 347
    # Pairs of differing records first: a readable failure, not two 347-item lists.
    differ = [(a, b) for a, b in zip(un_first[0], upr_info_first[0], strict=True) if a != b]
    assert differ == []
    assert un_first == upr_info_first
    by_paragraph = {rec[0]: rec for rec in upr_info_first[0]}
    # The OP-CAT pair: each paragraph keeps its own recommending state and answer.
    assert by_paragraph["26.35"][6:9:2] == (["LIE"], [("LIE", "noted")])
    assert by_paragraph["26.55"][6:9:2] == (["DNK"], [("DNK", "noted")])
    # The UPR Info key stays on one of them; both carry UPR Info's issue.
    assert bool(by_paragraph["26.35"][2]) != bool(by_paragraph["26.55"][2])
    assert ("upr_info", "International instruments") in by_paragraph["26.55"][7]


def test_importing_the_pair_again_in_either_order_changes_nothing(reference_data, tmp_path):
    rows = us_2020_rows()
    upr_info = write_upr_info(rows, tmp_path / "upr-info.csv")
    uhri = write_uhri(rows, tmp_path / "uhri.csv")
    import_ok(uhri)
    import_ok(upr_info)
    before = data(), Position.objects.count()

    for path in (upr_info, uhri, upr_info):
        report = import_ok(path)
        assert report.counts["created"] == report.counts["updated"] == 0

    assert (data(), Position.objects.count()) == before


def test_a_state_only_upr_info_names_does_not_make_the_order_matter(reference_data, tmp_path):
    """UPR Info credits 26.1 to one more state than the UN does: the UN's list wins in
    either order, and no answer is kept for the extra state."""
    rows = us_2020_rows()
    uhri = write_uhri(rows, tmp_path / "uhri.csv")
    rows[0] = {**rows[0], "recommending_states": rows[0]["recommending_states"] + "; Norway"}
    upr_info = write_upr_info(rows, tmp_path / "upr-info.csv")

    import_ok(uhri)
    import_ok(upr_info)
    un_first = data()
    wipe()
    import_ok(upr_info)
    import_ok(uhri)

    assert data() == un_first
    first = Recommendation.objects.get(paragraph="26.1")
    assert "NOR" not in {p.country.iso3 for p in first.positions.all()}
    assert "NOR" not in {c.iso3 for c in first.recommending_countries.all()}
