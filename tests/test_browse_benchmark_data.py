"""generate_benchmark_data: deterministic, consistent rows the browsing pages can serve."""

import io

import pytest
from django.core.management import call_command

from jurisdictions.models import Commitment, CommitmentLink, Jurisdiction
from recommendations.models import Recommendation, Review

pytestmark = pytest.mark.django_db


def generate(**sizes):
    call_command("generate_benchmark_data", stdout=io.StringIO(), **sizes)


def test_it_generates_the_requested_sizes(client):
    generate(recommendations=120, commitments=40, jurisdictions=150)
    assert Recommendation.objects.count() == 120
    assert Commitment.objects.count() == 40
    assert Jurisdiction.objects.count() == 150
    assert CommitmentLink.objects.count() >= 40
    # Local action figures agree with the published links.
    acting = Recommendation.objects.filter(jurisdictions_acting__gt=0)
    linked = (
        CommitmentLink.objects.filter(commitment__publication="published")
        .values("recommendation")
        .distinct()
    )
    assert acting.count() == linked.count()
    assert "none" not in set(acting.values_list("local_status", flat=True))
    # Reviews are sized like real ones and spread over four cycles of many states.
    assert Review.objects.filter(recommendations__isnull=False).distinct().count() >= 100
    assert set(Review.objects.values_list("cycle", flat=True)) == {1, 2, 3, 4}
    # And the pages serve them.
    assert client.get("/recommendations/", {"local_action": "any"}).status_code == 200
    assert client.get("/commitments/").status_code == 200


@pytest.mark.django_db(transaction=True)
def test_the_same_seed_gives_the_same_data():
    generate(recommendations=30, commitments=10, jurisdictions=80)
    first = list(Recommendation.objects.order_by("id").values_list("text", "response"))
    call_command("flush", interactive=False, verbosity=0)
    generate(recommendations=30, commitments=10, jurisdictions=80)
    second = list(Recommendation.objects.order_by("id").values_list("text", "response"))
    assert first == second
