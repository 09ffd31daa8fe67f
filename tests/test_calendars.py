"""The calendar feeds: the UPR calendar of the United States (/calendar/upr.ics) and a
jurisdiction's deadlines (/jurisdictions/<slug>/calendar.ics), read back with the
icalendar library and checked against the database, and the curators' screen that keeps
the UPR dates."""

from datetime import date, timedelta

import icalendar
import pytest
from django.db.models import Q
from django.utils import timezone

from jurisdictions.progress.models import Milestone
from recommendations.importers.pipeline import import_file
from recommendations.models import CalendarEntry, Country, Review
from recommendations.sessions import CALENDAR
from tests import factories as f
from tests.helpers import write_upr_info

pytestmark = pytest.mark.django_db

UPR_FEED = "/calendar/upr.ics"


def feed(client, url) -> icalendar.Calendar:
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return icalendar.Calendar.from_ical(response.content)


def events(calendar) -> dict:
    """UID to (first day, day after the last, summary) of every event."""
    return {
        str(e["uid"]): (e.decoded("dtstart"), e.decoded("dtend"), str(e["summary"]))
        for e in calendar.walk("VEVENT")
    }


def event(calendar, uid):
    (found,) = [e for e in calendar.walk("VEVENT") if str(e["uid"]) == uid]
    return found


def assert_round_trip(client, url):
    """What a calendar app imports, it can write back without losing anything."""
    body = client.get(url).content
    parsed = icalendar.Calendar.from_ical(body)
    assert parsed.to_ical() == body
    assert icalendar.Calendar.from_ical(parsed.to_ical()) == parsed


# --- The UPR calendar --------------------------------------------------------------------


@pytest.fixture
def upr_dates(db):
    """The United States' reviews, which hold their sessions and responses, one date
    curators keep, and another state's review and date that the calendar never shows."""
    usa = f.country(iso3="USA", name="United States")
    third = f.review(
        state_under_review=usa,
        cycle=3,
        wg_session=36,
        review_date=date(2020, 11, 9),
        response_date=date(2021, 3, 4),
        response_symbol="A/HRC/46/15/Add.1",
    )
    fourth = f.review(
        state_under_review=usa,
        cycle=4,
        wg_session=50,
        report_symbol="",
        status="postponed",
        notes="Planned for session 50; moved into 2026.",
    )
    # Neither a day nor a session the calendar of sessions lists: no session event.
    f.review(state_under_review=usa, cycle=5, wg_session=None, report_symbol="", status="scheduled")
    deadline = CalendarEntry.objects.create(
        review=fourth, kind="stakeholder_deadline", starts_on=date(2025, 4, 14)
    )
    elsewhere = f.review(
        state_under_review=f.country(name="Elsewhere"),
        cycle=4,
        review_date=date(2024, 1, 22),
        response_date=date(2024, 6, 1),
    )
    CalendarEntry.objects.create(
        review=elsewhere, kind="other", starts_on=date(2024, 1, 22), title="Not ours"
    )
    return {"third": third, "fourth": fourth, "deadline": deadline}


def expected_upr_events() -> dict:
    """What the feed must hold, from the rows themselves: a session event for each US
    review with a day or a listed session, a response event for each with a response
    date, and an event for each date curators keep for a US review."""
    expected = {}
    for r in Review.objects.filter(state_under_review__iso3="USA"):
        uid = f"upr-review-USA-{r.cycle}"
        days = (r.review_date, r.review_date) if r.review_date else CALENDAR.get(r.wg_session)
        if days:
            summary = f"Review session, UPR cycle {r.cycle}"
            summary += " (postponed)" if r.status == "postponed" else ""
            expected[f"{uid}-session@upr-tracker"] = (
                days[0],
                days[1] + timedelta(days=1),
                summary,
            )
        if r.response_date:
            expected[f"{uid}-response@upr-tracker"] = (
                r.response_date,
                r.response_date + timedelta(days=1),
                f"Response to the recommendations, UPR cycle {r.cycle}",
            )
    for e in CalendarEntry.objects.filter(review__state_under_review__iso3="USA"):
        expected[f"upr-calendar-entry-{e.pk}@upr-tracker"] = (
            e.starts_on,
            (e.ends_on or e.starts_on) + timedelta(days=1),
            e.summary,
        )
    return expected


