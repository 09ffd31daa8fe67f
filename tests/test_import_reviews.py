"""What an import records about a review (its year, from the session calendar) and about
each recommending state's answer, and how the recommendation page shows both."""

import datetime

import pytest

from recommendations import sessions
from recommendations.importers.pipeline import import_file
from recommendations.models import Country, Recommendation, Review
from tests.helpers import write_upr_info

pytestmark = pytest.mark.django_db


def test_the_calendar_gives_a_year_to_every_session_of_the_first_two_cycles():
    years = {session: sessions.year_of(session) for session in range(1, 27)}

    assert None not in years.values()
    assert (years[1], years[9], years[12], years[13], years[20], years[26]) == (
        2008,
        2010,
        2011,
        2012,
        2014,
        2016,
    )
    assert sessions.year_of(36) == 2020  # the US review of 9 November 2020
    assert sessions.year_of(999) is None


def test_a_review_an_import_creates_carries_the_year_of_its_session(reference_data, tmp_path):
    row = "Angola,Africa,,Ratify the OP-CAT.,Brazil,GRULAC,,Accepted,5,International instruments,20"
    path = write_upr_info(tmp_path, row)

    assert import_file(path).ok

    review = Review.objects.get()
    assert review.review_date == datetime.date(2014, 10, 27)
    assert str(review) == "Angola, Cycle 2 (2014)"


def test_an_undated_review_gets_its_session_date_and_keeps_a_date_it_has(reference_data, tmp_path):
    angola = Review.objects.create(state_under_review=Country.objects.get(iso3="AGO"), cycle=2)
    held = datetime.date(2014, 10, 30)
    chile = Review.objects.create(
        state_under_review=Country.objects.get(iso3="CHL"), cycle=2, review_date=held
    )
    path = write_upr_info(
        tmp_path,
        "Angola,Africa,,Ratify the OP-CAT.,Brazil,GRULAC,,Accepted,5,International instruments,20",
        "Chile,GRULAC,,Ratify the OP-CAT.,Brazil,GRULAC,,Accepted,5,International instruments,20",
    )

    assert import_file(path).ok

    angola.refresh_from_db()
    chile.refresh_from_db()
    assert (angola.wg_session, angola.review_date) == (20, datetime.date(2014, 10, 27))
    assert chile.review_date == held


def test_each_recommending_state_keeps_its_answer_and_the_page_shows_them(
    client, reference_data, tmp_path
):
    """Tonga, session 15: Australia's "Ratify CEDAW" supported, Maldives' and Slovenia's
    noted."""
    path = write_upr_info(
        tmp_path,
        "Tonga,Asia,,Ratify CEDAW,Australia,WEOG,,Accepted,5,Women's rights,15",
        "Tonga,Asia,,Ratify CEDAW,Maldives,Asia,,Noted,5,Women's rights,15",
        "Tonga,Asia,,Ratify CEDAW,Slovenia,EEG,,Noted,5,Women's rights,15",
    )

    assert import_file(path).ok

    rec = Recommendation.objects.get()
    answers = {p.country.iso3: p.response for p in rec.positions.select_related("country")}
    assert answers == {"AUS": "supported", "MDV": "noted", "SVN": "noted"}
    assert rec.response == Recommendation.response_of(answers.values()) == "supported_in_part"
    html = client.get(rec.get_absolute_url()).content.decode()
    assert "Answer to each recommending state" in html
    assert 'Australia</a>: <span class="badge response-supported">Supported</span>' in html
    assert "Tonga, Cycle 2 (2013)</a>, Working Group session 15" in html


def test_a_later_row_with_an_empty_answer_keeps_the_answer_given(reference_data, tmp_path):
    first = write_upr_info(
        tmp_path, "Tonga,Asia,,Ratify CEDAW,Australia,WEOG,,Accepted,5,Women's rights,15"
    )
    blank = write_upr_info(
        tmp_path, "Tonga,Asia,,Ratify CEDAW,Australia,WEOG,,,5,Women's rights,15", name="b"
    )
    assert import_file(first).ok

    report = import_file(blank)

    assert report.counts["unchanged"] == 1
    assert Recommendation.objects.get().positions.get().response == "supported"
