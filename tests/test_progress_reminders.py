"""The weekly staff digest names overdue milestones and indicators left unmeasured."""

from datetime import date, timedelta

import pytest
from django.core import mail
from django.utils import timezone

from jurisdictions.tasks import send_digests
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_staff_hear_of_overdue_milestones_and_indicators_unmeasured_for_a_year():
    today = timezone.localdate()
    town, other = f.jurisdiction(name="Millbrook"), f.jurisdiction()
    f.membership(f.user(email="editor@millbrook.gov"), town)
    plan = f.commitment(jurisdiction=town, title="Clean air plan", adopted_on=today)
    f.milestone(plan, title="Monitors installed", due_on=today - timedelta(days=3))
    f.milestone(plan, title="Public hearing", due_on=today - timedelta(days=30), done_on=today)
    f.milestone(plan, title="Second report", due_on=today + timedelta(days=30))
    old = today - timedelta(days=400)
    target = {"target_date": today + timedelta(days=900)}
    quiet = f.indicator(
        plan, name="Days over the ozone limit", baseline_date=old - timedelta(1), **target
    )
    f.measurement(quiet, measured_on=old)
    f.indicator(plan, name="Trees planted", baseline_date=old, **target)
    fresh = f.indicator(plan, name="Buses electrified", baseline_date=old, **target)
    f.measurement(fresh, measured_on=today - timedelta(days=20), publication="draft")
    f.indicator(plan, name="Bike lanes", baseline_date=today - timedelta(100), **target)
    elsewhere = f.commitment(jurisdiction=other, title="Not theirs")
    f.milestone(elsewhere, title="Someone else's step", due_on=date(2020, 1, 1))

    send_digests()

    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert "3 items need an update" in mail.outbox[0].subject
    assert "Monitors installed" in body
    assert "Public hearing" not in body and "Second report" not in body
    assert (
        f"Days over the ozone limit: Clean air plan (Millbrook, PA), last measured {old:%-d %b %Y}"
        in (body)
    )
    assert "Trees planted: Clean air plan (Millbrook, PA), never measured" in body
    assert "Buses electrified" not in body and "Bike lanes" not in body
    assert "Someone else" not in body