def test_the_upr_feed_holds_the_reviews_dates_and_the_dates_curators_keep(client, upr_dates):
    calendar = feed(client, UPR_FEED)

    assert events(calendar) == expected_upr_events()
    us = Review.objects.filter(state_under_review__iso3="USA")
    assert len(calendar.walk("VEVENT")) == (
        us.filter(Q(review_date__isnull=False) | Q(wg_session__in=list(CALENDAR))).count()
        + us.exclude(response_date=None).count()
        + CalendarEntry.objects.filter(review__in=us).count()
    )
    assert events(calendar) == {
        "upr-review-USA-3-session@upr-tracker": (
            date(2020, 11, 9),
            date(2020, 11, 10),
            "Review session, UPR cycle 3",
        ),
        "upr-review-USA-3-response@upr-tracker": (
            date(2021, 3, 4),
            date(2021, 3, 5),
            "Response to the recommendations, UPR cycle 3",
        ),
        # No day of its own: the days of Working Group session 50.
        "upr-review-USA-4-session@upr-tracker": (
            date(2025, 11, 3),
            date(2025, 11, 15),
            "Review session, UPR cycle 4 (postponed)",
        ),
        f"upr-calendar-entry-{upr_dates['deadline'].pk}@upr-tracker": (
            date(2025, 4, 14),
            date(2025, 4, 15),
            "Deadline for stakeholder submissions, UPR cycle 4",
        ),
    }
    planned = event(calendar, "upr-review-USA-4-session@upr-tracker")
    assert "Planned for session 50; moved into 2026." in str(planned["description"])
    assert "Working Group session 50." in str(planned["description"])
    assert str(planned["url"]) == f"http://testserver/reviews/{upr_dates['fourth'].pk}/"
    response = event(calendar, "upr-review-USA-3-response@upr-tracker")
    assert "A/HRC/46/15/Add.1" in str(response["description"])
    body = client.get(UPR_FEED).content.decode()
    assert "Not ours" not in body and "20240601" not in body


def test_every_upr_event_carries_the_properties_rfc_5545_asks_for(client, upr_dates):
    calendar = feed(client, UPR_FEED)
    assert str(calendar["version"]) == "2.0" and calendar["prodid"]
    for e in calendar.walk("VEVENT"):
        assert e["uid"] and e["dtstamp"] and e["last-modified"]
        assert int(e["sequence"]) == 0
        assert e.decoded("dtstamp") == e.decoded("last-modified")
    assert_round_trip(client, UPR_FEED)


def test_moving_a_review_date_keeps_the_uid_and_raises_the_sequence(client, upr_dates):
    """The review is the only store of its session and response: editing it moves the
    events, under the same UIDs, and nothing else has to be written."""
    session = "upr-review-USA-3-session@upr-tracker"
    answer = "upr-review-USA-3-response@upr-tracker"
    before = feed(client, UPR_FEED)
    entries = CalendarEntry.objects.count()

    third = upr_dates["third"]
    third.review_date = date(2020, 11, 10)
    third.save()
    third.response_date = date(2021, 3, 18)
    third.save()

    after = feed(client, UPR_FEED)
    moved, answered = event(after, session), event(after, answer)
    assert moved.decoded("dtstart") == date(2020, 11, 10)
    assert answered.decoded("dtstart") == date(2021, 3, 18)
    assert int(moved["sequence"]) == int(event(before, session)["sequence"]) + 2
    assert int(answered["sequence"]) == int(event(before, answer)["sequence"]) + 2
    assert moved.decoded("last-modified") >= event(before, session).decoded("last-modified")
    assert events(after) == expected_upr_events()
    assert CalendarEntry.objects.count() == entries
    assert_round_trip(client, UPR_FEED)


def test_a_review_keeps_its_uids_when_it_is_written_again(client, upr_dates):
    """UIDs come from the review's natural key (state, cycle), which an export and a
    re-import keep, not from the row's id, which they do not."""
    before = set(events(feed(client, UPR_FEED)))
    fourth = upr_dates["fourth"]
    values = {
        name: getattr(fourth, name)
        for name in ["state_under_review", "cycle", "wg_session", "status", "notes"]
    }
    fourth.delete()  # its calendar entry goes with it
    again = Review.objects.create(**values)
    assert again.pk != fourth.pk
    after = set(events(feed(client, UPR_FEED)))
    assert "upr-review-USA-4-session@upr-tracker" in after
    assert after == before - {f"upr-calendar-entry-{upr_dates['deadline'].pk}@upr-tracker"}


