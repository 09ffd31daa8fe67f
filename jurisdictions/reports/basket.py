"""The visitor's report basket: recommendation ids kept in the session, no sign-in."""

from recommendations.models import Recommendation

SESSION_KEY = "report_basket"
MAX_ITEMS = 500


def ids(request) -> list[int]:
    return list(request.session.get(SESSION_KEY, []))


def add(request, values) -> tuple[int, int]:
    """Adds the ids that name a recommendation; returns (added, ignored)."""
    wanted = [int(v) for v in values if str(v).isdigit() and len(str(v)) < 12]
    known = set(Recommendation.objects.filter(id__in=wanted).values_list("id", flat=True))
    current = ids(request)
    added = [pk for pk in dict.fromkeys(wanted) if pk in known and pk not in current]
    room = max(0, MAX_ITEMS - len(current))
    request.session[SESSION_KEY] = current + added[:room]
    return len(added[:room]), len(values) - len(added[:room])


def remove(request, values) -> None:
    gone = {int(v) for v in values if str(v).isdigit() and len(str(v)) < 12}
    request.session[SESSION_KEY] = [pk for pk in ids(request) if pk not in gone]


def clear(request) -> None:
    request.session[SESSION_KEY] = []


def recommendations(request):
    return (
        Recommendation.objects.filter(id__in=ids(request))
        .select_related("review")
        .defer("search_vector")
        .order_by("review_id", "id")
    )
