"""Review workflow and merges: the staff-side writes that touch several rows at once.

Every function here runs in one transaction and bumps ``Commitment.version`` on the rows
it changes, so an editor holding an older copy of the form is told instead of overwriting.
"""

import hashlib
import json
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, Subquery
from django.utils import timezone

from .follow.outbox import announce
from .models import (
    Commitment,
    CommitmentLink,
    Indicator,
    Invitation,
    Jurisdiction,
    Measurement,
    Membership,
    ProgressUpdate,
    Publication,
)

STALE_AFTER = timedelta(days=365)
STATUS_FROM_UPDATE = "Status from an approved progress update"
# The change reason of a curator's approval; public history credits such a version to
# the staff member whose change it published (jurisdictions/history.py).
APPROVED_REASON = "Approved by a curator"
RETURNED_REASON = "Returned by a curator"
OPEN_STATUSES = [
    Commitment.Status.PROPOSED,
    Commitment.Status.ADOPTED,
    Commitment.Status.IN_PROGRESS,
    Commitment.Status.STALLED,
]


def with_staff_flags(queryset, today=None):
    """Annotate ``last_update``, ``overdue`` and ``stale`` computed live for staff screens."""
    today = today or timezone.localdate()
    latest = (
        ProgressUpdate.objects.filter(commitment=OuterRef("pk"))
        .order_by("-reported_on")
        .values("reported_on")[:1]
    )
    stale_before = today - STALE_AFTER
    recent_update = ProgressUpdate.objects.filter(
        commitment=OuterRef("pk"), reported_on__gte=stale_before
    )
    return queryset.annotate(
        last_update=Subquery(latest),
        has_recent_update=Exists(recent_update),
    ).annotate(
        overdue=Q(target_date__lt=today, status__in=OPEN_STATUSES),
        stale=Q(has_recent_update=False)
        & (
            Q(adopted_on__lt=stale_before)
            | Q(adopted_on__isnull=True, created_at__date__lt=stale_before)
        ),
    )


def submit_commitment(commitment: Commitment, user) -> int:
    """Send a draft or returned commitment, and its unsent updates, to the review queue.

    Returns how many records were submitted."""
    count = 0
    with transaction.atomic():
        locked = Commitment.objects.select_for_update().get(pk=commitment.pk)
        if locked.publication in {Publication.DRAFT, Publication.REJECTED}:
            locked.publication = Publication.SUBMITTED
            locked.version = locked.version + 1
            locked._change_reason = "Submitted for review"
            locked.save()
            count += 1
        unsent = [Publication.DRAFT, Publication.REJECTED]
        for update in [
            *locked.updates.filter(publication__in=unsent),
            *Indicator.objects.filter(commitment=locked, publication__in=unsent),
            *Measurement.objects.filter(indicator__commitment=locked, publication__in=unsent),
        ]:
            update.publication = Publication.SUBMITTED
            update._change_reason = "Submitted for review"
            update.save()
            count += 1
    return count


class ReviewOutdated(Exception):
    """The submission changed after the curator opened it, so the decision was not made."""


def review_state(commitment: Commitment, *, lock: bool = False) -> str:
    """A digest of what the review page shows: the reviewed fields, themes and every link's
    recommendation, relation and rationale. An approval carries the digest the curator
    saw; the version alone would miss a rationale changed without touching the commitment.
    With ``lock`` the links are locked too, so none changes between the check and the
    publication."""
    links = CommitmentLink.objects.filter(commitment_id=commitment.pk)
    if lock:
        links = links.select_for_update()
    payload = [
        [getattr(commitment, name) for name in DIFF_FIELDS],
        sorted(commitment.themes.values_list("pk", flat=True)),
        sorted(links.values_list("pk", "recommendation_id", "relation", "rationale")),
        sorted(commitment.milestones.values_list("pk", "title", "due_on", "done_on")),
        # The progress updates submitted with it: one decision covers them too.
        sorted((u.pk, update_state(u)) for u in submitted_with(commitment)),
    ]
    return hashlib.sha256(json.dumps(payload, default=str).encode()).hexdigest()


def submitted_with(commitment: Commitment):
    """The progress updates waiting for review with their commitment; the commitment's
    review page shows them and its decision applies to them as well."""
    return commitment.updates.filter(publication=Publication.SUBMITTED).order_by(
        "reported_on", "pk"
    )


