"""Two people editing one commitment: the second save is refused, never silently applied."""

import pytest
from django.urls import reverse

from jurisdictions.moderation import review_state
from tests import factories as f
from tests.helpers import commitment_form_data

pytestmark = pytest.mark.django_db


def test_a_stale_save_is_refused_with_both_versions_and_keeps_the_users_text(client, pittsburgh):
    first, second = f.user(), f.user()
    f.membership(first, pittsburgh)
    f.membership(second, pittsburgh)
    commitment = f.commitment(jurisdiction=pittsburgh, title="Shelter plan", publication="draft")
    url = reverse("staff:commitment-edit", args=[commitment.pk])
    opened_at = commitment.version  # both open the form now

    client.force_login(first)
    assert (
        client.post(
            url, commitment_form_data(commitment, opened_at, title="Shelter plan 2025")
        ).status_code
        == 302
    )

    client.force_login(second)
    response = client.post(
        url, commitment_form_data(commitment, opened_at, summary="Beds for 300 people by winter.")
    )

    commitment.refresh_from_db()
    assert response.status_code == 409
    assert commitment.title == "Shelter plan 2025"
    assert commitment.summary == ""
    page = response.content.decode()
    assert "Someone else saved this commitment" in page
    rows = {row["label"]: row for row in response.context["conflict"]}
    assert rows["Title"]["theirs"] == "Shelter plan 2025"
    assert rows["Title"]["yours"] == "Shelter plan"
    assert rows["Summary"]["yours"] == "Beds for 300 people by winter."
    # The form still holds their text and now carries the version they have seen.
    form = response.context["form"]
    assert form["summary"].value() == "Beds for 300 people by winter."
    assert int(form["version"].value()) == commitment.version

    resubmit = commitment_form_data(
        commitment,
        form["version"].value(),
        title="Shelter plan 2025",
        summary="Beds for 300 people by winter.",
    )
    assert client.post(url, resubmit).status_code == 302
    commitment.refresh_from_db()
    assert (commitment.title, commitment.summary) == (
        "Shelter plan 2025",
        "Beds for 300 people by winter.",
    )


def test_a_save_after_the_curator_acted_is_refused(client, pittsburgh):
    editor = f.user()
    f.membership(editor, pittsburgh)
    commitment = f.commitment(jurisdiction=pittsburgh, publication="submitted")
    opened_at = commitment.version
    curator = f.curator()
    client.force_login(curator)
    client.post(
        reverse("staff:review-commitment-decide", args=[commitment.pk]),
        {
            "decision": "reject",
            "reason": "Add the date.",
            "version": commitment.version,
            "state": review_state(commitment),
        },
    )

    client.force_login(editor)
    response = client.post(
        reverse("staff:commitment-edit", args=[commitment.pk]),
        commitment_form_data(commitment, opened_at, title="Changed blind"),
    )

    commitment.refresh_from_db()
    assert response.status_code == 409
    assert commitment.title != "Changed blind"
    assert commitment.publication == "rejected"
