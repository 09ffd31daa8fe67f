"""What the public pages show of progress over time: the indicators with their bars, the
status history and milestones of a commitment, and the timelines of a jurisdiction and
of a recommendation."""

from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from .models import Indicator
from .status import status_changes


def progress_context(commitment) -> dict:
    """The commitment page's indicators (each with .current, its Progress or None),
    its status changes and its milestones, in four queries."""
    indicators = list(Indicator.objects.filter(commitment=commitment).with_public_measurements())
    for indicator in indicators:
        indicator.current = indicator.progress()
    return {
        "indicators": indicators,
        "status_changes": status_changes(commitment),
        "milestones": list(commitment.milestones.all()),
        "today": timezone.localdate(),
    }


@dataclass
class Event:
    when: date
    kind: str
    text: str
    url: str = ""