def update_state(update: ProgressUpdate) -> str:
    """A digest of what the queue shows of a progress update (see ``review_state``)."""
    payload = [
        update.reported_on,
        update.status,
        update.summary,
        update.summary_es,
        update.evidence_url,
    ]
    return hashlib.sha256(json.dumps(payload, default=str).encode()).hexdigest()


def submission_state(obj) -> str:
    """A digest of what the queue shows of a progress update, an indicator or a
    measurement (see ``review_state``)."""
    if isinstance(obj, ProgressUpdate):
        return update_state(obj)

    def number(value):  # 100 as typed and 100.0000 as stored are the same value
        return f"{Decimal(value).normalize():f}"

    if isinstance(obj, Indicator):
        payload = [
            obj.name,
            obj.unit,
            obj.direction,
            number(obj.baseline_value),
            obj.baseline_date,
            number(obj.target_value),
            obj.target_date,
        ]
    else:
        payload = [obj.indicator_id, obj.measured_on, number(obj.value), obj.source_url]
    return hashlib.sha256(json.dumps(payload, default=str).encode()).hexdigest()


def _decide(model, pk: int, publication: str, note: str, reason: str, seen: dict):
    """Set a submission's publication state and the curator's note under a row lock;
    commitments also bump their version so an open edit form notices the decision.

    ``seen`` holds the version and state digest the curator's page was built from; if the
    row changed since (an editor saved again after submitting), nothing is decided, so
    no text goes public that a curator has not read.

    The row must still be submitted once locked: the view checked that before taking the
    lock, so two curators deciding at once would otherwise both apply (a rejection after
    an approval would leave the update's new status on the public commitment)."""
    locked = model.objects.select_for_update().get(pk=pk)
    if locked.publication != Publication.SUBMITTED:
        raise ReviewOutdated
    if isinstance(locked, Commitment):
        current = {"version": locked.version, "state": review_state(locked, lock=True)}
    else:
        current = {"state": submission_state(locked)}
    if any(seen.get(key) != value for key, value in current.items()):
        raise ReviewOutdated
    locked.publication = publication
    locked.review_note = note
    if publication == Publication.PUBLISHED and hasattr(locked, "published_at"):
        locked.published_at = timezone.now()
    if hasattr(locked, "version"):
        locked.version = locked.version + 1
    locked._change_reason = reason
    locked.save()
    return locked


def approve_commitment(commitment: Commitment, user, note: str = "", *, seen: dict) -> None:
    """Publish a commitment and the progress updates submitted with it (the digest in
    ``seen`` covers them, so the curator approved what the page showed)."""
    with transaction.atomic():
        this = Commitment.objects.filter(pk=commitment.pk)
        first = not this.filter(published_at__isnull=False).exists()
        _decide(Commitment, commitment.pk, Publication.PUBLISHED, note, APPROVED_REASON, seen)
        for update in submitted_with(commitment).select_for_update():
            _apply(update, Publication.PUBLISHED, note, APPROVED_REASON)
        announce(this, first_publication=first)


def reject_commitment(commitment: Commitment, user, reason: str, *, seen: dict) -> None:
    """Return a commitment, and the updates submitted with it, with the curator's reason."""
    with transaction.atomic():
        _decide(Commitment, commitment.pk, Publication.REJECTED, reason, RETURNED_REASON, seen)
        for update in submitted_with(commitment).select_for_update():
            _apply(update, Publication.REJECTED, reason, RETURNED_REASON)


def _apply(update: ProgressUpdate, publication: str, note: str, reason: str) -> None:
    update.publication = publication
    update.review_note = note
    update._change_reason = reason
    update.save()
    if publication == Publication.PUBLISHED:
        _take_status(update)


def _take_status(update: ProgressUpdate) -> None:
    """A new status a published update reports becomes the commitment's status."""
    if not update.status:
        return
    commitment = Commitment.objects.select_for_update().get(pk=update.commitment_id)
    if commitment.status != update.status:
        commitment.status = update.status
        commitment.version = commitment.version + 1
        # The update's number lets the status history cite its evidence.
        commitment._change_reason = f"{STATUS_FROM_UPDATE} (no. {update.pk})"
        commitment.save()


def approve_update(update: ProgressUpdate, user, note: str = "", *, seen: dict) -> None:
    """Publish a progress update; a new status it reports becomes the commitment's status."""
    with transaction.atomic():
        locked = _decide(
            ProgressUpdate, update.pk, Publication.PUBLISHED, note, APPROVED_REASON, seen
        )
        _take_status(locked)
        announce(Commitment.objects.filter(pk=locked.commitment_id))


