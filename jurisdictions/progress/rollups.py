"""Roll-ups: the share of commitments done, late and on track, defined once.

- done: implemented;
- late: still open (proposed, adopted, in progress, stalled) and either stalled or past
  its target date;
- on track: still open, not stalled and not past its target date (or without one);
- repealed: counted apart, so the four add up to the total.

The same conditions feed the aggregate of one set of commitments (a jurisdiction's, a
theme's: ``Commitment.objects....rollup()``) and the per-jurisdiction columns of the
export (``annotate_rollup``), so a page and a file never disagree.
"""

from dataclasses import dataclass
from datetime import date

from django.db.models import Case, CharField, Count, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

OPEN = ["proposed", "adopted", "in_progress", "stalled"]
# The export's columns, as annotate_rollup names them.
ROLLUP_COLUMNS = [
    "rollup_total",
    "rollup_on_track",
    "rollup_late",
    "rollup_done",
    "rollup_repealed",
]


def conditions(today: date, prefix: str = "") -> dict[str, Q]:
    def q(**kw):
        return Q(**{prefix + key: value for key, value in kw.items()})

    past_target = q(target_date__lt=today)
    late = q(status__in=OPEN) & (q(status="stalled") | past_target)
    return {
        "done": q(status="implemented"),
        "late": late,
        "on_track": q(status__in=OPEN) & ~q(status="stalled") & ~past_target,
        "repealed": q(status="repealed"),
    }


@dataclass(frozen=True)
class Rollup:
    total: int
    done: int
    late: int
    on_track: int
    repealed: int

    def share(self, name: str) -> int:
        """Whole percent of the total; 0 for an empty set."""
        return round(100 * getattr(self, name) / self.total) if self.total else 0

    @property
    def rows(self) -> list[tuple[str, str, int, int]]:
        """(key, label, count, percent) in reading order, for templates."""
        labels = [("on_track", _("On track")), ("late", _("Late")), ("done", _("Done"))]
        if self.repealed:
            labels.append(("repealed", _("Repealed")))
        return [(key, label, getattr(self, key), self.share(key)) for key, label in labels]


def rollup(queryset, today: date | None = None) -> Rollup:
    """One aggregate query over ``queryset`` (a set of commitments)."""
    today = today or timezone.localdate()
    counts = queryset.order_by().aggregate(
        total=Count("pk"),
        **{name: Count("pk", filter=cond) for name, cond in conditions(today).items()},
    )
    return Rollup(**counts)


def annotate_rollup(queryset, relation: str, today: date | None = None, published=True):
    """``queryset`` (e.g. of jurisdictions) with rollup_total, rollup_done, rollup_late,
    rollup_on_track and rollup_repealed counted over ``relation`` (their commitments)."""
    today = today or timezone.localdate()
    prefix = relation + "__"
    scope = Q(**{prefix + "publication": "published"}) if published else Q()
    return queryset.annotate(
        rollup_total=Count(relation, filter=scope),
        **{
            f"rollup_{name}": Count(relation, filter=scope & cond)
            for name, cond in conditions(today, prefix).items()
        },
    )


def standing(today: date | None = None):
    """Each commitment's standing (on_track, late, done, repealed) as an expression over
    the same conditions, for the commitment export's ``standing`` column."""
    today = today or timezone.localdate()
    return Case(
        *[When(cond, then=Value(name)) for name, cond in conditions(today).items()],
        default=Value(""),
        output_field=CharField(),
    )
