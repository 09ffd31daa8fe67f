"""Public change history of published records.

Only versions the public has seen are listed: for a commitment, the published versions
and the links and progress updates that were public; drafts and rejected edits never
appear. People are shown by role and jurisdiction, never by name or email.
"""

import re
from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Commitment, CommitmentLink, Membership, ProgressUpdate, Publication
from .moderation import APPROVED_REASON, STATUS_FROM_UPDATE
from .permissions import role_label

COMMITMENT_FIELDS = [
    "title",
    "kind",
    "instrument_ref",
    "status",
    "summary",
    "title_es",
    "summary_es",
    "adopted_on",
    "target_date",
    "responsible_office",
    "source_url",
]
RECOMMENDATION_FIELDS = [
    "paragraph",
    "text",
    "text_es",
    "response",
    "response_note",
    "action_category",
]


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


def public_link_changes(link_records, versions, *, include_first=False):
    """The link changes the public saw, as (verb, record, when), from the history of one
    commitment's links (oldest first) and the times of its published versions.

    The links are compared between one published version and the next, and between the
    last one and now (the commitment is public now), so a link added and removed while the
    commitment was a draft or in review never shows, and history starts at the first
    publication. include_first also reports the links the first publication made public.
    """
    changes = []
    linked: dict[int, object] = {}
    removed: dict[int, object] = {}
    shown = None
    records = iter(link_records)
    pending = next(records, None)
    for when in [*versions, None]:
        while pending is not None and (when is None or pending.history_date <= when):
            if pending.history_type == "-":
                linked.pop(pending.recommendation_id, None)
                removed[pending.recommendation_id] = pending
            elif pending.history_type == "+":
                linked[pending.recommendation_id] = pending
            pending = next(records, None)
        if shown is None:
            shown = dict(linked)
            if include_first and when is not None:
                changes += [("Linked to", record, when) for record in linked.values()]
            continue
        # Changes since the last version: public at the next one, or live now if no later.
        for key in linked.keys() - shown.keys():
            record = linked[key]
            changes.append(("Linked to", record, when or record.history_date))
        for key in shown.keys() - linked.keys():
            record = removed[key]
            changes.append(("Unlinked from", record, when or record.history_date))
        shown = dict(linked)
    return changes


def _authors(records, update_authors: dict[int, int]) -> dict[int, int]:
    """Whose change each published version shows, by history id. A curator's approval
    publishes what staff wrote, so it is credited to the last person who changed the
    commitment before the decision; a status taken from an approved progress update is
    credited to that update's author. Anything else is its own saver's."""
    authors = {}
    last_staff_change = None
    for record in records:
        reason = record.history_change_reason or ""
        if record.publication != Publication.PUBLISHED:
            last_staff_change = record.history_user_id
            continue
        author = record.history_user_id
        if reason.startswith(STATUS_FROM_UPDATE):
            found = re.search(r"no\. (\d+)", reason)
            author = update_authors.get(int(found.group(1)), author) if found else author
        elif reason == APPROVED_REASON and last_staff_change:
            author = last_staff_change
        authors[record.history_id] = author
    return authors


def link_change(verb: str, what: str) -> str:
    """A link change as the history says it; `verb` is public_link_changes' marker."""
    if verb == "Linked to":
        return _("Linked to %(what)s") % {"what": what}
    return _("Unlinked from %(what)s") % {"what": what}


def commitment_history(commitment: Commitment) -> list[Entry]:
    records = list(commitment.history.order_by("history_date", "history_id"))
    published = [r for r in records if r.publication == Publication.PUBLISHED]
    first_published = published[0].history_date if published else timezone.now()
    links = list(
        CommitmentLink.history.filter(commitment_id=commitment.pk)
        .select_related("recommendation__review")
        .order_by("history_date", "history_id")
    )
    updates = list(
        ProgressUpdate.history.filter(
            commitment_id=commitment.pk,
            publication=Publication.PUBLISHED,
            history_date__gte=first_published,
        ).order_by("history_date")
    )
    authors = _authors(records, {u.id: u.author_id for u in updates if u.author_id})
    label = _labeller(
        [*authors.values(), *(r.history_user_id for r in links), *(u.author_id for u in updates)],
        commitment.jurisdiction,
    )
    entries = _record_entries(
        published,
        Commitment,
        COMMITMENT_FIELDS,
        label,
        _("Published"),
        author=lambda record: authors[record.history_id],
    )
    if published and published[0].modelled_on_id:
        model = Commitment.objects.filter(pk=published[0].modelled_on_id).first()
        if model is not None:
            entries[0].what = _("Published, modelled on %(jurisdiction)s's “%(title)s”") % {
                "jurisdiction": model.jurisdiction,
                "title": model.title,
            }
    versions = [record.history_date for record in published]
    for verb, record, when in public_link_changes(links, versions):
        try:
            citation = record.recommendation.citation
        except Exception:  # the recommendation itself was removed later
            citation = _("a recommendation since removed")
        entries.append(Entry(when, label(record.history_user_id), link_change(verb, citation)))
    seen_updates = set()
    for record in updates:
        if record.id in seen_updates:
            continue
        seen_updates.add(record.id)
        entries.append(
            Entry(
                record.history_date,
                # Its writer, not the curator whose approval saved this version.
                label(record.author_id or record.history_user_id),
                _("Progress update of %(date)s published")
                % {"date": f"{record.reported_on:%Y-%m-%d}"},
            )
        )
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries


def _record_entries(
    records, model, fields, label, first_verb: str, author=lambda r: r.history_user_id
) -> list[Entry]:
    """One entry for the first record, then one per record that changed a shown field."""
    entries = []
    previous = None
    for record in records:
        if previous is None:
            entries.append(Entry(record.history_date, label(author(record)), first_verb))
        else:
            changes = _field_changes(model, fields, previous, record)
            if changes:
                entries.append(
                    Entry(record.history_date, label(author(record)), _("Changed"), changes)
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
        .select_related("commitment__jurisdiction")
        .order_by("history_date", "history_id")
    )
    by_commitment: dict[int, list] = {}
    for record in links:
        by_commitment.setdefault(record.commitment_id, []).append(record)
    versions: dict[int, list] = {}
    published = Commitment.history.filter(
        id__in=list(by_commitment), publication=Publication.PUBLISHED
    ).order_by("history_date", "history_id")
    for commitment_id, when in published.values_list("id", "history_date"):
        versions.setdefault(commitment_id, []).append(when)
    # Per commitment, only what its published versions showed, from its first publication.
    changes = [
        change
        for commitment_id, records_of_one in by_commitment.items()
        for change in public_link_changes(
            records_of_one, versions.get(commitment_id, []), include_first=True
        )
    ]
    label = _labeller([r.history_user_id for r in [*records, *links]])
    entries = _record_entries(records, model, RECOMMENDATION_FIELDS, label, _("Recorded"))
    for verb, record, when in changes:
        entries.append(
            Entry(
                when,
                label(record.history_user_id),
                link_change(verb, f"{record.commitment.title} ({record.commitment.jurisdiction})"),
            )
        )
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries
