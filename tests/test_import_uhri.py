"""Importing UHRI exports (xlsx, columns by header name) and matching across sources."""

import pytest

from recommendations.importers.pipeline import import_file
from recommendations.models import AffectedGroup, Recommendation, SdgTarget, Theme
from tests.helpers import UHRI_HEADER, UHRI_IDS, uhri_row, write_xlsx

pytestmark = pytest.mark.django_db


def test_a_uhri_export_imports_with_paragraph_key_themes_groups_and_sdgs(reference_data, tmp_path):
    report = import_file(write_xlsx(tmp_path / "uhri.xlsx", [uhri_row()]))

    assert report.ok, report.errors
    assert report.format == "uhri"
    rec = Recommendation.objects.get()
    assert rec.paragraph == "26.49"
    assert rec.text == "Ratify the convention on the rights of the child."
    assert str(rec.uhri_id) == UHRI_IDS[0]
    assert rec.response == "supported"
    assert rec.body == ""
    assert rec.review.cycle == 3 and rec.review.wg_session == 36
    assert rec.review.report_symbol == "A/HRC/46/15"
    assert sorted(rec.recommending_countries.values_list("iso3", flat=True)) == [
        "BHS",
        "CHE",
        "RWA",
    ]
    # UHRI themes are an open list: an unseen one is created in the UHRI vocabulary.
    assert set(rec.themes.values_list("vocabulary", "name")) == {
        ("uhri", "Ratification of & accession to international instruments"),
        ("uhri", "Children: rights"),
    }
    assert Theme.objects.filter(name="Children: rights", vocabulary="uhri").exists()
    assert list(rec.affected_groups.values_list("name", flat=True)) == ["Children"]
    assert list(rec.sdg_targets.values_list("code", flat=True)) == ["16.3"]
    assert SdgTarget.objects.get(code="16.3").title.startswith("Promote the rule of law")


def test_a_uhri_re_import_is_unchanged_and_an_edited_position_updates(reference_data, tmp_path):
    path = write_xlsx(tmp_path / "uhri.xlsx", [uhri_row()])
    import_file(path)
    assert import_file(path).counts["unchanged"] == 1

    changed = write_xlsx(tmp_path / "b.xlsx", [uhri_row(**{"UPR Position": "- Supported/Noted"})])
    report = import_file(changed)

    assert report.counts["updated"] == 1
    rec = Recommendation.objects.get()
    assert rec.response == "supported_in_part"
    assert rec.history.count() == 2


def test_non_upr_rows_are_kept_with_their_body_or_skipped_on_request(reference_data, tmp_path):
    treaty = uhri_row(
        **{
            "Text": "- Adopt a law against hate speech.",
            "Reccomending Body": "- Human Rights Committee",
            "UPR Session": "",
            "UPR Reccomending States": "",
            "UPR Position": "",
            "Sdgs": "",
            "Document Publication Date": 45000,  # 2023
            "OHCHR Annotation Id": f"- {UHRI_IDS[1]}",
        }
    )
    path = write_xlsx(tmp_path / "uhri.xlsx", [uhri_row(), treaty])

    skipped = import_file(path, keep_non_upr=False, dry_run=True)
    assert skipped.counts["skipped"] == 1 and skipped.counts["created"] == 1

    report = import_file(path)
    assert report.ok, report.errors
    kept = Recommendation.objects.get(body="Human Rights Committee")
    assert kept.response == "pending"
    assert kept.review.cycle == 4
    assert kept.paragraph == ""


def test_uhri_rows_with_bad_values_change_nothing(reference_data, tmp_path):
    rows = [
        uhri_row(**{"Countries Concerned": "- Atlantis"}),
        uhri_row(**{"UPR Session": "- next session", "OHCHR Annotation Id": f"- {UHRI_IDS[2]}"}),
        uhri_row(**{"OHCHR Annotation Id": "- not-a-uuid"}),
        uhri_row(**{"Sdgs": "- 18.1 - Colonise Mars", "OHCHR Annotation Id": f"- {UHRI_IDS[3]}"}),
    ]
    report = import_file(write_xlsx(tmp_path / "bad.xlsx", rows))

    assert [e["line"] for e in report.errors] == [2, 3, 4, 5]
    assert Recommendation.objects.count() == 0
    assert not AffectedGroup.objects.filter(name="Children: rights").exists()


