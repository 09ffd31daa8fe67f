"""The UPR calendar of the United States: the page /calendar/ and its feed
/calendar/upr.ics.

Each date has one store. A review's session and its response are the Review's own facts
(review_date, or the days of its Working Group session from sessions.py when the day is
not known; response_date), read from the Review rows of the home state. CalendarEntry
holds only what a review does not: the deadlines before the session, the mid-term report
after it, and any other date curators add.
"""

from dataclasses import dataclass
from datetime import date, datetime

from django import forms
from django.http import HttpResponseBadRequest
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import ical, sessions
from .absolute_urls import base_url
from .filters import CYCLES
from .listing import clean_params
from .models import HOME_STATE, CalendarEntry, CalendarEntryKind, Review

# The two kinds of date a review holds itself, beside the kinds a CalendarEntry can be.
REVIEW_SESSION, RESPONSE = "review_session", "response"
FEED_KINDS = [
    (REVIEW_SESSION, gettext_lazy("Review session")),
    (CalendarEntryKind.STAKEHOLDER_DEADLINE.value, CalendarEntryKind.STAKEHOLDER_DEADLINE.label),
    (CalendarEntryKind.NATIONAL_REPORT.value, CalendarEntryKind.NATIONAL_REPORT.label),
    (RESPONSE, gettext_lazy("Response to the recommendations")),
    (CalendarEntryKind.MIDTERM_REPORT.value, CalendarEntryKind.MIDTERM_REPORT.label),
    (CalendarEntryKind.OTHER.value, CalendarEntryKind.OTHER.label),
]
KIND_LABELS = dict(FEED_KINDS)


class CalendarQueryForm(forms.Form):
    """?kind= and ?cycle= narrow the feed, e.g. to the deadlines alone."""

    kind = forms.MultipleChoiceField(required=False, choices=FEED_KINDS)
    cycle = forms.MultipleChoiceField(required=False, choices=CYCLES)


@dataclass(frozen=True)
class UprDate:
    """One date of the calendar, whichever row holds it; the page lists these and the
    feed writes each as an event."""

    key: str
    kind: str
    first_day: date
    last_day: date | None
    summary: str
    review: Review
    note: str
    sequence: int
    revised_at: datetime


def review_dates(review, kinds) -> list[UprDate]:
    """The session and the response of one review, from its own fields.

    The UIDs come from (state, cycle), the review's natural key: imports and the native
    export match reviews on it, so an event keeps its UID across an export and a
    re-import, where the row's id would not, and the report symbol is empty until the
    Working Group reports. SEQUENCE counts the changes the review's history recorded (any
    change of the review counts: its status and notes are in the events too); a review
    with no history row yet (one created in bulk by an import) stamps its events with
    their first day, so the same data always gives the same bytes."""
    key = f"upr-review-{review.state_under_review.iso3}-{review.cycle}"
    sequence = getattr(review, "sequence", 0)
    revised_at = getattr(review, "revised_at", None)
    found = []
    days = (review.review_date, None) if review.review_date else None
    days = days or sessions.CALENDAR.get(review.wg_session)
    if REVIEW_SESSION in kinds and days:
        summary = _("Review session, UPR cycle %(cycle)s") % {"cycle": review.cycle}
        if review.status == Review.Status.POSTPONED:
            summary = _("%(summary)s (postponed)") % {"summary": summary}
        where = (
            _("Working Group session %(session)s.") % {"session": review.wg_session}
            if review.wg_session
            else ""
        )
        found.append(
            UprDate(
                key=f"{key}-session",
                kind=REVIEW_SESSION,
                first_day=days[0],
                last_day=days[1],
                summary=summary,
                review=review,
                note=" ".join(filter(None, [where, review.notes])),
                sequence=sequence,
                revised_at=revised_at or ical.start_of(days[0]),
            )
        )
    if RESPONSE in kinds and review.response_date:
        found.append(
            UprDate(
                key=f"{key}-response",
                kind=RESPONSE,
                first_day=review.response_date,
                last_day=None,
                summary=_("Response to the recommendations, UPR cycle %(cycle)s")
                % {"cycle": review.cycle},
                review=review,
                note=_("The written response, %(symbol)s.") % {"symbol": review.response_symbol}
                if review.response_symbol
                else "",
                sequence=sequence,
                revised_at=revised_at or ical.start_of(review.response_date),
            )
        )
    return found


def entry_date(entry) -> UprDate:
    return UprDate(
        key=f"upr-calendar-entry-{entry.pk}",
        kind=entry.kind,
        first_day=entry.starts_on,
        last_day=entry.ends_on,
        summary=entry.summary,
        review=entry.review,
        note=entry.note,
        sequence=getattr(entry, "sequence", 0),
        revised_at=getattr(entry, "revised_at", None) or ical.start_of(entry.starts_on),
    )


def upr_dates(kinds=frozenset(KIND_LABELS), cycles=(), *, revisions=False) -> list[UprDate]:
    """The calendar's dates in date order: two queries, the home state's reviews and the
    curators' entries, whatever the number of rows (one when the kinds need only one)."""
    reviews = Review.objects.filter(state_under_review__iso3=HOME_STATE).select_related(
        "state_under_review"
    )
    entries = CalendarEntry.objects.for_calendar().filter(kind__in=kinds)
    if cycles:
        reviews = reviews.filter(cycle__in=cycles)
        entries = entries.filter(review__cycle__in=cycles)
    if revisions:
        reviews, entries = ical.with_revision(reviews), ical.with_revision(entries)
    found = []
    if kinds & {REVIEW_SESSION, RESPONSE}:
        for review in reviews:
            found += review_dates(review, kinds)
    if kinds - {REVIEW_SESSION, RESPONSE}:
        found += [entry_date(entry) for entry in entries]
    found.sort(key=lambda d: (d.first_day, d.kind, d.key))
    return found


def occasion(item: UprDate, base: str) -> ical.Occasion:
    review = item.review
    lines = [f"{review.state_under_review}, {review.cycle_label}."]
    if item.note:
        lines.append(item.note)
    return ical.Occasion(
        key=item.key,
        first_day=item.first_day,
        last_day=item.last_day,
        summary=item.summary,
        description="\n\n".join(lines),
        url=base + review.get_absolute_url(),
        sequence=item.sequence,
        revised_at=item.revised_at,
        categories=("UPR", str(KIND_LABELS[item.kind])),
    )


def upr_feed(request):
    form = CalendarQueryForm(clean_params(request.GET))
    if not form.is_valid():
        return HttpResponseBadRequest(
            _("Unknown kind or cycle. Kinds: %(kinds)s.") % {"kinds": ", ".join(KIND_LABELS)},
            content_type="text/plain; charset=utf-8",
        )
    kinds = set(form.cleaned_data["kind"]) or set(KIND_LABELS)
    dates = upr_dates(kinds, form.cleaned_data["cycle"], revisions=True)
    base = base_url(request)
    body = ical.to_ical(
        _("UPR calendar of the United States"),
        _("Review sessions, deadlines and reports of the UN Universal Periodic Review of the "
          "United States, from UPR Tracker."),
        [occasion(item, base) for item in dates],
    )  # fmt: skip
    return ical.calendar_response("upr-calendar.ics", body)


def calendar_page(request):
    dates = upr_dates()
    today = timezone.localdate()
    context = {
        "upcoming": [d for d in dates if (d.last_day or d.first_day) >= today],
        "past": [d for d in reversed(dates) if (d.last_day or d.first_day) < today],
        "kinds": FEED_KINDS,
    }
    return render(request, "recommendations/calendar.html", context)
