"""Public history starts at a commitment's first publication and shows only what its
published versions showed: link changes and edits made while it was a draft or in review
stay out."""

import pytest
from django.urls import reverse
from django.utils import timezone

from tests import factories as f

pytestmark = pytest.mark.django_db


def save(commitment, **fields):
    """A staff save (each one is a history version), as the views and moderation make."""
    for name, value in fields.items():
        setattr(commitment, name, value)
    if fields.get("publication") == "published":
        commitment.published_at = timezone.now()
    commitment.version += 1
    commitment.save()


def entries(client, name, pk):
    response = client.get(reverse(f"history:{name}", args=[pk]))
    assert response.status_code == 200
    return [entry.what for entry in response.context["entries"]]


@pytest.fixture
def drafted():
    """A draft that was linked, unlinked and retitled before it was first published."""
    kept = f.recommendation(paragraph="26.1", text="Guarantee counsel to tenants.")
    dropped = f.recommendation(paragraph="26.2", text="Ratify the treaty.")
    plan = f.commitment(title="Working title", publication="draft")
    f.link(plan, kept)
    save(plan)
    f.link(plan, dropped).delete()
    save(plan, title="Right to counsel ordinance")
    save(plan, publication="submitted")
    save(plan, publication="published")
    return plan, kept, dropped


def test_draft_links_and_edits_do_not_appear_on_the_commitment_history(client, drafted):
    plan, kept, dropped = drafted

    assert entries(client, "commitment", plan.pk) == ["Published"]


def test_a_recommendation_history_shows_the_link_from_the_first_publication(client, drafted):
    plan, kept, dropped = drafted

    kept_entries = client.get(reverse("history:recommendation", args=[kept.pk])).context["entries"]
    linked = [e for e in kept_entries if e.what.startswith("Linked to")]
    assert [e.what for e in linked] == [
        f"Linked to Right to counsel ordinance ({plan.jurisdiction})"
    ]
    assert linked[0].when >= plan.history.filter(publication="published").earliest().history_date
    assert not any(
        "Right to counsel" in what for what in entries(client, "recommendation", dropped.pk)
    )


def test_changes_in_review_appear_only_as_the_approved_version_shows_them(client, drafted):
    plan, kept, dropped = drafted
    tried = f.recommendation(paragraph="26.3", text="Fund legal aid.")
    added = f.recommendation(paragraph="26.4", text="Collect eviction data.")
    # An edit goes back to review: one link tried and taken out again, one kept.
    tried_link = f.link(plan, tried)
    save(plan, publication="submitted")
    tried_link.delete()
    f.link(plan, added)
    save(plan)
    save(plan, publication="published")
    # A curator's direct fix while it is public shows as soon as it is made.
    kept_link = plan.links.get(recommendation=kept)
    kept_link.delete()
    save(plan)

    shown = entries(client, "commitment", plan.pk)
    assert shown == [
        f"Unlinked from {kept.citation}",
        f"Linked to {added.citation}",
        "Published",
    ]
    assert not any("Fund legal aid" in what or "26.3" in what for what in shown)
    assert entries(client, "recommendation", tried.pk) == ["Recorded"]


def test_changes_a_curator_approved_are_credited_to_the_staff_who_made_them(client, pittsburgh):
    """A manager's edit and an editor's progress update reach the public through a
    curator's approval; the history names the manager and the editor, not "Curator"."""
    from jurisdictions.moderation import review_state, update_state

    manager, editor = f.user(), f.user()
    f.membership(manager, pittsburgh, role="manager")
    f.membership(editor, pittsburgh, role="editor")
    curator = f.curator()
    plan = f.commitment(jurisdiction=pittsburgh, title="Water plan", status="adopted")

    def approve(name, obj, **seen):
        client.force_login(curator)
        obj.refresh_from_db()
        client.post(reverse(f"staff:{name}", args=[obj.pk]), {"decision": "approve", **seen})

    client.force_login(manager)
    plan.refresh_from_db()
    edit = {
        "title": "Water affordability plan",
        "kind": plan.kind,
        "status": "in_progress",
        "adopted_on": plan.adopted_on or "",
    }
    client.post(reverse("staff:commitment-edit", args=[plan.pk]), {**edit, "version": plan.version})
    client.post(reverse("staff:commitment-submit", args=[plan.pk]))
    plan.refresh_from_db()
    approve("review-commitment-decide", plan, version=plan.version, state=review_state(plan))

    client.force_login(editor)
    client.post(
        reverse("staff:update-create", args=[plan.pk]),
        {"reported_on": "2026-10-01", "status": "implemented", "summary": "Rates capped."},
    )
    client.post(reverse("staff:commitment-submit", args=[plan.pk]))
    update = plan.updates.get()
    approve("review-update-decide", update, state=update_state(update))
    plan.refresh_from_db()
    assert plan.status == "implemented" and plan.title == "Water affordability plan"

    client.logout()
    shown = client.get(reverse("history:commitment", args=[plan.pk])).context["entries"]
    by_change = {
        (entry.what, tuple(label for label, _, _ in entry.changes)): entry.who for entry in shown
    }
    assert by_change[("Changed", ("Title", "Status"))] == "Manager, Pittsburgh"
    assert by_change[("Changed", ("Status",))] == "Editor, Pittsburgh"
    assert by_change[("Progress update of 2026-10-01 published", ())] == "Editor, Pittsburgh"
    assert all(entry.who != "Curator" for entry in shown)
