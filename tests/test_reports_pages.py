"""The report basket, bad input on every report URL, large reports built in the
background, and who may save and change a saved report."""

import io

import docx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jurisdictions.models import Report, ReportBuild
from tests import factories

pytestmark = pytest.mark.django_db


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


# The basket


def test_a_visitor_fills_the_basket_from_the_list_and_builds_from_it(client, report_data):
    listing = client.get("/recommendations/?cycle=3").content.decode()
    assert f'name="add" value="{report_data.shelter.pk}"' in listing
    detail = client.get(report_data.water_rec.get_absolute_url()).content.decode()
    assert "Add to report" in detail

    back = client.post(
        "/reports/basket/", {"add": report_data.shelter.pk, "next": "/recommendations/?cycle=3"}
    )
    assert back.status_code == 302 and back["Location"] == "/recommendations/?cycle=3"
    client.post("/reports/basket/", {"add": [report_data.water_rec.pk, "999999", "junk"]})
    basket = client.get("/reports/basket/")
    assert [r.pk for r in basket.context["recommendations"]] == [
        report_data.shelter.pk,
        report_data.water_rec.pk,
    ]
    assert messages_of(basket)[-1] == (
        "Added 1 recommendation to the report basket. Ignored 2 unknown ids."
    )
    again = client.post("/reports/basket/", {"add": report_data.water_rec.pk}, follow=True)
    assert messages_of(again)[-1] == "Already in the report basket."

    response = client.get("/reports/new/?basket=1&kind=submission")
    assert response.context["document"].citations == [
        "A/HRC/46/15, para. 26.181",
        "A/HRC/46/15, para. 26.230",
    ]
    client.post("/reports/basket/", {"remove": report_data.shelter.pk})
    assert [r.pk for r in client.get("/reports/basket/").context["recommendations"]] == [
        report_data.water_rec.pk
    ]
    client.post("/reports/basket/", {"clear": "1"})
    assert "The basket is empty." in client.get("/reports/basket/").content.decode()


def test_the_basket_never_redirects_off_site(client, report_data):
    response = client.post(
        "/reports/basket/", {"add": report_data.shelter.pk, "next": "https://evil.example/"}
    )
    assert response["Location"] == "/reports/basket/"


def test_pages_link_to_the_builder_with_their_own_selection(client, report_data):
    listing = client.get("/recommendations/?cycle=3&response=supported").content.decode()
    assert 'href="/reports/new/?cycle=3&amp;response=supported">Build a report</a>' in listing
    theme = client.get("/themes/upr-info-right-to-water/").content.decode()
    assert "/reports/new/?theme=upr-info-right-to-water&amp;kind=briefing" in theme
    place = client.get("/jurisdictions/boston/").content.decode()
    assert "/reports/new/?kind=local&amp;jurisdiction=boston" in place


# Bad input


def test_filters_matching_nothing_give_a_page_not_an_empty_document(client, report_data):
    response = client.get("/reports/submission.docx?response=pending")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
    assert "No recommendation matches this selection" in response.content.decode()
    builder = client.get("/reports/new/?response=pending")
    assert builder.status_code == 200 and "Nothing to report" in builder.content.decode()
    basket = client.get("/reports/new/?basket=1")
    assert "Nothing to report" in basket.content.decode()


def test_a_local_report_needs_exactly_one_jurisdiction(client, report_data):
    for query in ("", "?jurisdiction=boston&jurisdiction=providence"):
        response = client.get(f"/reports/local.pdf{query}")
        assert response.status_code == 404
        assert "about one jurisdiction" in response.content.decode()


def test_junk_parameters_and_unknown_ids_are_ignored_with_a_message(client, report_data):
    response = client.get(
        f"/reports/new/?ids={report_data.shelter.pk}&ids=abc&ids=99999999&color=red"
        "&theme=no-such-theme&kind=poster&limit=huge&cycle=99"
    )
    assert response.status_code == 200
    notes = " ".join(messages_of(response))
    assert "Ignored 1 malformed recommendation id." in notes
    assert "Ignored 1 unknown recommendation id." in notes
    assert "unknown parameter “color”" in notes
    assert "Ignored the theme filter" in notes and "Ignored the cycle filter" in notes
    assert "Unknown report kind “poster”" in notes and "Unknown word limit “huge”" in notes
    assert response.context["document"].citations == ["A/HRC/46/15, para. 26.181"]


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    key=st.sampled_from(["ids", "kind", "limit", "theme", "cycle", "q", "jurisdiction", "x\x00"]),
    value=st.text(max_size=40),
    path=st.sampled_from(["/reports/new/", "/reports/submission.docx", "/reports/local.pdf"]),
)
def test_no_junk_value_causes_a_server_error(client, report_data, key, value, path):
    response = client.get(path, {key: value, "cycle": "3"})
    assert response.status_code in (200, 404)


def test_unknown_kinds_and_formats_are_not_found(client, report_data):
    assert client.get("/reports/poster.docx").status_code == 404
    assert client.get("/reports/submission.odt").status_code == 404


