"""What the weekly staff digest adds to overdue and stale commitments: milestones past
their due date and not done, and indicators without a measurement for 12 months."""

from datetime import date, timedelta

from django.db.models import Max, Q

from ..publication import Publication
from .models import Indicator, Milestone

MEASURE_AT_LEAST_EVERY = timedelta(days=365)


def overdue_milestones(jurisdiction_ids, today: date):
    return (
        Milestone.objects.filter(
            commitment__jurisdiction__in=jurisdiction_ids, done_on__isnull=True, due_on__lt=today
        )
        .exclude(commitment__publication=Publication.REJECTED)
        .select_related("commitment__jurisdiction")
        .order_by("commitment__jurisdiction__name", "due_on", "pk")
    )


def unmeasured_indicators(jurisdiction_ids, today: date):
    """Indicators whose latest measurement (of any state: a draft shows someone is on
    it) describes a day more than 12 months back, or which have none and a baseline more
    than 12 months old. Each carries .last_measured (None if never)."""
    before = today - MEASURE_AT_LEAST_EVERY
    return (
        Indicator.objects.filter(commitment__jurisdiction__in=jurisdiction_ids)
        .exclude(publication=Publication.REJECTED)
        .exclude(commitment__publication=Publication.REJECTED)
        .annotate(last_measured=Max("measurements__measured_on"))
        .filter(
            Q(last_measured__lt=before) | Q(last_measured__isnull=True, baseline_date__lt=before)
        )
        .select_related("commitment__jurisdiction")
        .order_by("commitment__jurisdiction__name", "name", "pk")
    )
