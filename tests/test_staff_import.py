"""Bulk CSV import of commitments: all rows valid or nothing saved."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from jurisdictions.commitment_import import COLUMN_NAMES, import_commitments, template_csv
from jurisdictions.models import Commitment
from tests import factories as f

pytestmark = pytest.mark.django_db


def upload(client, jurisdiction, text):
    return client.post(
        reverse("staff:commitment-import", args=[jurisdiction.slug]),
        {"file": SimpleUploadedFile("commitments.csv", text.encode(), content_type="text/csv")},
    )


def test_the_template_downloads_with_every_documented_column(client, editor):
    response = client.get(reverse("staff:import-template"))

    assert response["Content-Type"].startswith("text/csv")
    header = response.content.decode().splitlines()[0]
    assert header.split(",") == COLUMN_NAMES


def test_the_template_itself_imports_cleanly(editor, pittsburgh):
    result = import_commitments(template_csv().encode(), pittsburgh, editor)

    assert result.ok
    assert Commitment.objects.get().title == "Fair housing ordinance"


def test_a_valid_file_creates_draft_commitments_with_themes(client, editor, pittsburgh):
    housing = f.theme(name="Housing")
    text = (
        "title,kind,status,adopted_on,target_date,source_url,themes\n"
        f"Eviction defence,program,in_progress,2022-01-01,2024-01-01,https://example.org/e,{housing.slug}\n"
        "Police oversight board,ordinance,,2020-07-01,,,\n"
    )

    response = upload(client, pittsburgh, text)

    assert response.status_code == 302
    created = {c.title: c for c in Commitment.objects.all()}
    assert set(created) == {"Eviction defence", "Police oversight board"}
    assert all(c.publication == "draft" and c.jurisdiction == pittsburgh for c in created.values())
    assert list(created["Eviction defence"].themes.all()) == [housing]
    assert created["Police oversight board"].status == "adopted"


def test_a_file_with_bad_rows_saves_nothing_and_reports_each_line(client, editor, pittsburgh):
    text = (
        "title,kind,adopted_on,target_date,source_url,themes\n"
        "Good row,ordinance,2021-01-01,,,\n"
        ",ordinance,2021-01-01,,,\n"
        "Backwards dates,ordinance,2021-05-01,2020-01-01,,\n"
        "Bad link,ordinance,2021-01-01,,javascript:alert(1),\n"
        "Unknown kind,decree,2021-01-01,,,\n"
        "Bad date,ordinance,2021-13-45,,,\n"
        "Unknown theme,ordinance,2021-01-01,,,no-such-theme\n"
    )

    response = upload(client, pittsburgh, text)

    assert response.status_code == 400
    assert not Commitment.objects.exists()
    errors = dict(response.context["errors"])
    assert set(errors) == {3, 4, 5, 6, 7, 8}
    assert "title" in errors[3]
    assert "target date cannot be before" in errors[4]
    assert "http:// or https://" in errors[5]
    assert "kind" in errors[6]
    assert "adopted_on" in errors[7]
    assert "no-such-theme" in errors[8]
    page = response.content.decode()
    assert "Nothing was saved" in page
    assert "Line 4:" in page


def test_a_file_missing_a_required_column_is_refused(editor, pittsburgh):
    result = import_commitments(b"title,status\nA,adopted\n", pittsburgh, editor)

    assert result.errors == [(1, "Missing column(s): kind.")]
    assert not Commitment.objects.exists()


def test_a_file_that_is_not_utf8_is_refused(editor, pittsburgh):
    result = import_commitments("title,kind\nCafé,policy\n".encode("latin-1"), pittsburgh, editor)

    assert "not UTF-8" in result.errors[0][1]


def test_a_file_over_the_limit_is_refused_from_its_size_before_it_is_read(
    client, editor, pittsburgh, monkeypatch
):
    def must_not_run(*args, **kwargs):
        raise AssertionError("the upload was read and imported")

    monkeypatch.setattr("jurisdictions.staff.bulk_import.import_commitments", must_not_run)
    big = "title,kind\n" + "Plan,policy\n" * 200_000

    response = upload(client, pittsburgh, big)

    assert response.status_code == 200
    assert "the limit is 2 MB" in response.content.decode()
    assert not Commitment.objects.exists()


def test_a_malformed_cell_is_a_row_error_not_a_server_error(client, editor, pittsburgh):
    text = 'title,kind,summary\nGood,policy,Fine\nHuge,policy,"' + "x" * 200_000 + '"\n'

    response = upload(client, pittsburgh, text)

    assert response.status_code == 400
    [(line, message)] = response.context["errors"]
    assert line == 3
    assert "The CSV cannot be read from this line on: field larger than field limit" in message
    assert not Commitment.objects.exists()


def test_two_thousand_rows_import_in_a_fixed_number_of_queries(
    editor, pittsburgh, django_assert_max_num_queries
):
    housing, water = f.theme(name="Housing"), f.theme(name="Water")
    rows = [
        f"Plan {n},policy,2021-01-01,https://example.org/{n},{housing.slug};{water.slug}"
        for n in range(2000)
    ]
    raw = ("title,kind,adopted_on,source_url,themes\n" + "\n".join(rows)).encode()

    # Themes once, then per 500 rows: commitments, their history, their theme links.
    with django_assert_max_num_queries(16):
        result = import_commitments(raw, pittsburgh, editor)

    assert result.ok, result.errors[:3]
    assert Commitment.objects.filter(jurisdiction=pittsburgh, publication="draft").count() == 2000
    assert Commitment.themes.through.objects.count() == 4000
    assert Commitment.history.filter(history_change_reason="Bulk import").count() == 2000
    plan = Commitment.objects.get(title="Plan 7")
    assert set(plan.themes.all()) == {housing, water}
    assert plan.created_by == editor
