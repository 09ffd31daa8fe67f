"""Who reaches the /manage/ screens: every view answers 404 for a record outside the
user's jurisdictions (so their existence is not confirmed) and 403 for a curator-only
action; every write is a POST."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext as _

from ..follow.outbox import announce
from ..models import (
    Commitment,
    Publication,
)
from ..permissions import (
    CURATORS_GROUP,
    RoleRequired,
    is_curator,
    is_staff_member,
    require_curator,
)


def staff_only(view):
    """Signed-in staff only: anonymous users go to sign-in, others get 403."""

    @login_required
    def wrapped(request, *args, **kwargs):
        if not is_staff_member(request.user):
            raise RoleRequired(
                _("editor or manager of a jurisdiction"),
                _("Ask your jurisdiction's manager or a curator to invite you."),
            )
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


def touch_commitment(request, commitment) -> None:
    """After a change to a part of a commitment's own record (a link, a milestone), inside
    the change's transaction: a new version under a row lock, so an open edit form
    notices, back to review if staff made it (editor_touch), and the webhooks told if it
    stays public."""
    locked = Commitment.objects.select_for_update().get(pk=commitment.pk)
    if editor_touch(request, locked):
        messages.warning(
            request, _("It is off the public site until a curator approves the change.")
        )
    locked.version = locked.version + 1
    locked.save()
    announce(Commitment.objects.filter(pk=locked.pk))


def permission_denied(request, exception=None):
    """The 403 page (handler403): which role the page needs and whom to ask. Signed-in
    staff also see the curators' addresses, since they are the ones who grant roles."""
    from django.contrib.auth import get_user_model

    curators = []
    if is_staff_member(request.user):
        curators = list(
            get_user_model()
            .objects.filter(groups__name=CURATORS_GROUP, is_active=True)
            .exclude(email="")
            .order_by("email")
            .values_list("email", flat=True)[:5]
        )
    context = {
        "role": getattr(exception, "role", ""),
        "ask": getattr(exception, "ask", ""),
        "reason": str(exception or ""),
        "curators": curators,
    }
    return render(request, "403.html", context, status=403)