# Large reports


def test_a_large_report_is_built_in_the_background_with_progress(
    client, report_data, settings, tmp_path, monkeypatch, django_capture_on_commit_callbacks
):
    from jurisdictions.reports import builder

    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setattr(builder, "TASK_THRESHOLD", 2)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get("/reports/submission.docx?cycle=3")
    assert response.status_code == 302
    build = ReportBuild.objects.get()
    assert response["Location"] == f"/reports/builds/{build.token}/"
    assert build.status == "succeeded" and build.done == build.total == 6
    page = client.get(response["Location"]).content.decode()
    assert "100%" in page and "Download the report" in page
    file = client.get(f"/reports/builds/{build.token}/file")
    document = docx.Document(io.BytesIO(b"".join(file.streaming_content)))
    assert len([p for p in document.paragraphs if p.style.name == "Heading 2"]) == 3


def test_a_queued_build_shows_its_progress_and_refreshes(client, db):
    build = ReportBuild.objects.create(spec={"title": "Big"}, format="pdf", done=30, total=120)
    page = client.get(build.get_absolute_url()).content.decode()
    assert "25%" in page and 'http-equiv="refresh"' in page
    assert client.get(f"/reports/builds/{build.token}/file").status_code == 404


def test_the_task_builds_once_when_delivered_twice(report_data, settings, tmp_path):
    from jurisdictions.reports.tasks import build_report

    settings.MEDIA_ROOT = tmp_path
    spec = {
        "kind": "briefing",
        "limit": "none",
        "query": "cycle=3",
        "ids": None,
        "title": "",
        "organisations": "",
        "introduction": "",
        "assessments": {},
    }
    build = ReportBuild.objects.create(spec=spec, format="pdf")
    assert build_report(build.pk)
    assert build_report(build.pk) is None
    build.refresh_from_db()
    assert build.status == "succeeded" and build.file.read().startswith(b"%PDF")


# Saved reports: owner, other staff, curator, anonymous


@pytest.fixture
def cast(report_data):
    owner = factories.user()
    factories.membership(owner, report_data.boston)
    other = factories.user()
    factories.membership(other, report_data.providence)
    curator = factories.curator()
    report = Report.objects.create(
        owner=owner,
        kind="submission",
        word_limit="individual",
        query="cycle=3",
        title="Shelter and water",
        introduction="Our view.",
    )
    return {"owner": owner, "other": other, "curator": curator, "report": report}


def save_post(**texts):
    return {"kind": "submission", "limit": "joint", "cycle": "3", "action": "save", **texts}


def test_staff_save_a_report_and_get_a_stable_address(client, report_data):
    person = factories.user()
    factories.membership(person, report_data.boston)
    client.force_login(person)
    response = client.post("/reports/new/", save_post(title="Our <b>submission</b>"))
    report = Report.objects.get()
    assert response["Location"] == f"/reports/{report.token}/"
    assert report.owner == person and report.title == "Our <b>submission</b>"
    assert report.query == "cycle=3" and report.word_limit == "joint"
    page = client.get(f"/reports/{report.token}/").content.decode()
    assert "Save changes" in page and "Our &lt;b&gt;submission&lt;/b&gt;" in page
    assert "/reports/" in client.get("/reports/").content.decode()


def test_visitors_cannot_save(client, report_data):
    response = client.post("/reports/new/", save_post())
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not Report.objects.exists()
    assert "Save report" not in client.get("/reports/new/?cycle=3").content.decode()


@pytest.mark.parametrize(
    "who, can_edit", [("owner", True), ("curator", True), ("other", False), ("anonymous", False)]
)
def test_only_the_owner_and_curators_change_a_saved_report(client, cast, who, can_edit):
    report = cast["report"]
    if who != "anonymous":
        client.force_login(cast[who])
    page = client.get(report.get_absolute_url())
    assert page.status_code == 200
    html = page.content.decode()
    assert "Shelter and water" in html and "Our view." in html
    assert ("Save changes" in html) is can_edit
    response = client.post(
        report.get_absolute_url(), save_post(title="Changed", version=report.version)
    )
    report.refresh_from_db()
    if can_edit:
        assert response.status_code == 302 and report.title == "Changed"
    else:
        assert response.status_code == 403 and report.title == "Shelter and water"
    download = client.get(f"/reports/{report.token}/report.docx")
    assert download.status_code == 200
    heading = docx.Document(io.BytesIO(download.content)).paragraphs[0].text
    assert heading == report.title


def test_without_the_pdf_libraries_a_pdf_request_says_what_is_missing(
    client, report_data, monkeypatch
):
    from jurisdictions.reports import formats, pdf

    def missing(document):
        raise pdf.PdfUnavailable("PDF output needs Pango and HarfBuzz on the server.")

    monkeypatch.setitem(formats.RENDERERS, "pdf", missing)
    response = client.get("/reports/submission.pdf?cycle=3")
    assert response.status_code == 503
    assert "PDF output needs Pango" in response.content.decode()
    assert client.get("/reports/submission.docx?cycle=3").status_code == 200
