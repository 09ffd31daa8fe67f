"""Staff screens: forms refuse bad input on the field, lists stay cheap, suggestions rank."""

import re
from datetime import date, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from jurisdictions.models import Commitment, Invitation, Membership
from tests import factories as f

pytestmark = pytest.mark.django_db


def valid_commitment(**extra):
    data = {
        "title": "Fair housing ordinance",
        "kind": "ordinance",
        "status": "adopted",
        "summary": "Bans source-of-income discrimination.",
        "adopted_on": "2021-03-02",
    }
    data.update(extra)
    return data


def post_new(client, jurisdiction, **extra):
    return client.post(
        reverse("staff:commitment-create", args=[jurisdiction.slug]), valid_commitment(**extra)
    )


def test_it_saves_a_new_commitment_as_a_draft_of_that_jurisdiction(client, editor, pittsburgh):
    response = post_new(client, pittsburgh)

    commitment = Commitment.objects.get()
    assert response.status_code == 302
    assert commitment.jurisdiction == pittsburgh
    assert commitment.publication == "draft"
    assert commitment.created_by == editor


@pytest.mark.parametrize(
    ("extra", "field", "message"),
    [
        ({"target_date": "2020-01-01"}, "target_date", "cannot be before the adoption date"),
        ({"source_url": "javascript:alert(1)"}, "source_url", "http:// or https://"),
        ({"source_url": "ftp://example.org/file"}, "source_url", "http:// or https://"),
        ({"summary": "x" * 5001}, "summary", "5000 characters"),
        ({"title": "t" * 301}, "title", "at most 300 characters"),
        ({"title": ""}, "title", "This field is required"),
        ({"kind": "decree"}, "kind", "Select a valid choice"),
        ({"adopted_on": "2021-02-30"}, "adopted_on", "Enter a valid date"),
    ],
)
def test_the_commitment_form_refuses_bad_input_with_a_message_on_the_field(
    client, editor, pittsburgh, extra, field, message
):
    response = post_new(client, pittsburgh, **extra)

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert message in " ".join(errors[field])
    assert f'id="id_{field}_error"' in response.content.decode()
    assert not Commitment.objects.exists()


def test_linking_refuses_a_recommendation_number_that_does_not_exist(client, editor, pittsburgh):
    commitment = f.commitment(jurisdiction=pittsburgh, publication="draft")

    response = client.post(
        reverse("staff:link-add", args=[commitment.pk]),
        {"recommendation": 999999, "relation": "partial"},
        follow=True,
    )

    assert "There is no recommendation number 999999" in response.content.decode()
    assert not commitment.links.exists()


def test_the_progress_update_form_refuses_bad_input_on_the_field(client, editor, pittsburgh):
    commitment = f.commitment(jurisdiction=pittsburgh, publication="draft")
    url = reverse("staff:update-create", args=[commitment.pk])

    response = client.post(
        url,
        {"reported_on": "2019-01-01", "summary": "", "evidence_url": "file:///etc/passwd"},
    )

    errors = response.context["form"].errors
    assert "before the commitment was adopted" in errors["reported_on"][0]
    assert "required" in errors["summary"][0]
    assert "http:// or https://" in errors["evidence_url"][0]
    assert not commitment.updates.exists()


def test_suggestions_rank_recommendations_by_words_of_title_and_summary(client, editor, pittsburgh):
    housing = f.recommendation(text="Combat discrimination in housing and rental markets.")
    child = f.recommendation(text="Ratify the convention on the rights of the child.")
    income = f.recommendation(text="Prohibit housing discrimination based on source of income.")
    commitment = f.commitment(
        jurisdiction=pittsburgh,
        publication="draft",
        title="Source of income housing protections",
        summary="Bans discrimination against renters by source of income.",
    )

    response = client.get(reverse("staff:commitment", args=[commitment.pk]))

    suggested = list(response.context["suggested"])
    # Two of the four words: far less relevant than the exact match, so the list stops.
    assert suggested == [income]
    assert housing not in suggested and child not in suggested