def test_a_review_an_import_dates_raises_the_sequence(client, reference_data, tmp_path):
    """An import updates reviews in bulk; it records the change in the review's history,
    or calendars would keep the old days."""
    usa = Country.objects.get(iso3="USA")
    Review.objects.create(state_under_review=usa, cycle=2, wg_session=22)
    uid = "upr-review-USA-2-session@upr-tracker"
    before = event(feed(client, UPR_FEED), uid)
    assert (before.decoded("dtstart"), before.decoded("dtend")) == (
        date(2015, 5, 4),
        date(2015, 5, 16),
    )
    row = (
        f"{usa.name},WEOG,,Ratify the OP-CAT.,Brazil,GRULAC,,Accepted,5,"
        "International instruments,22"
    )

    assert import_file(write_upr_info(tmp_path, row)).ok

    moved = event(feed(client, UPR_FEED), uid)
    # The import gives the review the session's first day as its own.
    assert (moved.decoded("dtstart"), moved.decoded("dtend")) == (
        date(2015, 5, 4),
        date(2015, 5, 5),
    )
    assert int(moved["sequence"]) == int(before["sequence"]) + 1
    assert events(feed(client, UPR_FEED)) == expected_upr_events()


def test_moving_a_kept_date_keeps_its_uid_and_raises_its_sequence(client, curator, upr_dates):
    entry = upr_dates["deadline"]
    uid = f"upr-calendar-entry-{entry.pk}@upr-tracker"
    before = event(feed(client, UPR_FEED), uid)

    response = client.post(
        f"/manage/calendar/{entry.pk}/edit/",
        {"review": entry.review_id, "kind": entry.kind, "starts_on": "2025-04-28", "note": ""},
    )
    assert response.status_code == 302

    after = feed(client, UPR_FEED)
    moved = event(after, uid)
    assert moved.decoded("dtstart") == date(2025, 4, 28)
    assert int(moved["sequence"]) == int(before["sequence"]) + 1
    assert moved.decoded("last-modified") >= before.decoded("last-modified")
    assert events(after) == expected_upr_events()


def test_the_upr_feed_narrows_to_kinds_and_cycles(client, upr_dates):
    deadlines = events(feed(client, UPR_FEED + "?kind=stakeholder_deadline"))
    assert list(deadlines) == [f"upr-calendar-entry-{upr_dates['deadline'].pk}@upr-tracker"]
    sessions = events(feed(client, UPR_FEED + "?kind=review_session"))
    assert set(sessions) == {
        "upr-review-USA-3-session@upr-tracker",
        "upr-review-USA-4-session@upr-tracker",
    }
    answers = events(feed(client, UPR_FEED + "?kind=response&kind=stakeholder_deadline"))
    assert set(answers) == {
        "upr-review-USA-3-response@upr-tracker",
        f"upr-calendar-entry-{upr_dates['deadline'].pk}@upr-tracker",
    }
    third = events(feed(client, UPR_FEED + "?cycle=3"))
    assert set(third) == {
        "upr-review-USA-3-session@upr-tracker",
        "upr-review-USA-3-response@upr-tracker",
    }


@pytest.mark.parametrize(
    "query", ["?kind=party", "?cycle=99", "?cycle=x&kind=review_session", "?kind=%ff%fe"]
)
def test_a_filter_value_the_feed_does_not_know_is_a_400(client, upr_dates, query):
    response = client.get(UPR_FEED + query)
    assert response.status_code == 400
    assert b"review_session" in response.content and b"stakeholder_deadline" in response.content


def _more_rows(upr_dates):
    usa = upr_dates["third"].state_under_review
    for cycle in (1, 2):
        f.review(
            state_under_review=usa,
            cycle=cycle,
            review_date=date(2005 + 5 * cycle, 11, 5),
            response_date=date(2006 + 5 * cycle, 3, 1),
        )
    for n in range(1, 6):
        CalendarEntry.objects.create(
            review=upr_dates["fourth"],
            kind="other",
            starts_on=date(2025, n, 1),
            title=f"Briefing {n}",
        )


