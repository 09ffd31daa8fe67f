"""Merge rules (recommendations/importers/merge.py and the README's Data section): an empty
cell never removes, each source changes only what it may, and a curator's edit stands."""

import uuid

import pytest
from django.core.management import call_command
from django.urls import reverse

from recommendations.importers.pipeline import import_file
from recommendations.models import Recommendation, Theme
from tests import factories as f
from tests.helpers import uhri_row, write_upr_info, write_xlsx

pytestmark = pytest.mark.django_db


def links(rec):
    rec = Recommendation.objects.get(pk=rec.pk)
    return {
        "countries": set(rec.recommending_countries.values_list("iso3", flat=True)),
        "themes": set(rec.themes.values_list("name", flat=True)),
        "groups": set(rec.affected_groups.values_list("name", flat=True)),
        "sdgs": set(rec.sdg_targets.values_list("code", flat=True)),
    }


def all_links():
    out = set()
    for rec in Recommendation.objects.prefetch_related(
        "recommending_countries", "themes", "affected_groups", "sdg_targets"
    ):
        out |= {(rec.pk, "country", c.pk) for c in rec.recommending_countries.all()}
        out |= {(rec.pk, "theme", t.pk) for t in rec.themes.all()}
        out |= {(rec.pk, "group", g.pk) for g in rec.affected_groups.all()}
        out |= {(rec.pk, "sdg", s.pk) for s in rec.sdg_targets.all()}
    return out


def test_a_uhri_file_with_empty_columns_over_the_demo_data_loses_no_link(tmp_path):
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    demo = list(
        Recommendation.objects.filter(review__cycle=3)
        .exclude(paragraph="")
        .select_related("review")
        .prefetch_related("recommending_countries")
    )
    before = all_links()
    kinds = {kind for _, kind, _ in before}
    assert {"group", "sdg", "theme", "country"} <= kinds  # the demo is rich in every relation
    rows = [
        uhri_row(
            **{
                "Text": f"- {rec.paragraph} {rec.text}",
                "UPR Reccomending States": "\n".join(
                    f"- {c.name}" for c in rec.recommending_countries.all()
                ),
                "UPR Position": "- Supported",
                "Themes": "- Equality & non-discrimination",
                "Affected Persons": "",
                "Sdgs": "",
                "OHCHR Annotation Id": f"- {uuid.uuid4()}",
            }
        )
        for rec in demo
    ]

    report = import_file(write_xlsx(tmp_path / "uhri.xlsx", rows))

    assert report.ok, report.errors[:3]
    assert report.counts["created"] == 0 and report.counts["updated"] == len(demo)
    after = all_links()
    assert before - after == set()  # not one link lost
    assert Recommendation.objects.filter(uhri_id__isnull=False).count() == len(demo)


def test_an_empty_cell_keeps_the_stored_value_and_a_given_one_replaces_it(reference_data, tmp_path):
    path = write_upr_info(
        tmp_path, "Canada,WEOG,,Hold elections.,France,WEOG,,Accepted,5,Elections,3"
    )
    assert import_file(path).ok
    rec = Recommendation.objects.get()
    assert (rec.response, rec.action_category) == ("supported", 5)

    blank = write_upr_info(
        tmp_path, "Canada,WEOG,,Hold elections.,France,WEOG,,,,Elections,3", name="b"
    )
    report = import_file(blank)
    assert report.ok and report.counts["unchanged"] == 1
    rec.refresh_from_db()
    assert (rec.response, rec.action_category) == ("supported", 5)  # REPLACE, empty: kept

    noted = write_upr_info(
        tmp_path, "Canada,WEOG,,Hold elections.,France,WEOG,,Noted,2,Elections,3"
    )
    assert import_file(noted).counts["updated"] == 1
    rec.refresh_from_db()
    assert (rec.response, rec.action_category) == ("noted", 2)  # REPLACE, given: replaced