def test_a_suggestion_is_linked_with_relation_and_rationale_in_one_post(client, editor, pittsburgh):
    rec = f.recommendation(text="Combat housing discrimination.")
    commitment = f.commitment(jurisdiction=pittsburgh, publication="draft", title="Housing")

    client.post(
        reverse("staff:link-add", args=[commitment.pk]),
        {"recommendation": rec.pk, "relation": "implements", "rationale": "Bans it outright."},
    )

    link = commitment.links.get()
    assert (link.recommendation, link.relation, link.rationale) == (
        rec,
        "implements",
        "Bans it outright.",
    )
    page = client.get(reverse("staff:commitment", args=[commitment.pk])).content.decode()
    assert "Bans it outright." in page


def test_my_jurisdictions_shows_overdue_and_stale_commitments(client, editor, pittsburgh):
    today = timezone.localdate()
    f.commitment(
        jurisdiction=pittsburgh,
        title="Late plan",
        status="in_progress",
        adopted_on=today - timedelta(days=100),
        target_date=today - timedelta(days=1),
    )
    f.commitment(
        jurisdiction=pittsburgh,
        title="Done plan",
        status="implemented",
        adopted_on=today - timedelta(days=100),
        target_date=today - timedelta(days=1),
    )
    quiet = f.commitment(
        jurisdiction=pittsburgh, title="Quiet plan", adopted_on=today - timedelta(days=800)
    )
    f.update(quiet, reported_on=today - timedelta(days=400))

    response = client.get(reverse("staff:jurisdiction", args=[pittsburgh.slug]))

    assert [c.title for c in response.context["overdue"]] == ["Late plan"]
    assert [c.title for c in response.context["stale"]] == ["Quiet plan"]


def test_staff_lists_use_a_bounded_number_of_queries(
    client, editor, pittsburgh, django_assert_max_num_queries
):
    rec = f.recommendation()
    for n in range(30):
        c = f.commitment(jurisdiction=pittsburgh, title=f"Plan {n}")
        f.link(c, rec)
        f.update(c)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("staff:home")).status_code == 200
    with django_assert_max_num_queries(12):
        response = client.get(reverse("staff:jurisdiction", args=[pittsburgh.slug]))
    assert len(response.context["commitments"]) == 30


def test_the_review_queue_uses_a_bounded_number_of_queries(
    client, pittsburgh, django_assert_max_num_queries
):
    client.force_login(f.curator())
    for n in range(20):
        c = f.commitment(jurisdiction=pittsburgh, title=f"Plan {n}", publication="submitted")
        f.update(c, publication="submitted")
    with django_assert_max_num_queries(10):
        response = client.get(reverse("staff:review-queue"))
    assert len(response.context["commitments"]) == 20


def _body(response):
    if response.streaming:
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


def test_drafts_and_submissions_stay_off_public_pages(client, pittsburgh):
    rec = f.recommendation(text="Combat housing discrimination.")
    draft = f.commitment(jurisdiction=pittsburgh, title="Secret draft", publication="draft")
    submitted = f.commitment(
        jurisdiction=pittsburgh, title="Pending review", publication="submitted"
    )
    f.link(draft, rec)
    f.link(submitted, rec)

    for hidden in (draft, submitted):
        assert (
            client.get(reverse("jurisdictions:commitment-detail", args=[hidden.pk])).status_code
            == 404
        )
        assert client.get(reverse("history:commitment", args=[hidden.pk])).status_code == 404
    rec_page = client.get(rec.get_absolute_url()).content.decode()
    place_page = client.get(pittsburgh.get_absolute_url()).content.decode()
    history_page = client.get(reverse("history:recommendation", args=[rec.pk])).content.decode()
    listings = [
        _body(client.get(url))
        for url in (
            reverse("jurisdictions:commitment-list"),
            reverse("jurisdictions:commitment-list") + "?q=Secret",
            reverse("jurisdictions:commitment-export", args=["csv"]),
            reverse("jurisdictions:commitment-feed"),
        )
    ]
    for page in (rec_page, place_page, history_page, *listings):
        assert "Secret draft" not in page
        assert "Pending review" not in page


