"""Turning the weekly peer digest (jurisdictions/peer_digest.py) on and off: from the staff
home when signed in, and from the link in the mail, which needs no sign-in."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from .. import peer_digest
from ..models import Membership, PeerDigestFollow
from ..permissions import RoleRequired
from .access import staff_only


def _switch(user, on: bool) -> None:
    if on:
        # The first digest lists what is published from now on, not the whole past.
        PeerDigestFollow.objects.get_or_create(user=user, defaults={"since": timezone.now()})
    else:
        PeerDigestFollow.objects.filter(user=user).delete()


@staff_only
@require_POST
def switch(request):
    """The staff home's switch. Only members of a jurisdiction: the digest is about the
    recommendations their jurisdictions answer."""
    if not Membership.objects.filter(user=request.user).exists():
        raise RoleRequired(
            gettext("editor or manager of a jurisdiction"),
            gettext("The peer digest follows your jurisdictions' recommendations."),
        )
    on = request.POST.get("digest") == "on"
    _switch(request.user, on)
    if on:
        messages.success(
            request,
            gettext(
                "Each Monday you will get the new commitments of other places on the "
                "recommendations your jurisdictions answer (no mail in a week without any)."
            ),
        )
    else:
        messages.success(request, gettext("The weekly peer digest is off."))
    return redirect("staff:home")


# Like the staff digest's link: the signed link is the credential and mail clients post
# without CSRF.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def from_mail(request, signed):
    user_id = peer_digest.user_from_link(signed)
    user = user_id and get_user_model().objects.filter(pk=user_id).first()
    if not user:
        return render(request, "subscriptions/invalid.html", status=404)
    if request.method == "POST":
        _switch(user, request.POST.get("digest") == "on")
    context = {
        "email": user.email,
        "on": PeerDigestFollow.objects.filter(user=user).exists(),
        "changed": request.method == "POST",
    }
    return render(request, "subscriptions/peer_digest.html", context)
