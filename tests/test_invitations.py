"""Invitation links: stored only as a hash, used once even when two people race for one,
and a junk token is a clear answer, never a server error."""

import hashlib
import re
import threading
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.db import connection, connections
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from jurisdictions.forms import AcceptInvitationForm
from jurisdictions.models import Invitation, Membership
from tests import factories as f

PASSWORD = "tenant-rights-2024!"


def invite(jurisdiction, token="the-raw-token", **kw):
    return Invitation.objects.create(
        email=kw.pop("email", "newcomer@example.org"),
        jurisdiction=jurisdiction,
        token=token,
        expires_at=timezone.now() + timedelta(days=7),
        **kw,
    )


@pytest.mark.django_db
def test_the_emailed_link_works_but_the_database_holds_only_its_hash(client):
    town = f.jurisdiction()
    manager = f.user()
    f.membership(manager, town, role="manager")
    client.force_login(manager)
    client.post(
        reverse("staff:invite", args=[town.slug]), {"email": "new@example.org", "role": "editor"}
    )
    client.logout()

    token = re.search(r"/manage/invitations/([^/\s]+)/", mail.outbox[0].body)[1]
    stored = Invitation.objects.get()
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(Invitation.objects.values().get())
    # The hash itself is no link.
    url = reverse("staff:accept-invitation", args=[stored.token_hash])
    assert client.get(url).status_code == 410

    url = reverse("staff:accept-invitation", args=[token])
    response = client.post(url, {"password1": PASSWORD, "password2": PASSWORD})
    assert response.status_code == 302
    assert Membership.objects.get(user__email="new@example.org").jurisdiction == town


@pytest.mark.django_db(transaction=True)
def test_the_migration_hashes_tokens_already_sent_so_their_links_keep_working(client):
    before = [("jurisdictions", "0007_reports_saved_and_builds")]
    after = [("jurisdictions", "0008_chaos_invitation_token_hash")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old_apps = executor.loader.project_state(before).apps
    OldInvitation = old_apps.get_model("jurisdictions", "Invitation")
    OldJurisdiction = old_apps.get_model("jurisdictions", "Jurisdiction")
    town = OldJurisdiction.objects.create(kind="city", name="Erie", slug="erie")
    OldInvitation.objects.create(
        email="early@example.org",
        jurisdiction=town,
        role="editor",
        token="sent-before-the-change",
        expires_at=timezone.now() + timedelta(days=3),
    )

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(after)
    # Back to the latest schema for the tests that follow (later migrations exist).
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    stored = Invitation.objects.get()
    assert stored.token_hash == hashlib.sha256(b"sent-before-the-change").hexdigest()
    url = reverse("staff:accept-invitation", args=["sent-before-the-change"])
    assert client.get(url).status_code == 200


@pytest.mark.django_db(transaction=True)
def test_two_people_accepting_one_invitation_at_once_one_wins_the_other_sees_it_used(
    monkeypatch,
):
    town = f.jurisdiction(name="Erie")
    invite(town, token="shared-link")
    url = reverse("staff:accept-invitation", args=["shared-link"])
    # Both requests have loaded the open invitation and checked their passwords before
    # either goes on: the race the audit hit, made certain.
    both_checked = threading.Barrier(2, timeout=20)
    original_clean = AcceptInvitationForm.clean

    def clean(self):
        cleaned = original_clean(self)
        both_checked.wait()
        return cleaned

    monkeypatch.setattr(AcceptInvitationForm, "clean", clean)
    responses = {}

    def accept(name):
        try:
            responses[name] = Client().post(url, {"password1": PASSWORD, "password2": PASSWORD})
        finally:
            connections.close_all()

    threads = [threading.Thread(target=accept, args=(name,)) for name in ("ann", "bob")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    codes = sorted(response.status_code for response in responses.values())
    assert codes == [302, 410]
    loser = next(r for r in responses.values() if r.status_code == 410)
    assert "This invitation link was already used" in loser.content.decode()
    assert get_user_model().objects.filter(email="newcomer@example.org").count() == 1
    assert Membership.objects.filter(jurisdiction=town).count() == 1
    assert Invitation.objects.get().accepted_at is not None


@pytest.mark.django_db
def test_an_existing_account_accepting_a_link_just_used_sees_it_used(client):
    town = f.jurisdiction()
    person = f.user(email="newcomer@example.org")
    invitation = invite(town)
    url = reverse("staff:accept-invitation", args=[invitation.token])
    client.force_login(person)
    assert client.get(url).status_code == 200
    # Accepted in another tab between this page loading and its form being sent.
    assert Invitation.objects.claim(invitation.pk)
    assert not Invitation.objects.claim(invitation.pk)

    response = client.post(url)
    assert response.status_code == 410
    assert not Membership.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/subscriptions/unsubscribe/%00/",
        "/manage/invitations/%00/",
        "/subscriptions/confirm/%00/",
        "/countries/%00/",
        "/manage/invitations/ok%00ok/",
    ],
)
def test_a_nul_byte_in_a_path_segment_is_not_found_not_a_server_error(client, url):
    f.user()
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404


@pytest.mark.django_db
def test_removing_a_member_withdraws_their_other_open_invitations_to_that_jurisdiction(client):
    town, elsewhere = f.jurisdiction(name="Erie"), f.jurisdiction(name="Akron")
    manager = f.user()
    f.membership(manager, town, role="manager")
    person = f.user(email="editor@erie.example")
    membership = f.membership(person, town)
    # A second link was sent before they joined (a reminder, or one with another role).
    second = invite(town, token="second-link", email="Editor@Erie.example")
    other_town = invite(elsewhere, token="other-town", email="editor@erie.example")
    client.force_login(manager)

    client.post(reverse("staff:member-remove", args=[town.slug, membership.pk]))

    client.force_login(person)
    url = reverse("staff:accept-invitation", args=[second.token])
    assert client.get(url).status_code == 410
    assert client.post(url).status_code == 410
    assert not Membership.objects.filter(user=person, jurisdiction=town).exists()
    # An invitation from another jurisdiction is that jurisdiction's to withdraw.
    assert (
        client.get(reverse("staff:accept-invitation", args=[other_town.token])).status_code == 200
    )
