"""The Spanish report table (format un_spanish): it attaches the Spanish text to the
recommendations the English table created, creates none, reports each row it cannot
place, writes nothing unless every row can be written, and changes nothing a second time.

The shared folder holds the English 2020 table only; tests/data holds a Spanish table of
a few of its paragraphs in the same shape, and any Spanish table added to the shared
folder (a file ending in _es.csv) is imported by the same test."""

import csv
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from recommendations.importers.pipeline import import_file
from recommendations.models import ImportRun, Recommendation, Theme
from tests import factories
from tests.shared_exports import SHARED, shared_files

pytestmark = pytest.mark.django_db

SPANISH = Path(__file__).parent / "data" / "us_cycle3_A_HRC_46_15_es.csv"
REAL_SPANISH = sorted(SHARED.glob("*/*_es.csv"))


@pytest.fixture
def english(reference_data):
    """The real English 2020 table, imported."""
    [path] = shared_files("us-reviews")
    report = import_file(path, states=["USA"])
    assert report.ok and report.counts["created"] == 347
    return path


def texts() -> dict:
    return dict(Recommendation.objects.values_list("paragraph", "text_es"))


def write_table(tmp_path, rows) -> Path:
    path = tmp_path / "table_es.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["document_symbol", "paragraph", "position", "text"])
        writer.writerows(rows)
    return path


@pytest.mark.parametrize("path", [SPANISH, *REAL_SPANISH], ids=lambda p: p.name)
def test_the_spanish_table_attaches_its_text_and_creates_nothing(english, path):
    before = Recommendation.objects.count()
    english_texts = dict(Recommendation.objects.values_list("paragraph", "text"))

    report = import_file(path, format="un_spanish")

    assert report.ok, report.error_lines()
    assert report.counts["created"] == 0
    assert Recommendation.objects.count() == before
    # The English text of every record is as the English table left it.
    assert dict(Recommendation.objects.values_list("paragraph", "text")) == english_texts
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert report.counts["updated"] == len(rows)
    assert report.states["USA"]["updated"] == len(rows)
    for row in rows:
        assert texts()[row["paragraph"]] == row["text"]


def test_a_second_run_changes_nothing(english):
    import_file(SPANISH, format="un_spanish")
    history = Recommendation.history.count()
    stamped = dict(Recommendation.objects.values_list("pk", "updated_at"))

    again = import_file(SPANISH, format="un_spanish")

    assert again.ok
    assert (again.counts["updated"], again.counts["unchanged"]) == (0, 7)
    assert Recommendation.history.count() == history
    assert dict(Recommendation.objects.values_list("pk", "updated_at")) == stamped


def test_the_change_is_recorded_in_the_history(english):
    import_file(SPANISH, format="un_spanish")
    rec = Recommendation.objects.get(paragraph="26.178")

    latest = rec.history.first()
    assert (
        latest.text_es == "Continuar los esfuerzos encaminados a la abolición de la pena de muerte"
    )
    assert latest.prev_record.text_es == ""


def test_rows_without_a_match_are_reported_one_by_one_and_nothing_is_written(english, tmp_path):
    path = write_table(
        tmp_path,
        [
            ["A/HRC/46/15", "26.1", "supported", "Considerar ratificar las convenciones"],
            ["A/HRC/46/15", "26.999", "supported", "Un párrafo que el informe no tiene"],
            ["A/HRC/99/1", "12.3", "noted", "Un informe que la base de datos no tiene"],
            ["A/HRC/46/15", "", "noted", "Sin número de párrafo"],
            ["A/HRC/46/15", "26.2", "supported", ""],
            ["A/HRC/46/15", "26.1", "supported", "El mismo párrafo otra vez"],
        ],
    )

    report = import_file(path, format="un_spanish")

    assert not report.ok
    by_line = {e["line"]: e["message"] for e in report.errors}
    assert "paragraph 26.999 of A/HRC/46/15" in by_line[3]
    assert "paragraph 12.3 of A/HRC/99/1" in by_line[4]
    assert by_line[5] == "The paragraph number is missing."
    assert by_line[6] == "The Spanish text is missing."
    assert by_line[7] == "Same paragraph as line 2."
    assert 2 not in by_line
    # All or nothing: the one good row was not written either.
    assert set(texts().values()) == {""}
    assert report.counts["updated"] == 0


def test_a_file_without_a_text_column_is_refused_as_a_whole(english, tmp_path):
    path = tmp_path / "no_text_es.csv"
    path.write_text("document_symbol,paragraph\nA/HRC/46/15,26.1\n", encoding="utf-8")

    report = import_file(path, format="un_spanish")

    assert [e["message"] for e in report.errors] == [
        "Not a UN report table file: the header has no 'text' column."
    ]


def test_a_dry_run_counts_and_writes_nothing(english):
    report = import_file(SPANISH, format="un_spanish", dry_run=True)

    assert report.ok and report.counts["updated"] == 7
    assert set(texts().values()) == {""}