def test_the_correctly_spelt_header_is_accepted(reference_data, tmp_path):
    header = [h.replace("Reccomending", "Recommending") for h in UHRI_HEADER]
    rows = [{k.replace("Reccomending", "Recommending"): v for k, v in uhri_row().items()}]

    report = import_file(write_xlsx(tmp_path / "uhri.xlsx", rows, header=header))

    assert report.ok, report.errors
    assert Recommendation.objects.get().recommending_countries.count() == 3


def upr_info_file(tmp_path, text):
    path = tmp_path / "upr-info.csv"
    path.write_text(
        "To,To-Rgrp,To-Org,Text,From,From-Rgrp,From-Org,Response,Action,Issue,Session\n"
        f'United States,WEOG,,"{text}",Switzerland,WEOG,,Accepted,5,'
        "International instruments,36\n",
        encoding="utf-8",
    )
    return path


def test_a_upr_info_recommendation_and_its_uhri_row_become_one_record(reference_data, tmp_path):
    # UPR Info's copy differs in small ways from the UN report's wording.
    import_file(upr_info_file(tmp_path, "Ratify the Convention on the Rights of Child"))
    rec = Recommendation.objects.get()
    assert rec.paragraph == ""

    report = import_file(write_xlsx(tmp_path / "uhri.xlsx", [uhri_row()]))

    assert report.counts == {
        "created": 0,
        "updated": 1,
        "unchanged": 0,
        "skipped": 0,
        "errors": 0,
    }
    assert Recommendation.objects.count() == 1
    rec.refresh_from_db()
    assert rec.paragraph == "26.49" and str(rec.uhri_id) == UHRI_IDS[0] and rec.upr_info_key
    assert set(rec.themes.values_list("vocabulary", flat=True)) == {"upr_info", "uhri"}
    assert any("Matched recommendation" in w["message"] for w in report.warnings)

    # Either file imported again now finds the one record by its own key.
    again = import_file(upr_info_file(tmp_path, "Ratify the Convention on the Rights of Child"))
    assert again.counts["unchanged"] == 1
    assert import_file(tmp_path / "uhri.xlsx").counts["unchanged"] == 1


def test_a_uhri_recommendation_is_matched_by_a_later_upr_info_row(reference_data, tmp_path):
    import_file(write_xlsx(tmp_path / "uhri.xlsx", [uhri_row()]))

    report = import_file(
        upr_info_file(tmp_path, "Ratify the convention on the rights of the child")
    )

    assert report.counts["updated"] == 1
    rec = Recommendation.objects.get()
    assert rec.upr_info_key and rec.paragraph == "26.49"
    assert rec.text == "Ratify the convention on the rights of the child."


def test_an_ambiguous_text_match_is_refused_naming_both_candidates(reference_data, tmp_path):
    """Both paragraphs share the row's recommending state, so nothing says which one it
    is: the import stops rather than creating a third record by guess."""
    rows = [
        uhri_row(**{"Text": "- 26.1 Ratify the convention on the rights of the child"}),
        uhri_row(
            **{
                "Text": "- 26.2 Ratify the convention on the rights of the child.",
                "OHCHR Annotation Id": f"- {UHRI_IDS[4]}",
            }
        ),
    ]
    import_file(write_xlsx(tmp_path / "uhri.xlsx", rows))

    report = import_file(upr_info_file(tmp_path, "Ratify the convention on the rights of a child"))

    assert not report.ok
    [error] = report.errors
    assert "(para. 26.1)" in error["message"] and "(para. 26.2)" in error["message"]
    assert Recommendation.objects.count() == 2
