"""The calendar feeds: the UPR calendar of the United States (/calendar/upr.ics) and a
jurisdiction's deadlines (/jurisdictions/<slug>/calendar.ics), read back with the
icalendar library and checked against the database, and the curators' screen that keeps
the UPR dates."""

from datetime import date, timedelta

import icalendar
import pytest
from django.utils import timezone

from jurisdictions.progress.models import Milestone
from recommendations.models import CalendarEntry
from tests import factories as f

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
    usa = f.country(iso3="USA", name="United States")
    third = f.review(state_under_review=usa, cycle=3, review_date=date(2020, 11, 9))
    fourth = f.review(state_under_review=usa, cycle=4, wg_session=50, status="postponed")
    session = CalendarEntry.objects.create(
        review=third, kind="review_session", starts_on=date(2020, 11, 9)
    )
    planned = CalendarEntry.objects.create(
        review=fourth,
        kind="review_session",
        starts_on=date(2025, 11, 3),
        ends_on=date(2025, 11, 14),
        title="Review session, UPR cycle 4 (postponed)",
        note="Planned for session 50; moved into 2026.",
    )
    deadline = CalendarEntry.objects.create(
        review=fourth, kind="stakeholder_deadline", starts_on=date(2025, 4, 14)
    )
    elsewhere = f.review(state_under_review=f.country(name="Elsewhere"), cycle=4)
    CalendarEntry.objects.create(
        review=elsewhere, kind="review_session", starts_on=date(2024, 1, 22), title="Not ours"
    )
    return {"session": session, "planned": planned, "deadline": deadline}


def test_the_upr_feed_holds_every_date_curators_keep_for_the_united_states(client, upr_dates):
    calendar = feed(client, UPR_FEED)

    assert events(calendar) == {
        f"upr-calendar-entry-{e.pk}@upr-tracker": (
            e.starts_on,
            (e.ends_on or e.starts_on) + timedelta(days=1),
            e.summary,
        )
        for e in CalendarEntry.objects.filter(review__state_under_review__iso3="USA")
    }
    assert events(calendar)[f"upr-calendar-entry-{upr_dates['deadline'].pk}@upr-tracker"] == (
        date(2025, 4, 14),
        date(2025, 4, 15),
        "Deadline for stakeholder submissions, UPR cycle 4",
    )
    planned = event(calendar, f"upr-calendar-entry-{upr_dates['planned'].pk}@upr-tracker")
    assert planned.decoded("dtend") == date(2025, 11, 15)
    assert "Planned for session 50; moved into 2026." in str(planned["description"])
    assert str(planned["url"]) == f"http://testserver/reviews/{upr_dates['planned'].review_id}/"
    assert "Not ours" not in client.get(UPR_FEED).content.decode()


def test_every_upr_event_carries_the_properties_rfc_5545_asks_for(client, upr_dates):
    calendar = feed(client, UPR_FEED)
    assert str(calendar["version"]) == "2.0" and calendar["prodid"]
    for e in calendar.walk("VEVENT"):
        assert e["uid"] and e["dtstamp"] and e["last-modified"]
        assert int(e["sequence"]) == 0
        assert e.decoded("dtstamp") == e.decoded("last-modified")
    assert_round_trip(client, UPR_FEED)


def test_moving_a_upr_date_keeps_its_uid_and_raises_its_sequence(client, curator, upr_dates):
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
    assert len(after.walk("VEVENT")) == 3


def test_the_upr_feed_narrows_to_kinds_and_cycles(client, upr_dates):
    deadlines = events(feed(client, UPR_FEED + "?kind=stakeholder_deadline"))
    assert list(deadlines) == [f"upr-calendar-entry-{upr_dates['deadline'].pk}@upr-tracker"]
    third = events(feed(client, UPR_FEED + "?cycle=3"))
    assert list(third) == [f"upr-calendar-entry-{upr_dates['session'].pk}@upr-tracker"]


@pytest.mark.parametrize(
    "query", ["?kind=party", "?cycle=99", "?cycle=x&kind=review_session", "?kind=%ff%fe"]
)
def test_a_filter_value_the_feed_does_not_know_is_a_400(client, upr_dates, query):
    response = client.get(UPR_FEED + query)
    assert response.status_code == 400
    assert b"stakeholder_deadline" in response.content


def test_the_upr_feed_reads_the_database_once(client, upr_dates, django_assert_max_num_queries):
    review = upr_dates["deadline"].review
    for n in range(1, 6):
        CalendarEntry.objects.create(
            review=review, kind="other", starts_on=date(2025, n, 1), title=f"Briefing {n}"
        )
    with django_assert_max_num_queries(1):
        calendar = feed(client, UPR_FEED)
    assert len(calendar.walk("VEVENT")) == 8


def test_the_calendar_pages_read_the_dates_in_one_query(
    client, curator, upr_dates, django_assert_max_num_queries
):
    review = upr_dates["deadline"].review
    for n in range(1, 6):
        CalendarEntry.objects.create(
            review=review, kind="other", starts_on=date(2025, n, 1), title=f"Briefing {n}"
        )
    with django_assert_max_num_queries(4):  # the session and the curator's groups too
        page = client.get("/manage/calendar/").content.decode()
    assert page.count("Briefing") == 5
    client.logout()
    with django_assert_max_num_queries(1):
        page = client.get("/calendar/").content.decode()
    assert page.count("Briefing") == 5


def test_the_calendar_page_lists_the_dates_and_offers_the_feed(client, upr_dates):
    page = client.get("/calendar/").content.decode()
    assert "Deadline for stakeholder submissions, UPR cycle 4" in page
    assert "Planned for session 50; moved into 2026." in page
    assert 'href="webcal://testserver/calendar/upr.ics"' in page
    assert 'href="http://testserver/calendar/upr.ics"' in page
    assert "Not ours" not in page
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
    assert CalendarEntry.objects.count() == 4


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
    assert entry.kind == "stakeholder_deadline" and CalendarEntry.objects.count() == 4


def test_an_admin_edits_calendar_dates_in_the_admin_too(client, upr_dates):
    client.force_login(f.admin_user())
    assert client.get("/admin/recommendations/calendarentry/").status_code == 200
    review = upr_dates["deadline"].review
    page = client.get(f"/admin/recommendations/review/{review.pk}/change/").content.decode()
    assert "Deadline for stakeholder submissions" in page


def test_the_demo_calendar_marks_its_invented_dates(db):
    from recommendations.demo import ILLUSTRATIVE, seed_calendar, seed_reviews
    from recommendations.seed import seed_reference

    seed_reference()
    seed_reviews()
    assert seed_calendar() == CalendarEntry.objects.count()
    seed_calendar()  # a second run changes nothing
    assert CalendarEntry.history.count() == CalendarEntry.objects.count()
    third = CalendarEntry.objects.get(review__cycle=3, kind="review_session")
    assert third.starts_on == date(2020, 11, 9) and ILLUSTRATIVE not in third.note
    response = CalendarEntry.objects.get(review__cycle=3, kind="response")
    assert response.starts_on == date(2021, 3, 4)
    planned = CalendarEntry.objects.get(review__cycle=4, kind="review_session")
    assert (planned.starts_on, planned.ends_on) == (date(2025, 11, 3), date(2025, 11, 14))
    invented = CalendarEntry.objects.filter(note=ILLUSTRATIVE)
    assert set(invented.values_list("kind", flat=True)) == {
        "midterm_report",
        "stakeholder_deadline",
        "national_report",
    }


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
