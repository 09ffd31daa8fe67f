"""A refused staff member is told which role the page needs and whom to ask; curators merge
records they find by name."""

import pytest
from django.urls import reverse

from jurisdictions.models import Commitment, Jurisdiction
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path",
    [
        "/manage/review/",
        "/manage/merge/commitments/",
        "/manage/themes/",
        "/manage/imports/",
    ],
)
def test_a_manager_on_a_curator_page_gets_a_page_naming_the_role_and_whom_to_ask(
    client, manager, path
):
    f.curator(email="curator@example.org")

    response = client.get(path)

    html = response.content.decode()
    assert response.status_code == 403
    assert '<header class="site-header">' in html  # the site's own page, not a bare one
    assert "needs the <strong>curator</strong> role" in html
    assert "Ask a curator or a site administrator to add you to the Curators group." in html
    assert 'href="mailto:curator@example.org"' in html
    assert "manager@pittsburgh.example" in html


def test_an_editor_who_tries_to_invite_is_sent_to_the_managers(client, pittsburgh):
    editor = f.user(email="editor@pittsburgh.example")
    f.membership(editor, pittsburgh)
    client.force_login(editor)

    response = client.post(
        reverse("staff:invite", args=["pittsburgh"]), {"email": "x@example.org", "role": "editor"}
    )

    assert response.status_code == 403
    assert "needs the <strong>manager of Pittsburgh</strong> role" in response.content.decode()


def test_someone_without_any_staff_role_is_told_to_ask_for_an_invitation(client):
    client.force_login(f.user(email="resident@example.org"))

    response = client.get(reverse("staff:home"))

    html = response.content.decode()
    assert response.status_code == 403
    assert "editor or manager of a jurisdiction" in html
    assert "Back to your staff pages" not in html  # it would only refuse again
    assert "mailto:" not in html  # curators' addresses are for staff only


def test_the_merge_page_lists_records_matching_a_name_to_pick_from(client, curator, pittsburgh):
    f.commitment(jurisdiction=pittsburgh, title="CEDAW ordinance")
    f.commitment(jurisdiction=pittsburgh, title="Local CEDAW ordinance")
    f.commitment(jurisdiction=pittsburgh, title="Water affordability plan")

    response = client.get(reverse("staff:merge", args=["commitments"]), {"q": "cedaw"})

    html = response.content.decode()
    assert [c.title for c in response.context["candidates"]] == [
        "CEDAW ordinance",
        "Local CEDAW ordinance",
    ]
    assert html.count('type="radio" name="survivor"') == 2
    assert html.count('type="radio" name="duplicate"') == 2
    assert "Water affordability plan" not in html


def test_two_differently_named_jurisdictions_are_listed_together_and_merged(client, curator):
    kept = f.jurisdiction(name="Pittsburgh", slug="pittsburgh")
    twin = f.jurisdiction(name="Steel City", slug="steel-city")
    f.commitment(jurisdiction=twin, title="Moved over")
    url = reverse("staff:merge", args=["jurisdictions"])

    listed = client.get(url, {"q": "pittsburgh, steel"}).context["candidates"]
    response = client.post(
        url, {"q": "pittsburgh, steel", "survivor": kept.pk, "duplicate": twin.pk}
    )

    assert {j.pk for j in listed} == {kept.pk, twin.pk}
    assert response.status_code == 302
    assert list(Jurisdiction.objects.all()) == [kept]
    assert Commitment.objects.get().jurisdiction == kept


def test_a_merge_with_nothing_picked_says_what_is_missing_and_keeps_the_list(
    client, curator, pittsburgh
):
    f.commitment(jurisdiction=pittsburgh, title="CEDAW ordinance")
    url = reverse("staff:merge", args=["commitments"])

    response = client.post(url, {"q": "cedaw"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "Pick the record to keep." in html
    assert "Pick the duplicate to fold into it." in html
    assert len(response.context["candidates"]) == 1


def test_a_name_shared_by_two_records_is_refused_with_a_clear_message(client, curator, pittsburgh):
    f.commitment(jurisdiction=pittsburgh, title="CEDAW ordinance")
    f.commitment(jurisdiction=pittsburgh, title="CEDAW ordinance")
    other = f.commitment(jurisdiction=pittsburgh, title="Gender equity")

    response = client.post(
        reverse("staff:merge", args=["commitments"]),
        {"survivor": "Gender equity", "duplicate": "cedaw ordinance"},
    )

    assert "More than one record is called “cedaw ordinance”" in response.content.decode()
    assert Commitment.objects.count() == 3
    assert Commitment.objects.get(title="Gender equity") == other
