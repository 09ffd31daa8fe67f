"""Who may change what.

Three kinds of staff: members of a jurisdiction (editor or manager, for that jurisdiction
only, never its children), curators (the "Curators" group) and admins (superusers), who
can do everything a curator can. Everyone else reads published records only.
"""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from recommendations.permissions import (
    CURATORS_GROUP,
    RoleRequired,
    curator_required_error,
    is_admin,
    is_curator,
    make_curator,
)

from .models import Commitment, Jurisdiction, Membership, Publication
from .progress.models import ever_published_indicators

__all__ = ["CURATORS_GROUP", "RoleRequired", "is_admin", "is_curator", "make_curator"]


def editable_jurisdictions(user):
    """Jurisdictions whose commitments this user may create and edit."""
    if is_curator(user):
        return Jurisdiction.objects.all()
    if not (user.is_authenticated and user.is_active):
        return Jurisdiction.objects.none()
    return Jurisdiction.objects.filter(memberships__user=user).distinct()


def managed_jurisdictions(user):
    """Jurisdictions whose editors this user may invite and remove."""
    if is_curator(user):
        return Jurisdiction.objects.all()
    if not (user.is_authenticated and user.is_active):
        return Jurisdiction.objects.none()
    return Jurisdiction.objects.filter(
        memberships__user=user, memberships__role=Membership.Role.MANAGER
    ).distinct()


def is_staff_member(user) -> bool:
    """Anyone who has a /manage/ screen at all."""
    if is_curator(user):
        return True
    return bool(user.is_authenticated and user.memberships.exists())


def can_edit_jurisdiction(user, jurisdiction) -> bool:
    if is_curator(user):
        return True
    if not user.is_authenticated:
        return False
    return Membership.objects.filter(user=user, jurisdiction=jurisdiction).exists()


def can_manage_jurisdiction(user, jurisdiction) -> bool:
    if is_curator(user):
        return True
    if not user.is_authenticated:
        return False
    return Membership.objects.filter(
        user=user, jurisdiction=jurisdiction, role=Membership.Role.MANAGER
    ).exists()


def invitable_roles(user, jurisdiction) -> list[str]:
    """Managers invite editors; curators and admins invite editors and managers."""
    if is_curator(user):
        return [Membership.Role.EDITOR, Membership.Role.MANAGER]
    if can_manage_jurisdiction(user, jurisdiction):
        return [Membership.Role.EDITOR]
    return []


def can_remove_member(user, membership) -> bool:
    if is_curator(user):
        return True
    return membership.role == Membership.Role.EDITOR and can_manage_jurisdiction(
        user, membership.jurisdiction_id
    )


def editable_commitments(user):
    return Commitment.objects.filter(jurisdiction__in=editable_jurisdictions(user))


def can_adopt(user, commitment) -> bool:
    """Whether to offer "Adopt a similar commitment": staff of another jurisdiction than
    the commitment's (the adopt view checks the jurisdiction chosen), and curators."""
    if is_curator(user):
        return True
    if not user.is_authenticated:
        return False
    return (
        Membership.objects.filter(user=user)
        .exclude(jurisdiction_id=commitment.jurisdiction_id)
        .exists()
    )


def can_delete_commitment(user, commitment) -> bool:
    """Staff delete what never went public; curators delete anything."""
    if is_curator(user):
        return True
    return commitment.published_at is None and commitment.publication in {
        Publication.DRAFT,
        Publication.REJECTED,
    }


def can_delete_indicator(user, indicator, ever_published: set[int] | None = None) -> bool:
    """As for commitments: staff delete an indicator that was never public (its
    measurements go with it); curators delete any. ``ever_published`` is
    progress.models.ever_published_indicators() of its commitment, when already read."""
    if is_curator(user):
        return True
    if ever_published is None:
        ever_published = ever_published_indicators(indicator.commitment)
    return indicator.pk not in ever_published


def get_jurisdiction_for_edit(user, slug):
    """The jurisdiction, or 404 for one the user has no rights on (its existence is public,
    but a staff screen for it is not)."""
    return get_object_or_404(editable_jurisdictions(user), slug=slug)


def get_commitment_for_edit(user, pk):
    return get_object_or_404(editable_commitments(user).select_related("jurisdiction"), pk=pk)


def require_curator(user) -> None:
    if not is_curator(user):
        raise curator_required_error()


def role_label(user, jurisdiction=None, memberships=None) -> str:
    """How a person is shown in public: by role and jurisdiction, never by email.

    ``memberships`` is an optional pre-loaded list of that user's Membership rows.
    """
    if user is None:
        return _("Data import")
    if user.is_superuser:
        return _("Administrator")
    if memberships is None:
        memberships = list(Membership.objects.filter(user=user).select_related("jurisdiction"))
    if is_curator(user):
        return _("Curator")
    chosen = None
    for membership in memberships:
        if jurisdiction is not None and membership.jurisdiction_id == jurisdiction.pk:
            chosen = membership
            break
        chosen = chosen or membership
    if chosen is None:
        return _("Staff")
    return f"{chosen.get_role_display()}, {chosen.jurisdiction.name}"
