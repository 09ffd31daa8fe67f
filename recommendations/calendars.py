"""The UPR calendar of the United States: the page /calendar/ and its feed
/calendar/upr.ics, both from the dates curators keep (CalendarEntry)."""

import django_filters
from django.http import HttpResponseBadRequest
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from . import ical
from .absolute_urls import base_url
from .filters import CYCLES
from .listing import clean_params
from .models import CalendarEntry, CalendarEntryKind


class CalendarEntryFilter(django_filters.FilterSet):
    """?kind= and ?cycle= narrow the feed, e.g. to the deadlines alone."""

    kind = django_filters.MultipleChoiceFilter(choices=CalendarEntryKind.choices)
    cycle = django_filters.MultipleChoiceFilter(field_name="review__cycle", choices=CYCLES)

    class Meta:
        model = CalendarEntry
        fields = ["kind", "cycle"]


def occasions(entries, base: str) -> list[ical.Occasion]:
    result = []
    for entry in entries:
        review = entry.review
        lines = [f"{review.state_under_review}, {review.cycle_label}."]
        if entry.note:
            lines.append(entry.note)
        result.append(
            ical.Occasion(
                key=f"upr-calendar-entry-{entry.pk}",
                first_day=entry.starts_on,
                last_day=entry.ends_on,
                summary=entry.summary,
                description="\n\n".join(lines),
                url=base + review.get_absolute_url(),
                sequence=entry.sequence,
                revised_at=entry.revised_at or ical.start_of(entry.starts_on),
                categories=("UPR", str(entry.get_kind_display())),
            )
        )
    return result


def _filtered(request):
    """The entries the query asks for, or None when a value is not one the filter knows."""
    filterset = CalendarEntryFilter(
        clean_params(request.GET), queryset=ical.with_revision(CalendarEntry.objects.for_calendar())
    )
    return filterset.qs if filterset.is_valid() else None


def upr_feed(request):
    entries = _filtered(request)
    if entries is None:
        return HttpResponseBadRequest(
            _("Unknown kind or cycle. Kinds: %(kinds)s.")
            % {"kinds": ", ".join(CalendarEntryKind.values)},
            content_type="text/plain; charset=utf-8",
        )
    body = ical.to_ical(
        _("UPR calendar of the United States"),
        _("Review sessions, deadlines and reports of the UN Universal Periodic Review of the "
          "United States, kept by UPR Tracker's curators."),
        occasions(entries, base_url(request)),
    )  # fmt: skip
    return ical.calendar_response("upr-calendar.ics", body)


def calendar_page(request):
    entries = list(CalendarEntry.objects.for_calendar())
    today = timezone.localdate()
    context = {
        "upcoming": [e for e in entries if (e.ends_on or e.starts_on) >= today],
        "past": [e for e in reversed(entries) if (e.ends_on or e.starts_on) < today],
        "kinds": CalendarEntryKind.choices,
    }
    return render(request, "recommendations/calendar.html", context)
