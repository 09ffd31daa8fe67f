"""The visitor's report basket: recommendation ids kept in the session, no sign-in."""

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from recommendations.models import Recommendation

SESSION_KEY = "report_basket"
MAX_ITEMS = 500


def ids(request) -> list[int]:
    return list(request.session.get(SESSION_KEY, []))


def _wanted(values) -> list[int]:
    return list(dict.fromkeys(int(v) for v in values if str(v).isdigit() and len(str(v)) < 12))


@dataclass
class Added:
    added: int = 0
    already: int = 0  # in the basket before
    unknown: int = 0  # no such recommendation, or a malformed id
    full: int = 0  # left out: the basket holds MAX_ITEMS

    def message(self) -> str:
        parts = []
        if self.added:
            parts.append(
                ngettext(
                    "Added %(count)s recommendation to the report basket.",
                    "Added %(count)s recommendations to the report basket.",
                    self.added,
                )
                % {"count": self.added}
            )
        if self.already:
            parts.append(
                ngettext(
                    "Already in the report basket.",
                    "%(count)s were already in the report basket.",
                    self.already,
                )
                % {"count": self.already}
            )
        if self.unknown:
            parts.append(
                ngettext(
                    "Ignored %(count)s unknown id.", "Ignored %(count)s unknown ids.", self.unknown
                )
                % {"count": self.unknown}
            )
        if self.full:
            parts.append(
                _("The basket is full (%(max)s); %(count)s not added.")
                % {"max": MAX_ITEMS, "count": self.full}
            )
        return " ".join(parts) or _("Nothing to add.")


def add(request, values) -> Added:
    """Adds the ids that name a recommendation, and says what became of each."""
    wanted = _wanted(values)
    known = set(Recommendation.objects.filter(id__in=wanted).values_list("id", flat=True))
    current = ids(request)
    new = [pk for pk in wanted if pk in known and pk not in current]
    room = max(0, MAX_ITEMS - len(current))
    request.session[SESSION_KEY] = current + new[:room]
    return Added(
        added=len(new[:room]),
        already=len([pk for pk in wanted if pk in current]),
        unknown=len(values) - len([pk for pk in wanted if pk in known]),
        full=len(new[room:]),
    )


def remove(request, values) -> None:
    gone = set(_wanted(values))
    request.session[SESSION_KEY] = [pk for pk in ids(request) if pk not in gone]


def clear(request) -> None:
    request.session[SESSION_KEY] = []


def states(request) -> list[str]:
    """The states under review of the basket's recommendations, by name."""
    return list(
        Recommendation.objects.filter(id__in=ids(request))
        .values_list("review__state_under_review__name", flat=True)
        .distinct()
        .order_by("review__state_under_review__name")
    )


def recommendations(request):
    return (
        Recommendation.objects.filter(id__in=ids(request))
        .select_related("review__state_under_review")
        .prefetch_related("recommending_countries")
        .defer("search_vector", "search_vector_es")
        .order_by("review__state_under_review__name", "review_id", "id")
    )


def context(request) -> dict:
    """For every page (a context processor): the basket's size in the navigation and the
    ids whose "Add to report" buttons say "In basket"."""
    if not hasattr(request, "session"):
        return {}
    chosen = request.session.get(SESSION_KEY, [])
    return {"basket_count": len(chosen), "basket_ids": set(chosen)}