def test_a_manager_invites_an_editor_who_sets_a_password_and_joins(client, pittsburgh):
    manager = f.user(email="manager@pittsburgh.example")
    f.membership(manager, pittsburgh, role="manager")
    client.force_login(manager)

    client.post(
        reverse("staff:invite", args=[pittsburgh.slug]),
        {"email": "New.Editor@Pittsburgh.example", "role": "editor"},
    )

    invitation = Invitation.objects.get()
    assert invitation.email == "new.editor@pittsburgh.example"
    assert invitation.expires_at > timezone.now() + timedelta(days=6)
    assert len(mail.outbox) == 1
    accept_url = re.search(r"https?://\S+(/manage/invitations/\S+/)", mail.outbox[0].body)[1]
    client.logout()

    response = client.post(
        accept_url, {"password1": "tenant-rights-2024!", "password2": "tenant-rights-2024!"}
    )

    assert response.status_code == 302
    membership = Membership.objects.get(user__email="new.editor@pittsburgh.example")
    assert (membership.jurisdiction, membership.role) == (pittsburgh, "editor")
    assert client.get(reverse("staff:jurisdiction", args=[pittsburgh.slug])).status_code == 200
    # A used link does not work twice.
    assert client.get(accept_url).status_code == 410


def test_a_manager_cannot_invite_a_manager(client, pittsburgh):
    manager = f.user()
    f.membership(manager, pittsburgh, role="manager")
    client.force_login(manager)

    client.post(
        reverse("staff:invite", args=[pittsburgh.slug]),
        {"email": "boss@pittsburgh.example", "role": "manager"},
    )

    assert not Invitation.objects.exists()


def test_an_expired_invitation_is_refused(client, pittsburgh):
    invitation = Invitation.objects.create(
        email="late@example.org",
        jurisdiction=pittsburgh,
        token="expired-token",
        expires_at=timezone.now() - timedelta(minutes=1),
    )

    response = client.post(
        reverse("staff:accept-invitation", args=[invitation.token]),
        {"password1": "tenant-rights-2024!", "password2": "tenant-rights-2024!"},
    )

    assert response.status_code == 410
    assert not Membership.objects.exists()


def test_sign_in_by_email_reaches_the_staff_screens(client, pittsburgh):
    person = f.user(email="staff@pittsburgh.example", password="tenant-rights-2024!")
    f.membership(person, pittsburgh)

    response = client.post(
        reverse("account_login"),
        {"login": "staff@pittsburgh.example", "password": "tenant-rights-2024!"},
    )

    assert response.status_code == 302
    assert client.get(reverse("staff:home")).status_code == 200


def test_repeated_wrong_passwords_lock_the_account_out(client, settings, pittsburgh):
    settings.AXES_FAILURE_LIMIT = 3
    f.user(email="staff@pittsburgh.example", password="tenant-rights-2024!")
    login = reverse("account_login")
    for _ in range(3):
        client.post(login, {"login": "staff@pittsburgh.example", "password": "wrong"})

    response = client.post(
        login, {"login": "staff@pittsburgh.example", "password": "tenant-rights-2024!"}
    )

    assert response.status_code == 429
    assert client.get(reverse("staff:home")).status_code == 302


def test_a_rejected_commitment_shows_the_curators_reason_and_can_be_resubmitted(
    client, editor, pittsburgh
):
    commitment = f.commitment(
        jurisdiction=pittsburgh,
        publication="rejected",
        review_note="Add the ordinance number.",
        adopted_on=date(2021, 1, 1),
    )
    page = client.get(reverse("staff:commitment", args=[commitment.pk])).content.decode()
    assert "Add the ordinance number." in page

    client.post(reverse("staff:commitment-submit", args=[commitment.pk]))

    commitment.refresh_from_db()
    assert commitment.publication == "submitted"


