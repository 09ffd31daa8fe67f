"""Calendar feeds in iCalendar (RFC 5545), written with the icalendar library.

Every event is a whole day (or several) with a UID made from the permanent key of the
record it comes from, so a calendar that subscribed replaces an event when its record
changes instead of adding a second one. SEQUENCE counts the changes its change history
(django-simple-history) recorded, so it grows whenever the date can have moved;
LAST-MODIFIED and DTSTAMP are the time of the last history row: the feed has no METHOD,
and RFC 5545 then gives DTSTAMP the meaning of LAST-MODIFIED. The same data therefore
always gives the same bytes.
"""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import icalendar
from django.db.models import Count, Max, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpResponse

PRODID = "-//UPR Tracker//Calendar feeds//EN"
# The right-hand side of every UID: the site's name rather than its host, so the same
# record keeps its UID whatever address the feed is read from.
UID_DOMAIN = "upr-tracker"
CONTENT_TYPE = "text/calendar; charset=utf-8"


@dataclass(frozen=True)
class Occasion:
    """One all-day event. ``last_day`` is inclusive (None: a single day)."""

    key: str
    first_day: date
    summary: str
    sequence: int
    revised_at: datetime
    description: str = ""
    url: str = ""
    last_day: date | None = None
    categories: tuple[str, ...] = field(default_factory=tuple)

    @property
    def uid(self) -> str:
        return f"{self.key}@{UID_DOMAIN}"


def with_revision(queryset):
    """Annotate each record with ``sequence`` (how many times its change history saw it
    changed; its creation does not count, and a record created in bulk without a history
    row still counts each later change) and ``revised_at`` (the time of its last history
    row, None when it has none), in the same query."""
    history = queryset.model.history.model
    rows = history.objects.filter(id=OuterRef("pk")).order_by().values("id")
    changes = rows.filter(history_type="~")
    return queryset.annotate(
        sequence=Coalesce(Subquery(changes.annotate(n=Count("*")).values("n")[:1]), 0),
        revised_at=Subquery(rows.annotate(last=Max("history_date")).values("last")[:1]),
    )


def start_of(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def to_ical(name: str, description: str, occasions) -> bytes:
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    # RFC 7986 names, and the older X- names many clients still read.
    calendar.add("name", name)
    calendar.add("x-wr-calname", name)
    calendar.add("description", description)
    calendar.add("x-wr-caldesc", description)
    calendar.add("refresh-interval", timedelta(hours=12), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT12H")
    for occasion in occasions:
        calendar.add_component(_event(occasion))
    return calendar.to_ical()


def _event(occasion: Occasion) -> icalendar.Event:
    event = icalendar.Event()
    stamp = occasion.revised_at.astimezone(UTC)
    event.add("uid", occasion.uid)
    event.add("dtstamp", stamp)
    event.add("last-modified", stamp)
    event.add("sequence", occasion.sequence)
    event.add("dtstart", occasion.first_day)
    # DTEND of an all-day event is the day after the last (RFC 5545, 3.6.1).
    event.add("dtend", (occasion.last_day or occasion.first_day) + timedelta(days=1))
    event.add("summary", occasion.summary)
    event.add("transp", "TRANSPARENT")
    if occasion.description:
        event.add("description", occasion.description)
    if occasion.url:
        event.add("url", occasion.url)
    if occasion.categories:
        event.add("categories", list(occasion.categories))
    return event


def calendar_response(filename: str, body: bytes) -> HttpResponse:
    response = HttpResponse(body, content_type=CONTENT_TYPE)
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "public, max-age=3600"
    return response


def webcal(url: str) -> str:
    """The same feed for calendar apps that subscribe on a webcal: link."""
    scheme, _, rest = url.partition("://")
    return f"webcal://{rest}" if scheme in {"http", "https"} else url