def test_the_upr_feed_reads_the_database_twice(client, upr_dates, django_assert_max_num_queries):
    _more_rows(upr_dates)
    with django_assert_max_num_queries(2):  # the reviews, the kept dates
        calendar = feed(client, UPR_FEED)
    assert events(calendar) == expected_upr_events()
    assert len(calendar.walk("VEVENT")) == 13


def test_the_calendar_pages_read_the_dates_in_few_queries(
    client, curator, upr_dates, django_assert_max_num_queries
):
    _more_rows(upr_dates)
    with django_assert_max_num_queries(4):  # the session and the curator's groups too
        page = client.get("/manage/calendar/").content.decode()
    assert page.count("Briefing") == 5
    assert "Review session, UPR cycle" not in page  # the reviews hold those
    client.logout()
    with django_assert_max_num_queries(2):
        page = client.get("/calendar/").content.decode()
    assert page.count("Briefing") == 5
    assert page.count("Review session, UPR cycle") == 4
    assert page.count("Response to the recommendations, UPR cycle") == 3


def test_the_calendar_page_lists_the_dates_and_offers_the_feed(client, upr_dates):
    page = client.get("/calendar/").content.decode()
    assert "Review session, UPR cycle 3" in page
    assert "Review session, UPR cycle 4 (postponed)" in page
    assert "Planned for session 50; moved into 2026." in page
    assert "Deadline for stakeholder submissions, UPR cycle 4" in page
    assert 'href="webcal://testserver/calendar/upr.ics"' in page
    assert 'href="http://testserver/calendar/upr.ics"' in page
    assert "Not ours" not in page and "2024-06-01" not in page
    assert 'href="/calendar/"' in client.get("/reviews/").content.decode()


# --- A jurisdiction's deadlines ------------------------------------------------------------


@pytest.fixture
def deadlines(db):
    """Pittsburgh's published commitments with target dates and milestones, and what no
    feed of Pittsburgh may show: unpublished commitments, a child's, another city's."""
    today = timezone.localdate()
    city = f.jurisdiction(name="Pittsburgh", slug="pittsburgh")
    late = f.commitment(
        jurisdiction=city,
        title="Gender equity plan",
        status="in_progress",
        target_date=today - timedelta(days=10),
    )
    done = f.commitment(
        jurisdiction=city,
        title="Water affordability",
        status="implemented",
        target_date=today - timedelta(days=40),
    )
    ahead = f.commitment(
        jurisdiction=city, title="Shelter for all", target_date=today + timedelta(days=200)
    )
    undated = f.commitment(jurisdiction=city, title="Human rights city")
    missed = f.milestone(ahead, title="Hearing", due_on=today - timedelta(days=5))
    met = f.milestone(ahead, title="First report", due_on=today - timedelta(days=30), done_on=today)
    coming = f.milestone(undated, title="Charter drafted", due_on=today + timedelta(days=60))
    for publication in ["draft", "submitted", "rejected"]:
        hidden = f.commitment(
            jurisdiction=city,
            title=f"Hidden {publication}",
            publication=publication,
            target_date=today - timedelta(days=3),
        )
        f.milestone(hidden, title=f"Hidden step {publication}", due_on=today - timedelta(2))
    ward = f.jurisdiction(name="Ward 1", slug="ward-1", parent=city)
    f.commitment(jurisdiction=ward, title="Ward pledge", target_date=today)
    erie = f.jurisdiction(name="Erie", slug="erie")
    f.milestone(
        f.commitment(jurisdiction=erie, title="Erie plan", target_date=today),
        title="Erie step",
        due_on=today,
    )
    return {
        "city": city,
        "late": late,
        "done": done,
        "ahead": ahead,
        "missed": missed,
        "met": met,
        "coming": coming,
        "today": today,
    }


