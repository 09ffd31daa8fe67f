"""Who reaches the /manage/ screens: every view answers 404 for a record outside the
user's jurisdictions (so their existence is not confirmed) and 403 for a curator-only
action; every write is a POST."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from ..models import (
    Publication,
)
from ..permissions import (
    is_curator,
    is_staff_member,
    require_curator,
)


def staff_only(view):
    """Signed-in staff only: anonymous users go to sign-in, others get 403."""

    @login_required
    def wrapped(request, *args, **kwargs):
        if not is_staff_member(request.user):
            raise PermissionDenied("This page is for jurisdiction staff and curators.")
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


def curator_only(view):
    @login_required
    def wrapped(request, *args, **kwargs):
        require_curator(request.user)
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


def editor_touch(request, commitment) -> bool:
    """A staff change to a public commitment takes it back to draft until a curator
    approves it again; curators' own edits stay public. Returns True if it was unpublished."""
    if is_curator(request.user) or commitment.publication != Publication.PUBLISHED:
        return False
    commitment.publication = Publication.DRAFT
    return True
