"""A curator's approval shows on the public figures at once: the home page's counts and the
recommendation list's local-action facet, even though both are cached for minutes."""

import re

import pytest
from django.urls import reverse

from jurisdictions.local_status import refresh_local_status
from jurisdictions.moderation import review_state, update_state
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene(client):
    pittsburgh = f.jurisdiction(name="Pittsburgh", slug="pittsburgh")
    erie = f.jurisdiction(name="Erie", slug="erie")
    acted_on = f.recommendation(text="Guarantee counsel to tenants facing eviction.")
    waiting = f.recommendation(text="Reduce homelessness among the groups most at risk.")
    f.link(f.commitment(jurisdiction=pittsburgh, title="Right to counsel"), acted_on)
    submitted = f.commitment(jurisdiction=erie, title="Shelter for all", publication="submitted")
    f.link(submitted, waiting, relation="implements")
    refresh_local_status()  # as the nightly refresh would have
    client.force_login(f.curator())
    return {"submitted": submitted, "waiting": waiting}


def figure(client, label: str) -> int:
    html = client.get(reverse("recommendations:home")).content.decode()
    return int(re.search(rf"<dt>{label}</dt><dd><a [^>]*>(\d+)</a>", html).group(1))


def acting_facet(client) -> int:
    html = client.get(reverse("recommendations:recommendation-list")).content.decode()
    return int(re.search(r"Any local action[^(]*\((\d+)\)", html).group(1))


def test_approving_a_commitment_changes_the_home_figures_and_facets_at_once(
    client, scene, django_capture_on_commit_callbacks
):
    assert figure(client, "Published commitments") == 1
    assert figure(client, "Jurisdictions acting") == 1
    assert acting_facet(client) == 1

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("staff:review-commitment-decide", args=[scene["submitted"].pk]),
            {
                "decision": "approve",
                "reason": "",
                "version": scene["submitted"].version,
                "state": review_state(scene["submitted"]),
            },
        )

    assert response.status_code == 302
    assert figure(client, "Published commitments") == 2
    assert figure(client, "Jurisdictions acting") == 2
    assert acting_facet(client) == 2
    scene["waiting"].refresh_from_db()
    assert scene["waiting"].local_status == "addressed"
    assert scene["waiting"].jurisdictions_acting == 1


def test_approving_a_progress_update_that_reports_completion_shows_at_once(
    client, scene, django_capture_on_commit_callbacks
):
    commitment = scene["submitted"]
    commitment.publication = "published"
    commitment.save()
    client.get(reverse("recommendations:home"))  # figures now cached
    update = f.update(commitment, status="implemented", publication="submitted")

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("staff:review-update-decide", args=[update.pk]),
            {"decision": "approve", "reason": "", "state": update_state(update)},
        )

    html = client.get(reverse("recommendations:home")).content.decode()
    assert "Implemented: 1" in html
    scene["waiting"].refresh_from_db()
    assert scene["waiting"].local_status == "implemented"
