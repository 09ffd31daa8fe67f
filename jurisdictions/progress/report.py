"""What a local implementation report adds about progress over time, as plain data that
reports/document.py turns into its blocks: the roll-up, each commitment's status at the
last US review and now, the timeline of adoptions, milestones and target dates, and its
indicators with the source of their latest measurement.
Only published records."""

from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.utils.translation import gettext as _

from recommendations.models import Review

from ..models import Commitment
from ..templatetags.progress_tags import plain_number
from .models import Indicator


def _day(value) -> str:
    # Translators: a date as a report prints it (Django date format characters).
    return format_date(value, _("j F Y"))


@dataclass
class Table:
    label: str
    headers: list[str]
    rows: list[list]


@dataclass
class ProgressSection:
    tables: list[Table] = field(default_factory=list)
    sentences: list[tuple[str, str]] = field(default_factory=list)  # (text, source URL)


def progress_section(jurisdiction) -> ProgressSection | None:
    today = timezone.localdate()
    published = Commitment.objects.published().filter(jurisdiction=jurisdiction)
    rollup = published.rollup(today)
    if not rollup.total:
        return None
    section = ProgressSection()
    section.tables.append(
        Table(
            _("Published commitments on track, late and done"),
            [_("Standing"), _("Commitments"), _("Share")],
            [[str(label), count, f"{percent}%"] for __, label, count, percent in rollup.rows],
        )
    )
    review = (
        Review.objects.filter(state_under_review__iso3="USA", review_date__lte=today)
        .order_by("-review_date")
        .first()
    )
    if review:
        then = published.statuses_on(review.review_date)
        labels = dict(Commitment.Status.choices)
        when = _day(review.review_date)
        section.tables.append(
            Table(
                _("Status at the review of %(date)s and now") % {"date": when},
                [_("Commitment"), _("As of %(date)s") % {"date": when}, _("Now")],
                [
                    [
                        c.localized("title").noted(),
                        str(labels.get(then.get(c.pk), _("Not yet published"))),
                        str(labels[c.status]),
                    ]
                    for c in published.order_by("-adopted_on", "title").only(
                        "title", "title_es", "status"
                    )
                ],
            )
        )
    timeline = timeline_table(published, today)
    if timeline.rows:
        section.tables.append(timeline)
    indicators = (
        Indicator.objects.filter(commitment__in=published)
        .with_public_measurements()
        .select_related("commitment")
        .order_by("commitment__title", "name")
    )
    section.sentences = [indicator_sentence(indicator) for indicator in indicators]
    return section


def timeline_table(published, today) -> Table:
    """The jurisdiction page's time axis as a table a report can print: each published
    commitment's adoption, milestones and target date, in date order. Two queries."""
    events = []
    for c in published.prefetch_related("milestones").only("title", "adopted_on", "target_date"):
        if c.adopted_on:
            events.append((c.adopted_on, c.title, _("Adopted")))
        for m in c.milestones.all():
            if m.done_on:
                what = _("Milestone done: %(title)s") % {"title": m.title}
            elif m.due_on < today:
                what = _("Milestone overdue: %(title)s") % {"title": m.title}
            else:
                what = _("Milestone due: %(title)s") % {"title": m.title}
            events.append((m.done_on or m.due_on, c.title, what))
        if c.target_date:
            events.append((c.target_date, c.title, _("Target date")))
    events.sort(key=lambda event: (event[0], event[1]))
    return Table(
        _("Timeline: adoptions, milestones and target dates"),
        [_("Date"), _("Commitment"), _("Event")],
        [[_day(day), title, what] for day, title, what in events],
    )


def indicator_sentence(indicator) -> tuple[str, str]:
    unit = f" {indicator.unit}" if indicator.unit else ""
    text = _(
        "%(commitment)s, indicator “%(indicator)s”: baseline %(baseline)s "
        "(%(baseline_date)s), target %(target)s by %(target_date)s; "
    ) % {
        "commitment": indicator.commitment.title,
        "indicator": indicator.name,
        "baseline": f"{plain_number(indicator.baseline_value)}{unit}",
        "baseline_date": _day(indicator.baseline_date),
        "target": f"{plain_number(indicator.target_value)}{unit}",
        "target_date": _day(indicator.target_date),
    }
    progress = indicator.progress()
    if progress is None:
        return text + _("no published measurement yet."), ""
    latest = max(indicator.public_measurements, key=lambda m: (m.measured_on, m.pk))
    text += _("%(value)s on %(date)s, %(percent)s%% of the way from baseline to target.") % {
        "value": f"{plain_number(progress.value)}{unit}",
        "date": _day(progress.measured_on),
        "percent": progress.raw_percent,
    }
    return text, latest.source_url
