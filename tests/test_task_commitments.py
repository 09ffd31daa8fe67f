"""The daily overdue and stale refresh of commitments."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from jurisdictions.models import Commitment
from jurisdictions.tasks import months_before, refresh_commitment_statuses
from recommendations.models import TaskRun
from tests import factories as f

pytestmark = pytest.mark.django_db


def flags(commitment):
    commitment.refresh_from_db()
    return commitment.is_overdue, commitment.is_stale


def test_a_commitment_past_its_target_date_becomes_overdue():
    today = timezone.localdate()
    late = f.commitment(
        adopted_on=today - timedelta(days=30), target_date=today - timedelta(days=1)
    )
    due_today = f.commitment(adopted_on=today - timedelta(days=30), target_date=today)

    refresh_commitment_statuses()

    assert flags(late)[0] is True
    assert flags(due_today)[0] is False


def test_implemented_or_repealed_commitments_are_never_overdue():
    past = timezone.localdate() - timedelta(days=5)
    done = f.commitment(adopted_on=date(2020, 1, 1), target_date=past, status="implemented")
    gone = f.commitment(adopted_on=date(2020, 1, 1), target_date=past, status="repealed")

    refresh_commitment_statuses()

    assert flags(done)[0] is False
    assert flags(gone)[0] is False


def test_an_overdue_flag_is_cleared_once_the_commitment_is_implemented():
    late = f.commitment(adopted_on=date(2020, 1, 1), target_date=date(2021, 1, 1))
    refresh_commitment_statuses()
    Commitment.objects.filter(pk=late.pk).update(status="implemented")

    counts = refresh_commitment_statuses()

    assert flags(late)[0] is False
    assert counts["overdue_cleared"] == 1


def test_a_commitment_without_a_published_update_for_a_year_is_stale():
    today = timezone.localdate()
    quiet = f.commitment(adopted_on=date(2020, 1, 1))
    f.update(quiet, reported_on=today - timedelta(days=400))
    f.update(quiet, reported_on=today - timedelta(days=10), publication="draft")
    active = f.commitment(adopted_on=date(2020, 1, 1))
    f.update(active, reported_on=today - timedelta(days=10))
    young = f.commitment(adopted_on=today - timedelta(days=60))

    refresh_commitment_statuses()

    assert flags(quiet)[1] is True
    assert flags(active)[1] is False
    assert flags(young)[1] is False


def test_running_it_twice_gives_the_same_flags_and_records_both_runs():
    late = f.commitment(adopted_on=date(2020, 1, 1), target_date=date(2021, 1, 1))
    first = refresh_commitment_statuses()
    second = refresh_commitment_statuses()

    assert flags(late) == (True, True)
    assert (first["overdue_marked"], second["overdue_marked"]) == (1, 0)
    runs = TaskRun.objects.filter(task="jurisdictions.tasks.refresh_commitment_statuses")
    assert [r.outcome for r in runs] == ["succeeded", "succeeded"]


def test_twelve_months_before_a_leap_day_is_the_last_day_of_february():
    assert months_before(date(2024, 2, 29), 12) == date(2023, 2, 28)
    assert months_before(date(2026, 1, 15), 12) == date(2025, 1, 15)
