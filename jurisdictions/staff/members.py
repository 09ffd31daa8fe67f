"""Members of a jurisdiction: invitations, removal, and accepting an invitation."""

import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ..forms import (
    AcceptInvitationForm,
    InvitationForm,
)
from ..models import (
    Invitation,
    Membership,
)
from ..permissions import (
    RoleRequired,
    can_remove_member,
    get_jurisdiction_for_edit,
    invitable_roles,
)
from .access import staff_only

INVITATION_LIFETIME = timedelta(days=7)


@staff_only
@require_POST
def invite(request, slug):
    jurisdiction = get_jurisdiction_for_edit(request.user, slug)
    roles = invitable_roles(request.user, jurisdiction)
    if not roles:
        raise RoleRequired(
            _("manager of %(jurisdiction)s") % {"jurisdiction": jurisdiction.name},
            _("Ask a manager of %(jurisdiction)s or a curator to send the invitation.")
            % {"jurisdiction": jurisdiction.name},
        )
    form = InvitationForm(request.POST, roles=roles, jurisdiction=jurisdiction)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("staff:jurisdiction", slug=slug)
    invitation = Invitation.objects.create(
        email=form.cleaned_data["email"],
        jurisdiction=jurisdiction,
        role=form.cleaned_data["role"],
        # Only its hash is stored; the raw token goes out in the email and nowhere else.
        token=secrets.token_urlsafe(32),
        invited_by=request.user,
        expires_at=timezone.now() + INVITATION_LIFETIME,
        language=form.cleaned_data["language"],
    )
    _send_invitation(request, invitation)
    messages.success(request, _("Invitation sent to %(email)s.") % {"email": invitation.email})
    return redirect("staff:jurisdiction", slug=slug)


def _send_invitation(request, invitation):
    # In the language the inviter chose for them, whatever the inviter's page is in; the
    # link too opens the page in that language.
    with translation.override(invitation.language):
        link = request.build_absolute_uri(
            reverse("staff:accept-invitation", args=[invitation.token])
        )
        send_mail(
            subject=_("You are invited to keep %(jurisdiction)s's records on UPR Tracker")
            % {"jurisdiction": invitation.jurisdiction.name},
            message=render_to_string(
                "email/invitation.txt",
                {
                    "invitation": invitation,
                    "link": link,
                    "days": INVITATION_LIFETIME.days,
                },
            ),
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[invitation.email],
        )


@staff_only
@require_POST
def member_remove(request, slug, membership_pk):
    jurisdiction = get_jurisdiction_for_edit(request.user, slug)
    membership = get_object_or_404(jurisdiction.memberships, pk=membership_pk)
    if not can_remove_member(request.user, membership):
        raise RoleRequired(
            _("manager of %(jurisdiction)s") % {"jurisdiction": jurisdiction.name},
            _("Ask a manager of %(jurisdiction)s or a curator to remove this member.")
            % {"jurisdiction": jurisdiction.name},
        )
    with transaction.atomic():
        membership.delete()
        Invitation.objects.withdraw(email=membership.user.email, jurisdiction=jurisdiction)
    messages.success(
        request, _("%(email)s is no longer a member.") % {"email": membership.user.email}
    )
    return redirect("staff:jurisdiction", slug=slug)


class InvitationUsed(Exception):
    """Someone accepted the invitation between the page loading and this request."""


def accept_invitation(request, token):
    invitation = (
        Invitation.objects.select_related("jurisdiction").for_token(token).pending().first()
    )
    if invitation is None:
        return render(request, "manage/invitation_invalid.html", status=410)
    existing = get_user_model().objects.filter(email__iexact=invitation.email).first()
    if existing is not None:
        return _accept_with_account(request, invitation, existing)
    return _accept_with_new_account(request, invitation)


def _accept_with_account(request, invitation, existing):
    """The person already has an account: they join after signing in as themselves."""
    if not request.user.is_authenticated:
        messages.info(request, _("Sign in to accept the invitation."))
        return redirect(f"{reverse('account_login')}?next={request.path}")
    if request.user.pk != existing.pk:
        raise PermissionDenied(_("This invitation was sent to another address."))
    if request.method == "POST":
        try:
            with transaction.atomic():
                _join(invitation, existing)
        except InvitationUsed:
            return _used(request)
        messages.success(
            request,
            _("You are now a member of %(jurisdiction)s.")
            % {"jurisdiction": invitation.jurisdiction.name},
        )
        return redirect("staff:home")
    return render(request, "manage/invitation_accept.html", {"invitation": invitation})


def _accept_with_new_account(request, invitation):
    form = AcceptInvitationForm(request.POST or None, email=invitation.email)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                # Claimed before the account is made: the second of two people sending
                # the form at once finds it taken, and no second account appears.
                _claim(invitation)
                user = get_user_model().objects.create_user(
                    username=_free_username(invitation.email),
                    email=invitation.email,
                    password=form.cleaned_data["password1"],
                )
                _join(invitation, user, claimed=True)
                _record_email(user)
        except InvitationUsed:
            return _used(request)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(
            request,
            _("Welcome. You can now edit %(jurisdiction)s.")
            % {"jurisdiction": invitation.jurisdiction.name},
        )
        return redirect("staff:home")
    return render(
        request, "manage/invitation_accept.html", {"invitation": invitation, "form": form}
    )


def _used(request):
    return render(request, "manage/invitation_invalid.html", {"used": True}, status=410)


def _claim(invitation):
    if not Invitation.objects.claim(invitation.pk):
        raise InvitationUsed


def _join(invitation, user, claimed=False):
    """Makes the user a member; call inside a transaction, which InvitationUsed rolls back."""
    if not claimed:
        _claim(invitation)
    membership, created = Membership.objects.get_or_create(
        user=user,
        jurisdiction=invitation.jurisdiction,
        defaults={"role": invitation.role, "language": invitation.language},
    )
    if not created:
        if invitation.role == Membership.Role.MANAGER:
            membership.role = Membership.Role.MANAGER
        membership.language = invitation.language
        membership.save()


def _free_username(email):
    User = get_user_model()
    base = email.lower()[:140]
    candidate, n = base, 1
    while User.objects.filter(username=candidate).exists():
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def _record_email(user):
    from allauth.account.models import EmailAddress

    EmailAddress.objects.get_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )
