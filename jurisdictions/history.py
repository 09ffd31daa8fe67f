"""Public change history of published records.

Only versions the public has seen are listed: for a commitment, the published versions
and the links and progress updates that were public; drafts and rejected edits never
appear. People are shown by role and jurisdiction, never by name or email.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.auth import get_user_model
from django.utils import timezone

from .models import Commitment, CommitmentLink, Membership, ProgressUpdate, Publication
from .permissions import role_label

COMMITMENT_FIELDS = [
    "title",
    "kind",
    "instrument_ref",
    "status",
    "summary",
    "adopted_on",
    "target_date",
    "responsible_office",
    "source_url",
]
RECOMMENDATION_FIELDS = ["paragraph", "text", "response", "response_note", "action_category"]


@dataclass
class Entry:
    when: datetime
    who: str
    what: str
    changes: list[tuple[str, str, str]] = field(default_factory=list)


def _display(model, name, value):
    f = model._meta.get_field(name)
    if f.choices and value not in (None, ""):
        return str(dict(f.choices).get(value, value))
    return "" if value is None else str(value)


def _labeller(user_ids, jurisdiction=None):
    """Loads every author and their memberships in two queries."""
    users = (
        get_user_model()
        .objects.filter(pk__in={u for u in user_ids if u})
        .prefetch_related("groups")
    )
    users = {u.pk: u for u in users}
    memberships: dict[int, list] = {}
    for m in Membership.objects.filter(user_id__in=users).select_related("jurisdiction"):
        memberships.setdefault(m.user_id, []).append(m)
    cache = {}

    def label(user_id):
        if user_id not in cache:
            user = users.get(user_id)
            if user is not None:
                user._upr_is_curator = any(g.name == "Curators" for g in user.groups.all())
            cache[user_id] = role_label(user, jurisdiction, memberships.get(user_id, []))
        return cache[user_id]

    return label


def _field_changes(model, fields, older, newer):
    changes = []
    for name in fields:
        old, new = getattr(older, name), getattr(newer, name)
        if old != new:
            label = str(model._meta.get_field(name).verbose_name).capitalize()
            changes.append((label, _display(model, name, old), _display(model, name, new)))
    return changes


def commitment_history(commitment: Commitment) -> list[Entry]:
    published = list(
        commitment.history.filter(publication=Publication.PUBLISHED).order_by(
            "history_date", "history_id"
        )
    )
    # Records loaded as published (imports, demo data) have no approval time: all counts.
    cutoff = commitment.published_at or timezone.now()
    links = list(
        CommitmentLink.history.filter(commitment_id=commitment.pk, history_date__lte=cutoff)
        .select_related("recommendation__review")
        .order_by("history_date")
    )
    updates = list(
        ProgressUpdate.history.filter(
            commitment_id=commitment.pk, publication=Publication.PUBLISHED
        ).order_by("history_date")
    )
    label = _labeller(
        [r.history_user_id for r in [*published, *links, *updates]], commitment.jurisdiction
    )
    entries = _record_entries(published, Commitment, COMMITMENT_FIELDS, label, "Published")
    for record in links:
        if record.history_type == "~":
            continue
        verb = "Linked to" if record.history_type == "+" else "Unlinked from"
        try:
            citation = record.recommendation.citation
        except Exception:  # the recommendation itself was removed later
            citation = f"recommendation {record.recommendation_id}"
        entries.append(
            Entry(record.history_date, label(record.history_user_id), f"{verb} {citation}")
        )
    seen_updates = set()
    for record in updates:
        if record.id in seen_updates:
            continue
        seen_updates.add(record.id)
        entries.append(
            Entry(
                record.history_date,
                label(record.history_user_id),
                f"Progress update of {record.reported_on:%Y-%m-%d} published",
            )
        )
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries


def _record_entries(records, model, fields, label, first_verb: str) -> list[Entry]:
    """One entry for the first record, then one per record that changed a shown field."""
    entries = []
    previous = None
    for record in records:
        if previous is None:
            entries.append(Entry(record.history_date, label(record.history_user_id), first_verb))
        else:
            changes = _field_changes(model, fields, previous, record)
            if changes:
                entries.append(
                    Entry(record.history_date, label(record.history_user_id), "Changed", changes)
                )
        previous = record
    return entries


def recommendation_history(recommendation) -> list[Entry]:
    model = type(recommendation)
    records = list(recommendation.history.order_by("history_date", "history_id"))
    links = list(
        CommitmentLink.history.filter(
            recommendation_id=recommendation.pk,
            commitment__publication=Publication.PUBLISHED,
        )
        .exclude(history_type="~")
        .select_related("commitment__jurisdiction")
        .order_by("history_date")
    )
    # Links of published commitments only, and only once the commitment went public.
    links = [
        r
        for r in links
        if r.commitment.published_at is None or r.history_date <= r.commitment.published_at
    ]
    label = _labeller([r.history_user_id for r in [*records, *links]])
    entries = _record_entries(records, model, RECOMMENDATION_FIELDS, label, "Recorded")
    for record in links:
        verb = "Linked to" if record.history_type == "+" else "Unlinked from"
        entries.append(
            Entry(
                record.history_date,
                label(record.history_user_id),
                f"{verb} {record.commitment.title} ({record.commitment.jurisdiction})",
            )
        )
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries
