"""A commitment's status over time, read from its change history (django-simple-history).

Every save of a commitment already writes a dated historical row with who made it and
why, so the status history is not stored twice: a status change is a published version
whose status differs from the published version before it. Commitment.status_on(day) is
the status of the last version the public could see by the end of that day; before its
first publication a commitment had no public status (None). The dates are when the tracker
recorded the change; a change that came from a progress update also carries that
update's own date and evidence.
"""

import re
from dataclasses import dataclass
from datetime import datetime

from ..history import _labeller
from ..models import Commitment, ProgressUpdate, Publication
from ..moderation import STATUS_FROM_UPDATE

# moderation.approve_update names the update whose status it applied.
FROM_UPDATE = re.compile(re.escape(STATUS_FROM_UPDATE) + r" \(no\. (\d+)\)")


@dataclass
class StatusChange:
    when: datetime
    who: str
    old: str
    new: str
    old_label: str
    new_label: str
    reason: str
    update: ProgressUpdate | None = None


def status_changes(commitment: Commitment) -> list[StatusChange]:
    """The public status changes of one commitment, oldest first: its first published
    status, then each change, each with the published progress update it came from.
    Two queries plus the people's labels."""
    records = list(
        commitment.history.filter(publication=Publication.PUBLISHED)
        .order_by("history_date", "history_id")
        .only("history_date", "history_user_id", "status", "history_change_reason")
    )
    cited = {}
    for record in records:
        match = FROM_UPDATE.fullmatch(record.history_change_reason or "")
        if match:
            cited[record.history_id] = int(match.group(1))
    updates = ProgressUpdate.objects.filter(
        pk__in=set(cited.values()), publication=Publication.PUBLISHED
    ).in_bulk()
    label = _labeller([r.history_user_id for r in records], commitment.jurisdiction)
    labels = dict(Commitment.Status.choices)
    changes = []
    previous = ""
    for record in records:
        if record.status == previous:
            continue
        evidence = updates.get(cited.get(record.history_id))
        changes.append(
            StatusChange(
                when=record.history_date,
                who=label(record.history_user_id),
                old=previous,
                new=record.status,
                old_label=labels.get(previous, ""),
                new_label=labels.get(record.status, record.status),
                reason=record.history_change_reason or "",
                update=evidence,
            )
        )
        previous = record.status
    return changes
