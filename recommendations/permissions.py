"""Curators (the "Curators" group) and admins (superusers): the people who import and edit
the UN side. Jurisdiction roles build on these in jurisdictions.permissions."""

from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied

CURATORS_GROUP = "Curators"


def is_admin(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_superuser)


def is_curator(user) -> bool:
    if not (user.is_authenticated and user.is_active):
        return False
    if user.is_superuser:
        return True
    # Cached on the user object: a page asks this many times.
    if not hasattr(user, "_upr_is_curator"):
        user._upr_is_curator = user.groups.filter(name=CURATORS_GROUP).exists()
    return user._upr_is_curator


def make_curator(user) -> None:
    group, _ = Group.objects.get_or_create(name=CURATORS_GROUP)
    user.groups.add(group)


class RoleRequired(PermissionDenied):
    """A refusal that names the role the page needs and whom to ask for it; the 403 page
    shows both instead of a bare "Forbidden"."""

    def __init__(self, role: str, ask: str):
        self.role, self.ask = role, ask
        super().__init__(f"This page needs the {role} role. {ask}")


def curator_required_error() -> RoleRequired:
    return RoleRequired(
        "curator",
        "Ask a curator or a site administrator to add you to the Curators group.",
    )
