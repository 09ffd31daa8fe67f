"""Roll-ups read by the theme and jurisdiction pages: per theme, how many of its
recommendations local action reached; per jurisdiction, its published commitments by
status. Refreshed after the local-action statuses they read."""

from django.db.models import Count, Q
from django.utils import timezone

from recommendations.models import Theme

from .local_status import refresh_local_status
from .models import Commitment, Jurisdiction, JurisdictionRollup, ThemeRollup


def refresh_theme_rollups(recommendation_ids=None) -> int:
    """Per theme: its recommendations, and how many are addressed, implemented, contested."""
    themes = Theme.objects.order_by()
    if recommendation_ids is not None:
        themes = themes.filter(recommendations__in=list(recommendation_ids)).distinct()
        themes = Theme.objects.filter(pk__in=themes.values("pk")).order_by()
    rows = themes.annotate(
        n=Count("recommendations"),
        n_addressed=Count("recommendations", filter=~Q(recommendations__local_status="none")),
        n_implemented=Count(
            "recommendations", filter=Q(recommendations__local_status="implemented")
        ),
        n_contested=Count("recommendations", filter=Q(recommendations__local_status="contested")),
    ).values_list("pk", "n", "n_addressed", "n_implemented", "n_contested")
    now = timezone.now()
    rollups = [
        ThemeRollup(
            theme_id=pk,
            recommendations=n,
            addressed=addressed,
            implemented=implemented,
            contested=contested,
            refreshed_at=now,
        )
        for pk, n, addressed, implemented, contested in rows
    ]
    ThemeRollup.objects.bulk_create(
        rollups,
        batch_size=1000,
        update_conflicts=True,
        unique_fields=["theme"],
        update_fields=["recommendations", "addressed", "implemented", "contested", "refreshed_at"],
    )
    return len(rollups)


def refresh_jurisdiction_rollups(jurisdiction_ids=None) -> int:
    """Per jurisdiction: its published commitments by status, and how many are overdue/stale."""
    jurisdictions = Jurisdiction.objects.order_by()
    commitments = Commitment.objects.published().order_by()
    if jurisdiction_ids is not None:
        jurisdictions = jurisdictions.filter(pk__in=jurisdiction_ids)
        commitments = commitments.filter(jurisdiction__in=jurisdiction_ids)
    by_status: dict[int, dict[str, int]] = {}
    grouped = commitments.values_list("jurisdiction_id", "status").annotate(n=Count("id"))
    for jurisdiction_id, status, n in grouped:
        by_status.setdefault(jurisdiction_id, {})[status] = n
    published = Q(commitments__publication="published")
    rows = jurisdictions.annotate(
        n=Count("commitments", filter=published),
        n_overdue=Count("commitments", filter=published & Q(commitments__is_overdue=True)),
        n_stale=Count("commitments", filter=published & Q(commitments__is_stale=True)),
    ).values_list("pk", "n", "n_overdue", "n_stale")
    now = timezone.now()
    rollups = [
        JurisdictionRollup(
            jurisdiction_id=pk,
            commitments=n,
            by_status=by_status.get(pk, {}),
            overdue=overdue,
            stale=stale,
            refreshed_at=now,
        )
        for pk, n, overdue, stale in rows
    ]
    JurisdictionRollup.objects.bulk_create(
        rollups,
        batch_size=1000,
        update_conflicts=True,
        unique_fields=["jurisdiction"],
        update_fields=["commitments", "by_status", "overdue", "stale", "refreshed_at"],
    )
    return len(rollups)


def refresh_all(recommendation_ids=None) -> dict:
    """Statuses first, then the roll-ups that read them; returns counts for TaskRun."""
    changed = refresh_local_status(recommendation_ids)
    themes = refresh_theme_rollups(recommendation_ids)
    jurisdiction_ids = None
    if recommendation_ids is not None:
        jurisdiction_ids = set(
            Commitment.objects.filter(links__recommendation__in=list(recommendation_ids))
            .order_by()
            .values_list("jurisdiction_id", flat=True)
        )
    jurisdictions = refresh_jurisdiction_rollups(jurisdiction_ids)
    return {
        "recommendations_changed": changed,
        "theme_rollups": themes,
        "jurisdiction_rollups": jurisdictions,
    }