def test_the_jurisdiction_feed_holds_its_published_deadlines_and_overdue_reminders(
    client, deadlines
):
    d = deadlines

    def one_day(uid, first_day, summary):
        return f"{uid}@upr-tracker", (first_day, first_day + timedelta(days=1), summary)

    def reminder(uid, deadline, summary):
        return one_day(f"{uid}-overdue", deadline + timedelta(days=1), summary)

    calendar = feed(client, "/jurisdictions/pittsburgh/calendar.ics")

    late, done, ahead = d["late"], d["done"], d["ahead"]
    missed, met, coming = d["missed"], d["met"], d["coming"]
    assert events(calendar) == dict(
        [
            one_day(f"commitment-{late.pk}-target", late.target_date, "Target date: " + late.title),
            reminder(f"commitment-{late.pk}", late.target_date, "Overdue: " + late.title),
            one_day(f"commitment-{done.pk}-target", done.target_date, "Target date: " + done.title),
            one_day(
                f"commitment-{ahead.pk}-target", ahead.target_date, "Target date: " + ahead.title
            ),
            one_day(f"milestone-{missed.pk}", missed.due_on, "Milestone: Hearing"),
            reminder(f"milestone-{missed.pk}", missed.due_on, "Overdue milestone: Hearing"),
            one_day(f"milestone-{met.pk}", met.due_on, "Milestone: First report"),
            one_day(f"milestone-{coming.pk}", coming.due_on, "Milestone: Charter drafted"),
        ]
    )
    assert late.title == "Gender equity plan"
    body = client.get("/jurisdictions/pittsburgh/calendar.ics").content.decode()
    for absent in ["Hidden", "Ward pledge", "Erie"]:
        assert absent not in body
    overdue = event(calendar, f"commitment-{late.pk}-overdue@upr-tracker")
    assert "still in progress" in str(overdue["description"])
    assert str(overdue["url"]) == f"http://testserver/commitments/{late.pk}/"


def test_the_jurisdiction_feed_counts_as_the_database_does(client, deadlines):
    """Independently of the expected list above: one target event per published dated
    commitment, one per milestone of a published commitment, one reminder per overdue."""
    city, today = deadlines["city"], deadlines["today"]
    calendar = feed(client, "/jurisdictions/pittsburgh/calendar.ics")
    kinds = [str(e["categories"].cats[0]) for e in calendar.walk("VEVENT")]
    published = city.commitments.filter(publication="published")
    milestones = Milestone.objects.filter(commitment__in=published)
    assert kinds.count("Target date") == published.exclude(target_date=None).count()
    assert kinds.count("Milestone") == milestones.count()
    assert kinds.count("Overdue reminder") == (
        published.filter(target_date__lt=today)
        .exclude(status__in=["implemented", "repealed"])
        .count()
        + milestones.filter(due_on__lt=today, done_on=None).count()
    )


def test_moving_a_target_date_keeps_the_uid_and_raises_the_sequence(client, deadlines):
    plan = deadlines["ahead"]
    uid = f"commitment-{plan.pk}-target@upr-tracker"
    before = event(feed(client, "/jurisdictions/pittsburgh/calendar.ics"), uid)

    plan.target_date += timedelta(days=90)
    plan.save()
    milestone = deadlines["coming"]
    milestone.due_on += timedelta(days=7)
    milestone.save()

    calendar = feed(client, "/jurisdictions/pittsburgh/calendar.ics")
    after = event(calendar, uid)
    assert after.decoded("dtstart") == plan.target_date
    assert int(after["sequence"]) == int(before["sequence"]) + 1
    assert after.decoded("last-modified") >= before.decoded("last-modified")
    step = event(calendar, f"milestone-{milestone.pk}@upr-tracker")
    assert step.decoded("dtstart") == milestone.due_on and int(step["sequence"]) == 1
    assert len(calendar.walk("VEVENT")) == 8


def test_a_commitment_sent_back_to_draft_leaves_the_feed(client, deadlines):
    plan = deadlines["ahead"]
    plan.publication = "draft"
    plan.save()
    body = client.get("/jurisdictions/pittsburgh/calendar.ics").content.decode()
    assert "Shelter for all" not in body and "Hearing" not in body


def test_a_done_milestone_or_finished_commitment_has_no_reminder(client, deadlines):
    deadlines["missed"].done_on = deadlines["today"]
    deadlines["missed"].save()
    deadlines["late"].status = "implemented"
    deadlines["late"].save()
    kinds = [
        str(e["categories"].cats[0])
        for e in feed(client, "/jurisdictions/pittsburgh/calendar.ics").walk("VEVENT")
    ]
    assert "Overdue reminder" not in kinds


def test_the_jurisdiction_feed_narrows_to_overdue_reminders(client, deadlines):
    uids = set(events(feed(client, "/jurisdictions/pittsburgh/calendar.ics?kind=overdue")))
    assert uids == {
        f"commitment-{deadlines['late'].pk}-overdue@upr-tracker",
        f"milestone-{deadlines['missed'].pk}-overdue@upr-tracker",
    }


