"""The demo shows progress over time: a few commitments carry indicators with dated
measurements (illustrative figures, said so) and milestones, and the public pages show
them."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from jurisdictions.models import Commitment, Indicator, Milestone

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    call_command("seed_demo", stdout=open("/dev/null", "w"))


def test_the_demo_indicators_are_public_measured_and_labelled_illustrative(demo):
    indicators = list(Indicator.objects.with_public_measurements())

    assert len(indicators) >= 4
    for indicator in indicators:
        assert indicator.name.endswith("(illustrative figures)")
        assert len(indicator.public_measurements) >= 2
        assert all(
            m.source_url.startswith("https://example.org/illustrative/")
            for m in indicator.public_measurements
        )
        assert indicator.progress() is not None
    # A falling indicator that moved away from its target, as jail populations did.
    jails = next(i for i in indicators if i.direction == "down")
    assert jails.progress().went_backwards is False and jails.progress().share < 0.5
    assert Milestone.objects.filter(done_on__isnull=True).exists()
    assert Milestone.objects.filter(done_on__isnull=False).exists()


def test_the_public_pages_show_the_demo_bars_milestones_and_timelines(client, demo):
    counsel = Commitment.objects.get(title="Universal access to counsel in eviction cases")

    page = client.get(counsel.get_absolute_url()).content.decode()

    assert "Tenants in eviction cases who had a lawyer (illustrative figures)" in page
    assert "Right to counsel in every zip code" in page
    # Latest 42% against a baseline of 1% and a target of 100%, measured after 2022-06-30.
    assert 'class="progress-bar"' in page
    assert f"{round((42 - 1) / (100 - 1) * 100)}% of the way" in page
    assert "Measured after the target date." in page
    place = client.get(
        reverse("jurisdictions:jurisdiction-detail", args=[counsel.jurisdiction.slug])
    ).content.decode()
    assert "Last person leaves Rikers Island" in place