def reject_update(update: ProgressUpdate, user, reason: str, *, seen: dict) -> None:
    with transaction.atomic():
        _decide(ProgressUpdate, update.pk, Publication.REJECTED, reason, RETURNED_REASON, seen)


def approve_submission(obj, user, note: str = "", *, seen: dict) -> None:
    """Publish an indicator or a measurement."""
    with transaction.atomic():
        locked = _decide(type(obj), obj.pk, Publication.PUBLISHED, note, APPROVED_REASON, seen)
        if isinstance(locked, Indicator):
            commitment_id = locked.commitment_id
        else:
            commitment_id = locked.indicator.commitment_id
        announce(Commitment.objects.filter(pk=commitment_id))


def reject_submission(obj, user, reason: str, *, seen: dict) -> None:
    with transaction.atomic():
        _decide(type(obj), obj.pk, Publication.REJECTED, reason, RETURNED_REASON, seen)


def progress_queue():
    """Submitted indicators and measurements, oldest submission first."""
    return (
        _submitted(Indicator, "commitment__jurisdiction"),
        _submitted(Measurement, "indicator__commitment__jurisdiction"),
    )


def _submitted(model, related: str):
    """The model's submitted rows with what the queue names, by submission time (their
    last change in the history)."""
    last_change = Subquery(
        model.history.model.objects.filter(id=OuterRef("pk"))
        .order_by("-history_date")
        .values("history_date")[:1]
    )
    return (
        model.objects.filter(publication=Publication.SUBMITTED)
        .select_related(related)
        .annotate(submitted_at=last_change)
        .order_by("submitted_at", "pk")
    )


def review_queue():
    """Submitted commitments and updates, oldest submission first. An update submitted
    with its commitment is decided on the commitment's page, so it is not listed apart."""
    return (
        _submitted(Commitment, "jurisdiction"),
        _submitted(ProgressUpdate, "commitment__jurisdiction").exclude(
            commitment__publication=Publication.SUBMITTED
        ),
    )


DIFF_FIELDS = [
    "title",
    "kind",
    "instrument_ref",
    "status",
    "summary",
    # The Spanish versions go public with the rest, so the curator sees them change.
    "title_es",
    "summary_es",
    "adopted_on",
    "target_date",
    "responsible_office",
    "source_url",
]


def diff_against_published(commitment: Commitment) -> tuple[bool, list[dict]]:
    """Compare the commitment with its last published version.

    Returns (ever_published, rows); each row has field label, old and new values."""
    last_published = (
        commitment.history.filter(publication=Publication.PUBLISHED)
        .order_by("-history_date", "-history_id")
        .first()
    )
    if last_published is None:
        return False, []
    rows = []
    for name in DIFF_FIELDS:
        old, new = getattr(last_published, name), getattr(commitment, name)
        if old != new:
            field = Commitment._meta.get_field(name)
            if field.choices:
                choices = dict(field.choices)
                old, new = choices.get(old, old), choices.get(new, new)
            rows.append({"label": field.verbose_name.capitalize(), "old": old, "new": new})
    return True, rows


def merge_commitments(survivor: Commitment, duplicate: Commitment) -> None:
    """Fold ``duplicate`` into ``survivor``: links, updates, themes and history move over.

    Where both link the same recommendation, the survivor's relation stays and the two
    rationales are kept side by side."""
    HistoricalCommitment = Commitment.history.model
    HistoricalLink = CommitmentLink.history.model
    HistoricalUpdate = ProgressUpdate.history.model
    with transaction.atomic():
        survivor = Commitment.objects.select_for_update().get(pk=survivor.pk)
        duplicate = Commitment.objects.select_for_update().get(pk=duplicate.pk)
        existing = {link.recommendation_id: link for link in survivor.links.all()}
        for link in duplicate.links.all():
            kept = existing.get(link.recommendation_id)
            if kept is None:
                link.commitment = survivor
                link._change_reason = f"Moved from merged commitment {duplicate.pk}"
                link.save()
                continue
            if link.rationale and link.rationale not in kept.rationale:
                kept.rationale = "\n\n".join(filter(None, [kept.rationale, link.rationale]))
                kept._change_reason = f"Rationale merged from commitment {duplicate.pk}"
                kept.save()
            link._change_reason = f"Merged into commitment {survivor.pk}"
            link.delete()
        duplicate.updates.update(commitment=survivor)
        for model in (Indicator, duplicate.milestones.model):
            model.objects.filter(commitment=duplicate).update(commitment=survivor)
            model.history.filter(commitment_id=duplicate.pk).update(commitment_id=survivor.pk)
        survivor.themes.add(*duplicate.themes.all())
        # Places that followed the duplicate followed the survivor (but none its own model).
        Commitment.objects.filter(modelled_on=duplicate).exclude(pk=survivor.pk).update(
            modelled_on=survivor
        )
        if survivor.modelled_on_id is None and duplicate.modelled_on_id != survivor.pk:
            survivor.modelled_on_id = duplicate.modelled_on_id
        for name in ["summary", "instrument_ref", "responsible_office", "source_url"]:
            if not getattr(survivor, name) and getattr(duplicate, name):
                setattr(survivor, name, getattr(duplicate, name))
        # The duplicate's past versions become part of the survivor's record.
        HistoricalCommitment.objects.filter(id=duplicate.pk).update(id=survivor.pk)
        HistoricalLink.objects.filter(commitment_id=duplicate.pk).update(commitment_id=survivor.pk)
        HistoricalUpdate.objects.filter(commitment_id=duplicate.pk).update(
            commitment_id=survivor.pk
        )
        survivor.version = survivor.version + 1
        survivor._change_reason = f"Merged with commitment {duplicate.pk}"
        survivor.save()
        duplicate.skip_history_when_saving = True
        duplicate.delete()
        announce(Commitment.objects.filter(pk=survivor.pk))