def test_upr_info_only_adds_recommending_states_and_issues(reference_data, tmp_path):
    first = write_upr_info(
        tmp_path, "Canada,WEOG,,Hold elections.,France,WEOG,,Accepted,5,Elections,3"
    )
    import_file(first)
    other = write_upr_info(
        tmp_path, "Canada,WEOG,,Hold elections.,Spain,WEOG,,Accepted,5,Justice,3", name="o.csv"
    )

    import_file(other)

    rec = Recommendation.objects.get()
    assert links(rec)["countries"] == {"FRA", "ESP"}  # ADD
    assert links(rec)["themes"] == {"Elections", "Justice"}  # ADD


def test_uhri_sets_recommending_states_but_only_adds_themes_groups_and_sdgs(
    reference_data, tmp_path
):
    import_file(write_xlsx(tmp_path / "a.xlsx", [uhri_row()]))
    rec = Recommendation.objects.get()
    assert links(rec)["countries"] == {"CHE", "RWA", "BHS"}

    import_file(
        write_xlsx(
            tmp_path / "b.xlsx",
            [
                uhri_row(
                    **{
                        "UPR Reccomending States": "- Mali",
                        "Themes": "- Death penalty",
                        "Affected Persons": "- Women & girls",
                        "Sdgs": "- 5.1 - End discrimination",
                    }
                )
            ],
        )
    )

    now = links(rec)
    assert now["countries"] == {"MLI"}  # SET: the UN index decides who recommended
    assert {"Children: rights", "Death penalty"} <= now["themes"]  # ADD
    assert len(now["groups"]) == 2 and now["sdgs"] == {"16.3", "5.1"}  # ADD


def test_a_native_file_fills_keys_but_never_replaces_them(reference_data, tmp_path):
    import_file(write_xlsx(tmp_path / "a.xlsx", [uhri_row()]))
    rec = Recommendation.objects.get()
    rec.upr_info_key = "key-from-upr-info"
    rec.save()
    path = tmp_path / "native.csv"
    path.write_text(
        "state_under_review,cycle,paragraph,text,uhri_id,upr_info_key\n"
        f"USA,3,26.49,Ratify the convention on the rights of the child.,{rec.uhri_id},other-key\n",
        encoding="utf-8",
    )

    assert import_file(path).ok

    rec.refresh_from_db()
    assert rec.upr_info_key == "key-from-upr-info"  # FILL: kept, the stored key is not empty


def test_a_curators_edit_survives_a_reimport_of_the_unchanged_file(
    client, reference_data, tmp_path
):
    path = write_xlsx(tmp_path / "uhri.xlsx", [uhri_row()])
    assert import_file(path).ok
    rec = Recommendation.objects.get()
    kept_theme = rec.themes.get(name="Children: rights")
    client.force_login(f.curator())

    response = client.post(
        reverse("staff:recommendation-edit", args=[rec.pk]),
        {
            "paragraph": "26.49",
            "text": "Ratify the Convention on the Rights of the Child (curator's wording).",
            "response": "supported_in_part",
            "themes": [kept_theme.pk],
        },
    )
    assert response.status_code == 302
    rec.refresh_from_db()
    assert set(rec.curated_fields) == {"text", "response", "themes"}

    report = import_file(path)

    assert report.ok and report.counts["updated"] == 0
    rec.refresh_from_db()
    assert rec.text.endswith("(curator's wording).")
    assert rec.response == "supported_in_part"
    assert list(rec.themes.all()) == [kept_theme]  # the removed theme is not put back
    assert links(rec)["countries"] == {"CHE", "RWA", "BHS"}  # fields not edited still import


def test_upr_info_never_replaces_the_un_wording(reference_data, tmp_path):
    import_file(write_xlsx(tmp_path / "a.xlsx", [uhri_row()]))
    rec = Recommendation.objects.get()
    rec.upr_info_key = ""
    rec.save()
    path = write_upr_info(
        tmp_path,
        "United States,WEOG,,Ratify the convention on the rights of the child!,Mali,Africa,,"
        "Accepted,5,Rights of the Child,36",
    )

    assert import_file(path).ok

    rec.refresh_from_db()
    assert rec.text == "Ratify the convention on the rights of the child."
    assert Theme.objects.get(name="Rights of the Child") in rec.themes.all()
