"""Staff delete indicators and milestones from a confirm page: every role is checked, the
confirm page says what happens to the measurements, and the history keeps the deleted
records."""

from datetime import date

import pytest
from django.urls import reverse

from jurisdictions.models import Commitment, Indicator, Measurement, Milestone
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene(pittsburgh):
    shelter = f.commitment(
        jurisdiction=pittsburgh, title="Shelter guarantee", publication="published"
    )
    draft = f.indicator(shelter, name="Caseworkers hired", publication="draft")
    f.measurement(draft, measured_on=date(2022, 1, 1), value=120, publication="draft")
    public = f.indicator(shelter, name="Families in shelter beds")
    f.measurement(public, measured_on=date(2022, 1, 1), value=150)
    f.measurement(public, measured_on=date(2023, 1, 1), value=180, publication="draft")
    hearing = f.milestone(shelter, title="Council hearing", due_on=date(2024, 3, 1))
    return {"shelter": shelter, "draft": draft, "public": public, "hearing": hearing}


def _indicator_url(scene, name):
    return reverse("staff:indicator-delete", args=[scene["shelter"].pk, scene[name].pk])


def _milestone_url(scene):
    return reverse("staff:milestone-delete", args=[scene["shelter"].pk, scene["hearing"].pk])


def test_the_confirm_page_says_what_happens_to_the_measurements(client, scene, editor):
    response = client.get(_indicator_url(scene, "draft"))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Delete the indicator “Caseworkers hired”?" in page
    assert "Its measurement is deleted with it." in page
    assert "2022-01-01: 120 · Draft" in page
    assert "The change history keeps a copy" in page
    assert Indicator.objects.filter(pk=scene["draft"].pk).exists()  # a GET deletes nothing


def test_staff_delete_an_indicator_that_was_never_public_with_its_measurements(
    client, scene, editor
):
    page = client.get(reverse("staff:commitment", args=[scene["shelter"].pk])).content.decode()
    assert "delete “Caseworkers hired”" in page
    assert "delete “Families in shelter beds”" not in page
    assert "has been public: a curator can delete it" in page

    response = client.post(_indicator_url(scene, "draft"))

    assert response.status_code == 302
    assert not Indicator.objects.filter(pk=scene["draft"].pk).exists()
    assert not Measurement.objects.filter(indicator_id=scene["draft"].pk).exists()
    gone = Indicator.history.filter(id=scene["draft"].pk).first()
    assert (gone.history_type, gone.history_change_reason, gone.history_user) == (
        "-",
        "Deleted by staff",
        editor,
    )
    measurement = Measurement.history.filter(indicator_id=scene["draft"].pk).first()
    assert (measurement.history_type, measurement.history_change_reason) == (
        "-",
        "Deleted with its indicator",
    )
    # The other indicator and the commitment are untouched.
    assert Measurement.objects.filter(indicator=scene["public"]).count() == 2
    assert Commitment.objects.get(pk=scene["shelter"].pk).publication == "published"


def test_staff_are_refused_an_indicator_that_has_been_public(client, scene, editor):
    assert client.get(_indicator_url(scene, "public")).status_code == 403
    response = client.post(_indicator_url(scene, "public"))

    assert response.status_code == 403
    assert "ask a curator to delete it" in response.content.decode()
    assert Indicator.objects.filter(pk=scene["public"].pk).exists()


def test_a_curator_deletes_a_public_indicator_and_the_public_page_drops_it(client, scene, curator):
    public_page = reverse("jurisdictions:commitment-detail", args=[scene["shelter"].pk])
    assert "Families in shelter beds" in client.get(public_page).content.decode()
    confirm = client.get(_indicator_url(scene, "public")).content.decode()
    assert "Its 2 measurements are deleted with it." in confirm
    assert "One of them is public" in confirm

    response = client.post(_indicator_url(scene, "public"), follow=True)  # shows the message

    assert "Deleted “Families in shelter beds” and its measurements." in response.content.decode()
    assert not Indicator.objects.filter(pk=scene["public"].pk).exists()
    assert "Families in shelter beds" not in client.get(public_page).content.decode()


def test_staff_delete_a_milestone_and_the_public_commitment_goes_back_to_review(
    client, scene, editor
):
    confirm = client.get(_milestone_url(scene)).content.decode()
    assert "takes the commitment off the public site" in confirm

    assert client.post(_milestone_url(scene)).status_code == 302

    assert not Milestone.objects.filter(pk=scene["hearing"].pk).exists()
    shelter = Commitment.objects.get(pk=scene["shelter"].pk)
    assert (shelter.publication, shelter.version) == ("draft", scene["shelter"].version + 1)
    gone = Milestone.history.filter(id=scene["hearing"].pk).first()
    assert (gone.history_type, gone.history_user) == ("-", editor)


def test_a_curators_milestone_deletion_keeps_the_commitment_public(client, scene, curator):
    assert "takes the commitment off" not in client.get(_milestone_url(scene)).content.decode()
    assert client.post(_milestone_url(scene)).status_code == 302
    assert not Milestone.objects.filter(pk=scene["hearing"].pk).exists()
    assert Commitment.objects.get(pk=scene["shelter"].pk).publication == "published"


@pytest.mark.parametrize("who", ["anonymous", "public user", "other jurisdiction's manager"])
@pytest.mark.parametrize("what", ["draft", "public", "milestone"])
def test_no_one_else_deletes_anything(client, scene, who, what):
    if who == "public user":
        client.force_login(f.user())
    elif who == "other jurisdiction's manager":
        stranger = f.user()
        f.membership(stranger, f.jurisdiction(), role="manager")
        client.force_login(stranger)
    url = _milestone_url(scene) if what == "milestone" else _indicator_url(scene, what)
    expected = {"anonymous": 302, "public user": 403, "other jurisdiction's manager": 404}[who]

    assert client.get(url).status_code == expected
    assert client.post(url).status_code == expected

    assert Indicator.objects.count() == 2
    assert Measurement.objects.count() == 3
    assert Milestone.objects.count() == 1


def test_a_manager_is_held_to_the_same_rule_as_an_editor(client, scene, manager):
    assert client.post(_indicator_url(scene, "public")).status_code == 403
    assert client.post(_indicator_url(scene, "draft")).status_code == 302
    assert client.post(_milestone_url(scene)).status_code == 302
    assert Indicator.objects.count() == 1 and Milestone.objects.count() == 0
