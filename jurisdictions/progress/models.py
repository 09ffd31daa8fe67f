"""Indicators, their measurements and milestones of a commitment.

An indicator and each of its measurements go through the same draft, review and publish
flow as progress updates (jurisdictions/moderation.py); the public sees published
indicators with their published measurements only.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ..publication import Publication


class Direction(models.TextChoices):
    UP = "up", _("Up is good")
    DOWN = "down", _("Down is good")


@dataclass(frozen=True)
class Progress:
    """How far the latest measurement has come from the baseline towards the target.

    ``share`` is the raw fraction (0 at the baseline, 1 at the target; below 0 when it
    moved the wrong way, above 1 past the target); ``percent`` is what a bar shows,
    held between 0 and 100."""

    value: Decimal
    measured_on: date
    share: float
    after_target_date: bool

    @property
    def percent(self) -> int:
        return round(max(0.0, min(1.0, self.share)) * 100)

    @property
    def raw_percent(self) -> int:
        return round(self.share * 100)

    @property
    def reached(self) -> bool:
        return self.share >= 1

    @property
    def went_backwards(self) -> bool:
        return self.share < 0


class IndicatorQuerySet(models.QuerySet):
    def published(self):
        return self.filter(publication=Publication.PUBLISHED)

    def with_public_measurements(self):
        """Published indicators, each with .public_measurements (published ones, oldest
        first) in one extra query."""
        return self.published().prefetch_related(
            models.Prefetch(
                "measurements",
                queryset=Measurement.objects.filter(publication=Publication.PUBLISHED).order_by(
                    "measured_on", "id"
                ),
                to_attr="public_measurements",
            )
        )


class Indicator(models.Model):
    commitment = models.ForeignKey(
        "jurisdictions.Commitment", on_delete=models.CASCADE, related_name="indicators"
    )
    name = models.CharField(
        max_length=200, help_text=_("What is measured, e.g. “Households on the waiting list”.")
    )
    unit = models.CharField(max_length=40, blank=True, help_text=_("e.g. households, %, tonnes."))
    direction = models.CharField(max_length=4, choices=Direction.choices, default=Direction.UP)
    baseline_value = models.DecimalField(max_digits=18, decimal_places=4)
    baseline_date = models.DateField()
    target_value = models.DecimalField(max_digits=18, decimal_places=4)
    target_date = models.DateField()
    publication = models.CharField(
        max_length=10, choices=Publication.choices, default=Publication.DRAFT
    )
    review_note = models.TextField(blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Bumped on every change, so a spreadsheet row edited from an older download is caught.
    version = models.PositiveIntegerField(default=1, db_default=1, editable=False)

    history = HistoricalRecords()
    objects = IndicatorQuerySet.as_manager()

    class Meta:
        ordering = ["commitment", "id"]
        constraints = [
            models.CheckConstraint(
                name="jurisdictions_indicator_direction_valid",
                condition=Q(direction__in=Direction.values),
            ),
            models.CheckConstraint(
                name="jurisdictions_indicator_publication_valid",
                condition=Q(publication__in=Publication.values),
            ),
            models.CheckConstraint(
                name="jurisdictions_indicator_target_follows_direction",
                condition=Q(direction="up", target_value__gt=F("baseline_value"))
                | Q(direction="down", target_value__lt=F("baseline_value")),
                violation_error_message=_(
                    "The target must be above the baseline when up is "
                    "good, and below it when down is good."
                ),
            ),
            models.CheckConstraint(
                name="jurisdictions_indicator_dates_in_order",
                condition=Q(target_date__gt=F("baseline_date")),
                violation_error_message=_("The target date must come after the baseline date."),
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        errors = {}
        if None not in (self.baseline_value, self.target_value):
            if self.direction == Direction.UP and self.target_value <= self.baseline_value:
                errors["target_value"] = _(
                    "When up is good, the target must be above the baseline."
                )
            if self.direction == Direction.DOWN and self.target_value >= self.baseline_value:
                errors["target_value"] = _(
                    "When down is good, the target must be below the baseline."
                )
        if self.baseline_date and self.target_date and self.target_date <= self.baseline_date:
            errors["target_date"] = _("The target date must come after the baseline date.")
        if errors:
            raise ValidationError(errors)

    def progress(self, measurements=None) -> Progress | None:
        """Progress from the latest of ``measurements`` (by default the published ones);
        None without a measurement: no number is ever invented."""
        if measurements is None:
            measurements = getattr(self, "public_measurements", None)
            if measurements is None:
                measurements = self.measurements.filter(publication=Publication.PUBLISHED)
        latest = max(measurements, key=lambda m: (m.measured_on, m.pk or 0), default=None)
        if latest is None:
            return None
        share = float(
            (latest.value - self.baseline_value) / (self.target_value - self.baseline_value)
        )
        return Progress(
            value=latest.value,
            measured_on=latest.measured_on,
            share=share,
            after_target_date=latest.measured_on > self.target_date,
        )


class Measurement(models.Model):
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="measurements")
    measured_on = models.DateField(_("date"), help_text=_("The date the value describes."))
    value = models.DecimalField(max_digits=18, decimal_places=4)
    source_url = models.URLField(
        _("source URL"), max_length=1000, help_text=_("A public page that gives the number.")
    )
    publication = models.CharField(
        max_length=10, choices=Publication.choices, default=Publication.DRAFT
    )
    review_note = models.TextField(blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Bumped on every change, as Indicator.version.
    version = models.PositiveIntegerField(default=1, db_default=1, editable=False)

    history = HistoricalRecords()

    class Meta:
        ordering = ["indicator", "measured_on", "id"]
        constraints = [
            models.CheckConstraint(
                name="jurisdictions_measurement_publication_valid",
                condition=Q(publication__in=Publication.values),
            ),
        ]
        indexes = [
            # Reminders: the latest measurement per indicator.
            models.Index(fields=["indicator", "measured_on"], name="jurisdictions_meas_latest"),
        ]

    def __str__(self):
        return f"{self.indicator}: {self.value} on {self.measured_on}"


class Milestone(models.Model):
    """A dated step of a commitment (a hearing, a first report, a budget line). Part of the
    commitment's own record: editing one goes through the commitment's review."""

    commitment = models.ForeignKey(
        "jurisdictions.Commitment", on_delete=models.CASCADE, related_name="milestones"
    )
    title = models.CharField(max_length=200)
    due_on = models.DateField(_("due date"))
    done_on = models.DateField(_("done on"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["commitment", "due_on", "id"]
        indexes = [
            # Reminders: milestones still open.
            models.Index(
                fields=["due_on"], condition=Q(done_on__isnull=True), name="jurisdictions_mile_open"
            ),
        ]

    def __str__(self):
        return f"{self.title} ({self.due_on})"


def has_unsent_progress(commitment) -> bool:
    """Whether the commitment has indicators or measurements not yet sent for review."""
    unsent = [Publication.DRAFT, Publication.REJECTED]
    return (
        Indicator.objects.filter(commitment=commitment, publication__in=unsent).exists()
        or Measurement.objects.filter(
            indicator__commitment=commitment, publication__in=unsent
        ).exists()
    )


def ever_published_indicators(commitment) -> set[int]:
    """Ids of the commitment's indicators that have ever been public (their history holds
    a published version), in one query."""
    return set(
        Indicator.history.filter(
            commitment_id=commitment.pk, publication=Publication.PUBLISHED
        ).values_list("id", flat=True)
    )
