"""What the public pages show of progress over time: the indicators with their bars, the
status history and milestones of a commitment, and the timelines of a jurisdiction and
of a recommendation."""

from dataclasses import dataclass
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _

from recommendations import panels

from ..models import Commitment, ProgressUpdate
from .models import Indicator
from .rollups import conditions
from .status import status_changes


def progress_context(commitment) -> dict:
    """The commitment page's indicators (each with .current, its Progress or None),
    its status changes and its milestones, in four queries."""
    indicators = list(Indicator.objects.filter(commitment=commitment).with_public_measurements())
    for indicator in indicators:
        indicator.current = indicator.progress()
    changes = status_changes(commitment)
    milestones = list(commitment.milestones.all())
    # One list in date order: status changes by the day recorded, milestones by due date.
    timeline = [(c.when.date(), "status", c) for c in changes]
    timeline += [(m.due_on, "milestone", m) for m in milestones]
    timeline.sort(key=lambda item: item[0])
    return {
        "indicators": indicators,
        "status_changes": changes,
        "milestones": milestones,
        "commitment_timeline": timeline,
        "today": timezone.localdate(),
    }


@dataclass
class Event:
    when: date
    text: str
    url: str = ""
    kind: str = ""


def recommendation_story(recommendation) -> dict:
    """The recommendation page's timeline: the review, the response, then each published
    commitment answering it (adopted, milestones done, target date) and its published
    progress updates, in date order. Three queries."""
    review = recommendation.review
    events = []
    if review.review_date:
        text = _("Reviewed: %(review)s") % {"review": review}
        events.append(Event(review.review_date, text, kind="review"))
    if review.response_date and recommendation.response != "pending":
        label = recommendation.get_response_display().lower()
        text = _("Response: %(response)s") % {"response": label}
        events.append(Event(review.response_date, text, kind="response"))
    commitments = list(
        Commitment.objects.published()
        .filter(links__recommendation=recommendation)
        .select_related("jurisdiction")
        .prefetch_related("milestones")
        .distinct()
    )
    for c in commitments:
        where = f"{c.title} ({c.jurisdiction})"
        url = c.get_absolute_url()
        if c.adopted_on:
            text = _("Adopted: %(commitment)s") % {"commitment": where}
            events.append(Event(c.adopted_on, text, url, "adopted"))
        for m in c.milestones.all():
            if m.done_on:
                text = _("Milestone done: %(milestone)s, %(commitment)s") % {
                    "milestone": m.title,
                    "commitment": where,
                }
                events.append(Event(m.done_on, text, url))
        if c.target_date:
            text = _("Target date: %(commitment)s") % {"commitment": where}
            events.append(Event(c.target_date, text, url, "target"))
    updates = (
        ProgressUpdate.objects.filter(
            commitment__in=[c.pk for c in commitments], publication="published"
        )
        .select_related("commitment__jurisdiction")
        .order_by("reported_on", "pk")
    )
    for u in updates:
        where = f"{u.commitment.title} ({u.commitment.jurisdiction})"
        if u.status:
            text = _("Progress (%(status)s): %(commitment)s") % {
                "status": u.get_status_display().lower(),
                "commitment": where,
            }
        else:
            text = _("Progress: %(commitment)s") % {"commitment": where}
        events.append(Event(u.reported_on, text, u.commitment.get_absolute_url(), "update"))
    events.sort(key=lambda e: e.when)
    return {"story": events}


@dataclass
class AxisRow:
    commitment: object
    start: float  # percent along the axis
    width: float
    marks: list  # (percent, milestone)


def _axis_percent(day: date, first: date, last: date) -> float:
    span = (last - first).days or 1
    return round(100 * (day - first).days / span, 2)


AXIS_ROWS = 10


def jurisdiction_progress(jurisdiction, today: date | None = None) -> dict:
    """The jurisdiction page's roll-up and its commitments on one time axis: from adoption
    to the target date (or today), milestones as marks, the date a commitment was done.
    The latest AXIS_ROWS commitments with a date; four queries."""
    today = today or timezone.localdate()
    published = Commitment.objects.published().filter(jurisdiction=jurisdiction)
    states = conditions(today)
    commitments = list(
        published.filter(adopted_on__isnull=False)
        .annotate(is_late=states["late"], is_done=states["done"])
        .prefetch_related("milestones")
        .order_by("-adopted_on", "title")[:AXIS_ROWS]
    )
    context = {"rollup": published.rollup(today), "axis": [], "axis_today": today}
    if not commitments:
        return context
    days = [today]
    for c in commitments:
        days += [c.adopted_on, c.target_date or today]
        days += [m.due_on for m in c.milestones.all()]
        days += [m.done_on for m in c.milestones.all() if m.done_on]
    first, last = min(d for d in days if d), max(d for d in days if d)
    first = date(first.year, 1, 1)
    last = date(last.year + 1, 1, 1)
    rows = []
    for c in commitments:
        start = _axis_percent(c.adopted_on, first, last)
        end = _axis_percent(c.target_date or today, first, last)
        marks = [(_axis_percent(m.due_on, first, last), m) for m in c.milestones.all()]
        rows.append(AxisRow(c, start, round(max(end - start, 0.5), 2), marks))
    context.update(
        axis=rows,
        axis_first=first,
        axis_last=last,
        axis_today_at=_axis_percent(today, first, last),
    )
    return context


def register() -> None:
    """Providers for the recommendations app's pages (recommendations.panels)."""
    panels.register("recommendation", recommendation_story)
    panels.register("theme", lambda theme: {"theme_rollup": _theme_rollup(theme)})


def _theme_rollup(theme):
    return Commitment.objects.published().on_themes([theme]).rollup()
