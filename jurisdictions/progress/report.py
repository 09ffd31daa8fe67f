"""What a local implementation report adds about progress over time, as plain data that
reports/document.py turns into its blocks: the roll-up, each commitment's status at the
last US review and now, and its indicators with the source of their latest measurement.
Only published records."""

from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.dateformat import format as format_date

from recommendations.models import Review

from ..models import Commitment
from ..templatetags.progress_tags import plain_number
from .models import Indicator


def _day(value) -> str:
    return format_date(value, "j F Y")


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
            "Published commitments on track, late and done",
            ["Standing", "Commitments", "Share"],
            [[label, count, f"{percent}%"] for _, label, count, percent in rollup.rows],
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
                f"Status at the review of {when} and now",
                ["Commitment", f"As of {when}", "Now"],
                [
                    [
                        c.localized("title").noted(),
                        labels.get(then.get(c.pk), "Not yet published"),
                        labels[c.status],
                    ]
                    for c in published.order_by("-adopted_on", "title").only(
                        "title", "title_es", "status"
                    )
                ],
            )
        )
    indicators = (
        Indicator.objects.filter(commitment__in=published)
        .with_public_measurements()
        .select_related("commitment")
        .order_by("commitment__title", "name")
    )
    section.sentences = [indicator_sentence(indicator) for indicator in indicators]
    return section


def indicator_sentence(indicator) -> tuple[str, str]:
    unit = f" {indicator.unit}" if indicator.unit else ""
    text = (
        f"{indicator.commitment.title}, indicator “{indicator.name}”: baseline "
        f"{plain_number(indicator.baseline_value)}{unit} ({_day(indicator.baseline_date)}), "
        f"target {plain_number(indicator.target_value)}{unit} by "
        f"{_day(indicator.target_date)}; "
    )
    progress = indicator.progress()
    if progress is None:
        return text + "no published measurement yet.", ""
    latest = max(indicator.public_measurements, key=lambda m: (m.measured_on, m.pk))
    text += (
        f"{plain_number(progress.value)}{unit} on {_day(progress.measured_on)}, "
        f"{progress.raw_percent}% of the way from baseline to target."
    )
    return text, latest.source_url