ROLE_RANK = {Membership.Role.EDITOR: 1, Membership.Role.MANAGER: 2}


def merge_jurisdictions(survivor: Jurisdiction, duplicate: Jurisdiction) -> None:
    """Fold ``duplicate`` into ``survivor``: commitments, memberships (the higher role wins),
    network memberships (earliest join date wins), invitations, child jurisdictions and the
    history of moved commitments."""
    HistoricalCommitment = Commitment.history.model
    with transaction.atomic():
        survivor = Jurisdiction.objects.select_for_update().get(pk=survivor.pk)
        duplicate = Jurisdiction.objects.select_for_update().get(pk=duplicate.pk)
        moved = list(duplicate.commitments.all())
        for commitment in moved:
            commitment.jurisdiction = survivor
            commitment.version = commitment.version + 1
            commitment._change_reason = f"Jurisdiction {duplicate.pk} merged into {survivor.pk}"
            commitment.save()
        # Their jurisdiction is part of what the public sees of them.
        announce(Commitment.objects.filter(pk__in=[c.pk for c in moved]))
        HistoricalCommitment.objects.filter(jurisdiction_id=duplicate.pk).update(
            jurisdiction_id=survivor.pk
        )

        kept_members = {m.user_id: m for m in survivor.memberships.all()}
        for membership in duplicate.memberships.all():
            kept = kept_members.get(membership.user_id)
            if kept is None:
                membership.jurisdiction = survivor
                membership.save()
                continue
            if ROLE_RANK[membership.role] > ROLE_RANK[kept.role]:
                kept.role = membership.role
                kept.save()
            membership.delete()

        kept_networks = {m.network_id: m for m in survivor.network_memberships.all()}
        for nm in duplicate.network_memberships.all():
            kept = kept_networks.get(nm.network_id)
            if kept is None:
                nm.jurisdiction = survivor
                nm.save()
                continue
            if nm.joined_on and (kept.joined_on is None or nm.joined_on < kept.joined_on):
                kept.joined_on = nm.joined_on
            if nm.note and nm.note not in kept.note:
                kept.note = "; ".join(filter(None, [kept.note, nm.note]))[:300]
            kept.save()
            nm.delete()

        Invitation.objects.filter(jurisdiction=duplicate).update(jurisdiction=survivor)
        duplicate.children.exclude(pk=survivor.pk).update(parent=survivor)
        if survivor.parent_id == duplicate.pk:
            survivor.parent_id = duplicate.parent_id
        for name in ["fips", "website", "state_code"]:
            if not getattr(survivor, name) and getattr(duplicate, name):
                value = getattr(duplicate, name)
                setattr(duplicate, name, "")
                duplicate.save(update_fields=[name])
                setattr(survivor, name, value)
        survivor.save()
        # Rows added by other parts of the project that point at a jurisdiction move too,
        # so deleting the duplicate never cascades data away.
        for rel in Jurisdiction._meta.related_objects:
            if rel.one_to_many and not rel.field.many_to_many:
                rel.related_model._base_manager.filter(**{rel.field.name: duplicate}).update(
                    **{rel.field.name: survivor}
                )
        duplicate.delete()