def test_a_text_a_curator_corrected_is_kept_with_a_warning(english):
    rec = Recommendation.objects.get(paragraph="26.178")
    rec.text_es = "Seguir trabajando por abolir la pena de muerte"
    rec.save()
    rec.mark_curated(["text_es"])

    report = import_file(SPANISH, format="un_spanish")

    assert report.ok
    rec.refresh_from_db()
    assert rec.text_es == "Seguir trabajando por abolir la pena de muerte"
    assert any("corrected this Spanish text by hand" in w["message"] for w in report.warnings)


def test_the_english_table_import_leaves_the_spanish_text_alone(english):
    import_file(SPANISH, format="un_spanish")
    spanish = texts()

    report = import_file(english)

    assert report.ok and report.counts["unchanged"] == 347
    assert texts() == spanish


def test_the_command_takes_the_spanish_format(english, capsys):
    call_command("import_recommendations", str(SPANISH), "--format", "un-spanish")

    assert "records 0 created, 7 updated, 0 unchanged" in capsys.readouterr().out


def _post(client, capture, **data):
    payload = {
        "file": SimpleUploadedFile(SPANISH.name, SPANISH.read_bytes()),
        "format": "un_spanish",
        "states": "USA",
        **data,
    }
    with capture(execute=True):
        return client.post(reverse("imports:list"), payload)


@pytest.fixture
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_a_curator_imports_the_spanish_table_from_the_upload_screen(
    client, curator, english, _media, django_capture_on_commit_callbacks
):
    page = client.get(reverse("imports:list")).content.decode()
    assert 'value="un_spanish"' in page

    response = _post(client, django_capture_on_commit_callbacks)

    run = ImportRun.objects.get()
    assert response.status_code == 302 and response.url == run.get_absolute_url()
    assert (run.status, run.format, run.created, run.updated) == ("succeeded", "un_spanish", 0, 7)
    assert texts()["26.207"].startswith("Aplazar o suspender")


@pytest.mark.parametrize("role", ["anonymous", "editor"])
def test_no_one_but_a_curator_may_upload_it(
    client, role, english, _media, django_capture_on_commit_callbacks
):
    if role == "editor":
        person = factories.user()
        factories.membership(person, factories.jurisdiction())
        client.force_login(person)

    response = _post(client, django_capture_on_commit_callbacks)

    assert response.status_code in (302, 403)
    if response.status_code == 302:
        assert "login" in response.url
    assert not ImportRun.objects.exists()
    assert set(texts().values()) == {""}


def test_a_curator_corrects_the_spanish_text_on_the_form_and_the_import_keeps_it(
    client, curator, english
):
    rec = Recommendation.objects.get(paragraph="26.178")
    url = reverse("staff:recommendation-edit", args=[rec.pk])
    data = {
        "paragraph": rec.paragraph,
        "text": rec.text,
        "response": rec.response,
        "themes": [t.pk for t in rec.themes.all()],
    }

    response = client.post(url, {**data, "text_es": "Seguir trabajando por la abolición."})

    assert response.status_code == 302
    rec.refresh_from_db()
    assert rec.curated_fields == ["text_es"]
    assert import_file(SPANISH, format="un_spanish").ok
    rec.refresh_from_db()
    assert rec.text_es == "Seguir trabajando por la abolición."


def test_staff_who_are_not_curators_cannot_set_the_spanish_text(client, english):
    person = factories.user()
    factories.membership(person, factories.jurisdiction())
    client.force_login(person)
    rec = Recommendation.objects.get(paragraph="26.178")

    response = client.post(
        reverse("staff:recommendation-edit", args=[rec.pk]),
        {"paragraph": rec.paragraph, "text": rec.text, "response": rec.response, "text_es": "X"},
    )

    assert response.status_code == 403
    rec.refresh_from_db()
    assert rec.text_es == ""


def test_the_spanish_theme_column_names_the_records_uhri_theme(english):
    report = import_file(SPANISH, format="un_spanish")

    assert report.ok
    spanish = dict(Theme.objects.filter(vocabulary="uhri").values_list("name", "name_es"))
    assert spanish["Death penalty"] == "Pena de muerte"
    assert spanish["Ratification of & accession to international instruments"] == (
        "Ratificación de instrumentos internacionales y adhesión a ellos"
    )


def test_a_theme_given_two_spanish_names_keeps_its_own_and_a_named_one_is_kept(english, tmp_path):
    death = Theme.objects.get(vocabulary="uhri", name="Death penalty")
    path = tmp_path / "themes_es.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["document_symbol", "paragraph", "primary_theme", "text"])
        writer.writerow(["A/HRC/46/15", "26.178", "Pena de muerte", "Abolir la pena de muerte"])
        writer.writerow(["A/HRC/46/15", "26.179", "Pena capital", "Una moratoria"])
        writer.writerow(["A/HRC/46/15", "26.1", "Tratados", "Ratificar los tratados"])
    ratification = Theme.objects.get(
        vocabulary="uhri", name="Ratification of & accession to international instruments"
    )
    ratification.name_es = "Ratificación de tratados"
    ratification.save()

    report = import_file(path, format="un_spanish")

    assert report.ok
    assert [w["line"] for w in report.warnings] == [2]
    assert "different Spanish names" in report.warnings[0]["message"]
    death.refresh_from_db()
    ratification.refresh_from_db()
    assert death.name_es == ""
    assert ratification.name_es == "Ratificación de tratados"