def test_editing_a_published_commitment_takes_it_back_to_draft(client, editor, pittsburgh):
    commitment = f.commitment(jurisdiction=pittsburgh, publication="published")

    client.post(
        reverse("staff:commitment-edit", args=[commitment.pk]),
        valid_commitment(title="Renamed", version=commitment.version),
    )

    commitment.refresh_from_db()
    assert (commitment.title, commitment.publication) == ("Renamed", "draft")


def test_published_commitments_cannot_be_deleted_by_editors(client, editor, pittsburgh):
    commitment = f.commitment(jurisdiction=pittsburgh, publication="published")

    response = client.post(reverse("staff:commitment-delete", args=[commitment.pk]))

    assert response.status_code == 403
    assert Commitment.objects.filter(pk=commitment.pk).exists()


def test_create_demo_users_makes_a_curator_and_a_pittsburgh_editor(pittsburgh):
    from io import StringIO

    from django.core.management import call_command

    from jurisdictions.permissions import is_curator

    out = StringIO()
    call_command("create_demo_users", stdout=out)

    assert "password:" in out.getvalue()
    assert is_curator(get_user_model().objects.get(email="curator@example.org"))
    assert Membership.objects.get().jurisdiction == pittsburgh


def test_the_commitment_workspace_uses_a_bounded_number_of_queries(
    client, editor, pittsburgh, django_assert_max_num_queries
):
    commitment = f.commitment(
        jurisdiction=pittsburgh, publication="draft", title="Housing", summary="Rental housing."
    )
    for n in range(15):
        rec = f.recommendation(text=f"Improve rental housing, measure {n}.")
        if n % 2:
            f.link(commitment, rec, rationale=f"Reason {n}")
        f.update(commitment, summary=f"Step {n}", publication="draft")

    with django_assert_max_num_queries(25):
        response = client.get(reverse("staff:commitment", args=[commitment.pk]) + "?q=housing")

    assert len(response.context["suggested"]) == 8
    assert response.content.decode().count("Step ") == 15


def test_the_public_history_page_uses_a_bounded_number_of_queries(
    client, pittsburgh, django_assert_max_num_queries
):
    commitment = f.commitment(jurisdiction=pittsburgh, publication="published")
    for n in range(10):
        f.link(commitment, f.recommendation())
        commitment.title = f"Title {n}"
        commitment.save()
        f.update(commitment, summary=f"Step {n}")
    commitment.published_at = timezone.now()
    commitment.save()

    with django_assert_max_num_queries(12):
        response = client.get(reverse("history:commitment", args=[commitment.pk]))

    assert response.status_code == 200
    assert "Title 9" in response.content.decode()


def test_a_curator_invites_a_manager(client, pittsburgh):
    client.force_login(f.curator())

    client.post(
        reverse("staff:invite", args=[pittsburgh.slug]),
        {"email": "chief@pittsburgh.example", "role": "manager"},
    )

    assert Invitation.objects.get().role == "manager"


def test_a_manager_removes_editors_but_not_other_managers(client, pittsburgh):
    manager = f.user()
    f.membership(manager, pittsburgh, role="manager")
    other_manager = f.membership(f.user(), pittsburgh, role="manager")
    client.force_login(manager)

    response = client.post(reverse("staff:member-remove", args=[pittsburgh.slug, other_manager.pk]))

    assert response.status_code == 403
    assert Membership.objects.filter(pk=other_manager.pk).exists()


def test_an_existing_account_joins_after_signing_in_as_the_invited_address(client, pittsburgh):
    person = f.user(email="already@here.example")
    invitation = Invitation.objects.create(
        email="already@here.example",
        jurisdiction=pittsburgh,
        token="existing-account",
        expires_at=timezone.now() + timedelta(days=1),
    )
    url = reverse("staff:accept-invitation", args=[invitation.token])
    assert client.get(url)["Location"].startswith(reverse("account_login"))

    client.force_login(f.user(email="someone.else@example.org"))
    assert client.post(url).status_code == 403
    client.force_login(person)
    client.post(url)

    assert Membership.objects.get(user=person).jurisdiction == pittsburgh