def test_the_jurisdiction_feed_survives_a_round_trip(client, deadlines):
    assert_round_trip(client, "/jurisdictions/pittsburgh/calendar.ics")


@pytest.mark.parametrize(
    "url,status",
    [
        ("/jurisdictions/no-such-place/calendar.ics", 404),
        ("/jurisdictions/pittsburgh/calendar.ics?kind=birthdays", 400),
        ("/jurisdictions/pittsburgh/calendar.ics?kind=%00", 200),
        ("/jurisdictions/pittsburgh/calendar.ics?no_such_parameter=1", 200),
        ("/jurisdictions/%ff%fe/calendar.ics", 404),
    ],
)
def test_bad_input_to_the_jurisdiction_feed_is_refused_plainly(client, deadlines, url, status):
    assert client.get(url).status_code == status


def test_the_jurisdiction_feed_costs_the_same_few_queries_for_many_rows(
    client, deadlines, django_assert_max_num_queries
):
    today = deadlines["today"]
    for n in range(8):
        plan = f.commitment(
            jurisdiction=deadlines["city"],
            title=f"Plan {n}",
            target_date=today + timedelta(days=n - 4),
        )
        f.milestone(plan, title=f"Step {n}", due_on=today + timedelta(days=n - 4))
    with django_assert_max_num_queries(4):
        calendar = feed(client, "/jurisdictions/pittsburgh/calendar.ics")
    assert len(calendar.walk("VEVENT")) > 20


def test_the_jurisdiction_page_links_to_its_calendar(client, deadlines):
    page = client.get("/jurisdictions/pittsburgh/").content.decode()
    assert 'href="webcal://testserver/jurisdictions/pittsburgh/calendar.ics"' in page
    assert 'href="http://testserver/jurisdictions/pittsburgh/calendar.ics"' in page


# --- The curators' screen ------------------------------------------------------------------


def entry_form(review, **kw):
    return {"review": review.pk, "kind": "national_report", "starts_on": "2025-08-04", **kw}


def test_a_curator_adds_a_date_and_the_feed_carries_it(client, curator, upr_dates):
    review = upr_dates["deadline"].review
    assert client.get("/manage/calendar/").status_code == 200
    assert client.get("/manage/calendar/new/").status_code == 200
    response = client.post("/manage/calendar/new/", entry_form(review, note="Illustrative."))
    assert response.status_code == 302
    added = CalendarEntry.objects.get(kind="national_report")
    assert f"upr-calendar-entry-{added.pk}@upr-tracker" in events(feed(client, UPR_FEED))


def test_a_curator_removes_a_date_and_the_feed_drops_it(client, curator, upr_dates):
    entry = upr_dates["deadline"]
    assert client.get(f"/manage/calendar/{entry.pk}/delete/").status_code == 405
    assert client.post(f"/manage/calendar/{entry.pk}/delete/").status_code == 302
    assert not CalendarEntry.objects.filter(pk=entry.pk).exists()
    assert f"upr-calendar-entry-{entry.pk}@upr-tracker" not in events(feed(client, UPR_FEED))


@pytest.mark.parametrize(
    "change,field,message",
    [
        ({"ends_on": "2025-08-01"}, "ends_on", "The last day cannot come before the first."),
        ({"kind": "stakeholder_deadline"}, None, "already has a date of this kind"),
        ({"starts_on": "not a date"}, "starts_on", "Enter a valid date."),
        ({"kind": "party"}, "kind", "Select a valid choice."),
        # The reviews hold their sessions and responses: no second place to keep them.
        ({"kind": "review_session"}, "kind", "Select a valid choice."),
        ({"kind": "response"}, "kind", "Select a valid choice."),
    ],
)
def test_the_curator_form_refuses_bad_dates_with_a_message(
    client, curator, upr_dates, change, field, message
):
    review = upr_dates["deadline"].review
    response = client.post("/manage/calendar/new/", entry_form(review, **change))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert message in " ".join(errors[field] if field else errors["__all__"])
    assert CalendarEntry.objects.count() == 2


def test_only_curators_keep_the_calendar(client, upr_dates, pittsburgh):
    entry = upr_dates["deadline"]
    urls = ["/manage/calendar/", "/manage/calendar/new/", f"/manage/calendar/{entry.pk}/edit/"]
    writes = [
        ("/manage/calendar/new/", entry_form(entry.review)),
        (f"/manage/calendar/{entry.pk}/edit/", entry_form(entry.review, kind="other")),
        (f"/manage/calendar/{entry.pk}/delete/", {}),
    ]
    for url in urls:
        assert client.get(url).status_code == 302  # anonymous: to sign-in
    for url, data in writes:
        assert client.post(url, data).status_code == 302
        assert "/accounts/login/" in client.post(url, data)["Location"]
    editor = f.user()
    f.membership(editor, pittsburgh, role="manager")
    stranger = f.user()
    f.membership(stranger, f.jurisdiction(), role="editor")
    for person in [editor, stranger]:
        client.force_login(person)
        for url in urls:
            assert client.get(url).status_code == 403
        for url, data in writes:
            assert client.post(url, data).status_code == 403
    entry.refresh_from_db()
    assert entry.kind == "stakeholder_deadline" and CalendarEntry.objects.count() == 2


def test_an_admin_edits_calendar_dates_in_the_admin_too(client, upr_dates):
    client.force_login(f.admin_user())
    assert client.get("/admin/recommendations/calendarentry/").status_code == 200
    review = upr_dates["deadline"].review
    page = client.get(f"/admin/recommendations/review/{review.pk}/change/").content.decode()
    assert "Deadline for stakeholder submissions" in page
    assert "Review session" not in page  # the review's own fields hold it
    history = client.get(f"/admin/recommendations/review/{review.pk}/history/")
    assert history.status_code == 200


def test_the_demo_calendar_keeps_only_the_dates_its_reviews_do_not_hold(client, db):
    from recommendations.demo import ILLUSTRATIVE, US_REVIEWS, seed_calendar, seed_reviews
    from recommendations.seed import seed_reference

    seed_reference()
    seed_reviews()
    assert seed_calendar() == CalendarEntry.objects.count() == 3
    seed_calendar()  # a second run changes nothing
    assert CalendarEntry.history.count() == CalendarEntry.objects.count()
    assert set(CalendarEntry.objects.values_list("note", flat=True)) == {ILLUSTRATIVE}
    assert set(CalendarEntry.objects.values_list("kind", flat=True)) == {
        "midterm_report",
        "stakeholder_deadline",
        "national_report",
    }

    calendar = feed(client, UPR_FEED)
    assert events(calendar) == expected_upr_events()
    held = [row for row in US_REVIEWS if row[2]]
    answered = [row for row in US_REVIEWS if row[5]]
    postponed = [row for row in US_REVIEWS if row[6] == "postponed"]
    assert len(calendar.walk("VEVENT")) == len(held) + len(answered) + len(postponed) + 3
    third = events(calendar)["upr-review-USA-3-session@upr-tracker"]
    assert third[:2] == (date(2020, 11, 9), date(2020, 11, 10))
    assert events(calendar)["upr-review-USA-3-response@upr-tracker"][0] == date(2021, 3, 4)
    planned = event(calendar, "upr-review-USA-4-session@upr-tracker")
    assert (planned.decoded("dtstart"), planned.decoded("dtend")) == (
        date(2025, 11, 3),
        date(2025, 11, 15),
    )
    assert str(planned["summary"]) == "Review session, UPR cycle 4 (postponed)"
    assert "moved the review into 2026" in str(planned["description"])


def test_a_commitment_created_without_history_still_counts_its_first_change(client, deadlines):
    """The CSV import creates commitments in bulk, with no history row: the first edit
    after it must still raise SEQUENCE, or calendars would keep the old date."""
    from jurisdictions.models import Commitment

    (imported,) = Commitment.objects.bulk_create(
        [
            Commitment(
                jurisdiction=deadlines["city"],
                title="Imported plan",
                kind="policy",
                publication="published",
                target_date=deadlines["today"] + timedelta(days=30),
            )
        ]
    )
    uid = f"commitment-{imported.pk}-target@upr-tracker"
    first = event(feed(client, "/jurisdictions/pittsburgh/calendar.ics"), uid)
    assert int(first["sequence"]) == 0

    imported.target_date += timedelta(days=30)
    imported.save()

    moved = event(feed(client, "/jurisdictions/pittsburgh/calendar.ics"), uid)
    assert moved.decoded("dtstart") == imported.target_date
    assert int(moved["sequence"]) == 1
