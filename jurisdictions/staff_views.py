"""Staff and curator screens under /manage/.

Every view answers 404 for a record outside the user's jurisdictions (so their existence
is not confirmed) and 403 for a curator-only action; every write is a POST.
"""

import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from recommendations.models import Recommendation, Theme

from . import moderation, suggestions
from .commitment_import import COLUMNS, import_commitments, template_csv
from .forms import (
    AcceptInvitationForm,
    CommitmentForm,
    ImportForm,
    InvitationForm,
    LinkForm,
    MergeForm,
    ProgressUpdateForm,
    RecommendationEditForm,
    ReviewDecisionForm,
    ThemeForm,
)
from .models import (
    Commitment,
    CommitmentLink,
    Invitation,
    Jurisdiction,
    Membership,
    ProgressUpdate,
    Publication,
)
from .permissions import (
    can_delete_commitment,
    can_manage_jurisdiction,
    can_remove_member,
    get_commitment_for_edit,
    get_jurisdiction_for_edit,
    invitable_roles,
    is_curator,
    is_staff_member,
    require_curator,
)

INVITATION_LIFETIME = timedelta(days=7)


def _staff_only(view):
    """Signed-in staff only: anonymous users go to sign-in, others get 403."""

    @login_required
    def wrapped(request, *args, **kwargs):
        if not is_staff_member(request.user):
            raise PermissionDenied("This page is for jurisdiction staff and curators.")
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


def _curator_only(view):
    @login_required
    def wrapped(request, *args, **kwargs):
        require_curator(request.user)
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


def _editor_touch(request, commitment) -> bool:
    """A staff change to a public commitment takes it back to draft until a curator
    approves it again; curators' own edits stay public. Returns True if it was unpublished."""
    if is_curator(request.user) or commitment.publication != Publication.PUBLISHED:
        return False
    commitment.publication = Publication.DRAFT
    return True


# My jurisdictions ---------------------------------------------------------------------


@_staff_only
def home(request):
    if request.GET.get("open") and is_curator(request.user):
        chosen = get_object_or_404(Jurisdiction, slug=request.GET["open"][:220])
        return redirect("staff:jurisdiction", slug=chosen.slug)
    mine = Jurisdiction.objects.filter(memberships__user=request.user)
    mine = mine.annotate(n_commitments=Count("commitments", distinct=True)).order_by("name")
    counts = (
        Commitment.objects.filter(jurisdiction__in=mine)
        .values("jurisdiction_id", "publication")
        .annotate(n=Count("pk"))
    )
    by_pub: dict[int, dict[str, int]] = {}
    for row in counts:
        by_pub.setdefault(row["jurisdiction_id"], {})[row["publication"]] = row["n"]
    jurisdictions = list(mine)
    for j in jurisdictions:
        j.by_publication = [
            (label, by_pub.get(j.pk, {}).get(value, 0)) for value, label in Publication.choices
        ]
    context = {"jurisdictions": jurisdictions, "is_curator": is_curator(request.user)}
    if context["is_curator"]:
        commitments, updates = moderation.review_queue()
        context["queue_size"] = commitments.count() + updates.count()
        context["all_jurisdictions"] = Jurisdiction.objects.order_by("name").only("name", "slug")
    return render(request, "manage/home.html", context)


@_staff_only
def jurisdiction_dashboard(request, slug):
    jurisdiction = get_jurisdiction_for_edit(request.user, slug)
    commitments = list(
        moderation.with_staff_flags(
            jurisdiction.commitments.annotate(n_links=Count("links", distinct=True))
        ).order_by("title")
    )
    status_counts = {}
    for c in commitments:
        status_counts.setdefault(c.get_status_display(), 0)
        status_counts[c.get_status_display()] += 1
    context = {
        "jurisdiction": jurisdiction,
        "commitments": commitments,
        "status_counts": sorted(status_counts.items()),
        "overdue": [c for c in commitments if c.overdue],
        "stale": [c for c in commitments if c.stale],
        "can_manage": can_manage_jurisdiction(request.user, jurisdiction),
    }
    if context["can_manage"]:
        context["members"] = jurisdiction.memberships.for_list().order_by("user__email")
        context["invitations"] = jurisdiction.invitations.filter(
            accepted_at__isnull=True, expires_at__gt=timezone.now()
        )
        roles = invitable_roles(request.user, jurisdiction)
        context["invite_form"] = InvitationForm(roles=roles, jurisdiction=jurisdiction)
    return render(request, "manage/jurisdiction.html", context)


# Commitments ---------------------------------------------------------------------------


@_staff_only
def commitment_create(request, slug):
    jurisdiction = get_jurisdiction_for_edit(request.user, slug)
    form = CommitmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        commitment = form.save(commit=False)
        commitment.jurisdiction = jurisdiction
        commitment.created_by = request.user
        commitment.publication = Publication.DRAFT
        commitment.save()
        form.save_m2m()
        messages.success(
            request, "Saved as a draft. Now link it to the recommendations it answers."
        )
        return redirect("staff:commitment", pk=commitment.pk)
    return render(
        request, "manage/commitment_form.html", {"form": form, "jurisdiction": jurisdiction}
    )


@_staff_only
def commitment_detail(request, pk):
    commitment = get_commitment_for_edit(request.user, pk)
    query = request.GET.get("q", "")[:200]
    links = commitment.links.select_related("recommendation__review").order_by("created_at")
    ever_published, diff = moderation.diff_against_published(commitment)
    context = {
        "commitment": commitment,
        "jurisdiction": commitment.jurisdiction,
        "links": links,
        "updates": commitment.updates.all(),
        "suggested": suggestions.suggest_for(commitment),
        "query": query,
        "results": suggestions.search(query) if query else [],
        "link_form": LinkForm(),
        "relations": CommitmentLink.Relation.choices,
        "can_delete": can_delete_commitment(request.user, commitment),
        "can_submit": commitment.publication in {Publication.DRAFT, Publication.REJECTED}
        or commitment.updates.filter(
            publication__in=[Publication.DRAFT, Publication.REJECTED]
        ).exists(),
        "ever_published": ever_published,
        "is_curator": is_curator(request.user),
    }
    linked = {link.recommendation_id for link in links}
    context["results"] = [r for r in context["results"] if r.pk not in linked]
    return render(request, "manage/commitment.html", context)


@_staff_only
def commitment_edit(request, pk):
    commitment = get_commitment_for_edit(request.user, pk)
    conflict = None
    if request.method == "POST":
        form = CommitmentForm(request.POST, instance=commitment)
        if form.is_valid():
            started_from = form.cleaned_data.get("version") or 0
            with transaction.atomic():
                # Lock the row and compare versions: whoever saves second is told.
                current = Commitment.objects.select_for_update().get(pk=commitment.pk)
                if current.version != started_from:
                    conflict = current
                else:
                    for name, value in form.cleaned_data.items():
                        if name not in {"themes", "version"}:
                            setattr(current, name, value)
                    current.version += 1
                    unpublished = _editor_touch(request, current)
                    current.save()
                    current.themes.set(form.cleaned_data["themes"])
            if conflict is None:
                if unpublished:
                    messages.warning(
                        request,
                        "Saved. The change takes it off the public site until a curator "
                        "approves it: submit it for review when ready.",
                    )
                else:
                    messages.success(request, "Saved.")
                return redirect("staff:commitment", pk=commitment.pk)
            # Keep the user's text; the next save is from the version they have now seen.
            data = request.POST.copy()
            data["version"] = conflict.version
            form = CommitmentForm(data, instance=Commitment.objects.get(pk=commitment.pk))
            form.is_valid()
            messages.error(
                request,
                "Someone else saved this commitment while you were editing. Nothing of "
                "yours was saved yet: compare the two versions below, adjust your text, "
                "and save again.",
            )
    else:
        form = CommitmentForm(instance=commitment)
    context = {
        "form": form,
        "commitment": commitment,
        "jurisdiction": commitment.jurisdiction,
        "conflict": _conflict_rows(conflict, form) if conflict else None,
    }
    return render(request, "manage/commitment_form.html", context, status=409 if conflict else 200)


def _conflict_rows(theirs, form):
    rows = []
    for name in moderation.DIFF_FIELDS:
        field = Commitment._meta.get_field(name)
        their_value = getattr(theirs, name)
        mine = form.cleaned_data.get(name, form.data.get(name, ""))
        if field.choices:
            choices = dict(field.choices)
            their_value, mine = choices.get(their_value, their_value), choices.get(mine, mine)
        their_text = "" if their_value is None else str(their_value)
        mine_text = "" if mine is None else str(mine)
        rows.append(
            {
                "label": str(field.verbose_name).capitalize(),
                "theirs": their_text,
                "yours": mine_text,
                "differs": their_text != mine_text,
            }
        )
    return rows


@_staff_only
def commitment_delete(request, pk):
    commitment = get_commitment_for_edit(request.user, pk)
    if not can_delete_commitment(request.user, commitment):
        raise PermissionDenied("Only drafts can be deleted; ask a curator for published ones.")
    if request.method == "POST":
        jurisdiction = commitment.jurisdiction
        commitment.delete()
        messages.success(request, f"Deleted “{commitment.title}”.")
        return redirect("staff:jurisdiction", slug=jurisdiction.slug)
    return render(request, "manage/commitment_delete.html", {"commitment": commitment})


@_staff_only
@require_POST
def link_add(request, pk):
    commitment = get_commitment_for_edit(request.user, pk)
    form = LinkForm(request.POST, commitment=commitment)
    if not form.is_valid():
        for field, errors in form.errors.items():
            for error in errors:
                messages.error(
                    request,
                    f"{form.fields[field].label if field in form.fields else ''}: {error}".lstrip(
                        ": "
                    ),
                )
        return redirect("staff:commitment", pk=pk)
    with transaction.atomic():
        try:
            with transaction.atomic():
                CommitmentLink.objects.create(
                    commitment=commitment,
                    recommendation=form.cleaned_data["recommendation"],
                    relation=form.cleaned_data["relation"],
                    rationale=form.cleaned_data["rationale"],
                    created_by=request.user,
                )
        except IntegrityError:
            messages.error(request, "This recommendation is already linked.")
            return redirect("staff:commitment", pk=pk)
        _touch_commitment(request, commitment)
    messages.success(request, f"Linked to {form.cleaned_data['recommendation'].citation}.")
    return redirect("staff:commitment", pk=pk)


def _touch_commitment(request, commitment):
    locked = Commitment.objects.select_for_update().get(pk=commitment.pk)
    unpublished = _editor_touch(request, locked)
    locked.version = locked.version + 1
    locked.save()
    if unpublished:
        messages.warning(request, "It is off the public site until a curator approves the change.")


@_staff_only
@require_POST
def link_remove(request, pk, link_pk):
    commitment = get_commitment_for_edit(request.user, pk)
    link = get_object_or_404(commitment.links, pk=link_pk)
    with transaction.atomic():
        link.delete()
        _touch_commitment(request, commitment)
    messages.success(request, "Link removed.")
    return redirect("staff:commitment", pk=pk)


@_staff_only
def update_create(request, pk):
    commitment = get_commitment_for_edit(request.user, pk)
    form = ProgressUpdateForm(request.POST or None, commitment=commitment)
    if request.method == "POST" and form.is_valid():
        update = form.save(commit=False)
        update.commitment = commitment
        update.author = request.user
        update.publication = Publication.DRAFT
        update.save()
        messages.success(request, "Progress update saved. Submit it for review to publish it.")
        return redirect("staff:commitment", pk=pk)
    return render(
        request,
        "manage/update_form.html",
        {"form": form, "commitment": commitment, "jurisdiction": commitment.jurisdiction},
    )


@_staff_only
@require_POST
def commitment_submit(request, pk):
    commitment = get_commitment_for_edit(request.user, pk)
    count = moderation.submit_commitment(commitment, request.user)
    if count:
        messages.success(request, "Sent to the curators. You will see their decision here.")
    else:
        messages.info(request, "Nothing new to submit.")
    return redirect("staff:commitment", pk=pk)


# Bulk import ---------------------------------------------------------------------------


@_staff_only
def import_template(request):
    response = HttpResponse(template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="commitments-template.csv"'
    return response


@_staff_only
def commitment_import(request, slug):
    jurisdiction = get_jurisdiction_for_edit(request.user, slug)
    form = ImportForm(request.POST or None, request.FILES or None)
    errors = []
    if request.method == "POST" and form.is_valid():
        result = import_commitments(form.cleaned_data["file"].read(), jurisdiction, request.user)
        if result.ok:
            messages.success(request, f"Imported {len(result.created)} commitments as drafts.")
            return redirect("staff:jurisdiction", slug=slug)
        errors = result.errors
    context = {"form": form, "jurisdiction": jurisdiction, "columns": COLUMNS, "errors": errors}
    return render(request, "manage/import.html", context, status=400 if errors else 200)


# Review --------------------------------------------------------------------------------


@_curator_only
def review_queue(request):
    commitments, updates = moderation.review_queue()
    return render(
        request,
        "manage/review_queue.html",
        {"commitments": commitments, "updates": updates},
    )


@_curator_only
def review_commitment(request, pk):
    commitment = get_object_or_404(Commitment.objects.select_related("jurisdiction"), pk=pk)
    ever_published, diff = moderation.diff_against_published(commitment)
    context = {
        "commitment": commitment,
        "ever_published": ever_published,
        "diff": diff,
        "links": commitment.links.select_related("recommendation__review"),
        "updates": commitment.updates.all(),
        "form": ReviewDecisionForm(),
    }
    return render(request, "manage/review_commitment.html", context)


def _decide(request, obj, approve, reject, back):
    form = ReviewDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "The reason is too long.")
        return redirect(back)
    reason = form.cleaned_data["reason"].strip()
    if request.POST.get("decision") == "reject":
        if not reason:
            messages.error(request, "Give a reason when returning a submission.")
            return redirect(back)
        reject(obj, request.user, reason)
        messages.success(request, "Returned to the staff member with your reason.")
    else:
        approve(obj, request.user, reason)
        messages.success(request, "Approved and published.")
    return redirect("staff:review-queue")


@_curator_only
@require_POST
def review_commitment_decide(request, pk):
    commitment = get_object_or_404(Commitment, pk=pk, publication=Publication.SUBMITTED)
    return _decide(
        request,
        commitment,
        moderation.approve_commitment,
        moderation.reject_commitment,
        reverse("staff:review-commitment", args=[pk]),
    )


@_curator_only
@require_POST
def review_update_decide(request, pk):
    update = get_object_or_404(ProgressUpdate, pk=pk, publication=Publication.SUBMITTED)
    return _decide(
        request,
        update,
        moderation.approve_update,
        moderation.reject_update,
        reverse("staff:review-queue"),
    )


# Merge ---------------------------------------------------------------------------------


@_curator_only
def merge(request, kind):
    model = {"commitments": Commitment, "jurisdictions": Jurisdiction}.get(kind)
    if model is None:
        raise PermissionDenied("Unknown kind of record.")
    form = MergeForm(request.POST or None, model=model)
    if request.method == "POST" and form.is_valid():
        survivor, duplicate = form.cleaned_data["survivor"], form.cleaned_data["duplicate"]
        merge_fn = (
            moderation.merge_commitments if model is Commitment else moderation.merge_jurisdictions
        )
        try:
            merge_fn(survivor, duplicate)
        except IntegrityError:
            messages.error(request, "These two cannot be merged automatically; nothing changed.")
        else:
            messages.success(request, f"Merged “{duplicate}” into “{survivor}”.")
            return redirect("staff:merge", kind=kind)
    return render(request, "manage/merge.html", {"form": form, "kind": kind})


# Recommendations and themes (curators) ------------------------------------------------


@_curator_only
def recommendation_edit(request, pk):
    recommendation = get_object_or_404(Recommendation.objects.select_related("review"), pk=pk)
    form = RecommendationEditForm(request.POST or None, instance=recommendation)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Recommendation saved.")
        return redirect(recommendation.get_absolute_url())
    return render(
        request, "manage/recommendation_form.html", {"form": form, "object": recommendation}
    )


@_curator_only
def theme_list(request):
    themes = Theme.objects.select_related("parent").order_by("vocabulary", "name")
    return render(request, "manage/themes.html", {"themes": themes})


@_curator_only
def theme_edit(request, pk=None):
    theme = get_object_or_404(Theme, pk=pk) if pk else None
    form = ThemeForm(request.POST or None, instance=theme)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Theme saved.")
        return redirect("staff:themes")
    return render(request, "manage/theme_form.html", {"form": form, "object": theme})


# Members and invitations --------------------------------------------------------------


@_staff_only
@require_POST
def invite(request, slug):
    jurisdiction = get_jurisdiction_for_edit(request.user, slug)
    roles = invitable_roles(request.user, jurisdiction)
    if not roles:
        raise PermissionDenied("Only managers of this jurisdiction can invite people.")
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
        token=secrets.token_urlsafe(32),
        invited_by=request.user,
        expires_at=timezone.now() + INVITATION_LIFETIME,
    )
    link = request.build_absolute_uri(reverse("staff:accept-invitation", args=[invitation.token]))
    send_mail(
        subject=f"You are invited to keep {jurisdiction.name}'s records on UPR Tracker",
        message=(
            f"You have been invited to join {jurisdiction.name} on UPR Tracker as "
            f"{invitation.get_role_display().lower()}.\n\n"
            f"Open this link within 7 days to set your password and start:\n{link}\n\n"
            "If you did not expect this, ignore this message."
        ),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[invitation.email],
    )
    messages.success(request, f"Invitation sent to {invitation.email}.")
    return redirect("staff:jurisdiction", slug=slug)


@_staff_only
@require_POST
def member_remove(request, slug, membership_pk):
    jurisdiction = get_jurisdiction_for_edit(request.user, slug)
    membership = get_object_or_404(jurisdiction.memberships, pk=membership_pk)
    if not can_remove_member(request.user, membership):
        raise PermissionDenied("Only managers can remove editors.")
    membership.delete()
    messages.success(request, f"{membership.user.email} is no longer a member.")
    return redirect("staff:jurisdiction", slug=slug)


def accept_invitation(request, token):
    invitation = Invitation.objects.select_related("jurisdiction").filter(token=token).first()
    if (
        invitation is None
        or invitation.accepted_at is not None
        or invitation.expires_at <= timezone.now()
    ):
        return render(request, "manage/invitation_invalid.html", status=410)
    User = get_user_model()
    existing = User.objects.filter(email__iexact=invitation.email).first()
    if existing is not None:
        # The person already has an account: they join after signing in as themselves.
        if not request.user.is_authenticated:
            messages.info(request, "Sign in to accept the invitation.")
            return redirect(f"{reverse('account_login')}?next={request.path}")
        if request.user.pk != existing.pk:
            raise PermissionDenied("This invitation was sent to another address.")
        if request.method == "POST":
            _join(invitation, existing)
            messages.success(request, f"You are now a member of {invitation.jurisdiction.name}.")
            return redirect("staff:home")
        return render(request, "manage/invitation_accept.html", {"invitation": invitation})

    form = AcceptInvitationForm(request.POST or None, email=invitation.email)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            user = User.objects.create_user(
                username=_free_username(invitation.email),
                email=invitation.email,
                password=form.cleaned_data["password1"],
            )
            _join(invitation, user)
            _record_email(user)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, f"Welcome. You can now edit {invitation.jurisdiction.name}.")
        return redirect("staff:home")
    return render(
        request, "manage/invitation_accept.html", {"invitation": invitation, "form": form}
    )


def _join(invitation, user):
    with transaction.atomic():
        locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if locked.accepted_at is not None:
            return
        membership, created = Membership.objects.get_or_create(
            user=user, jurisdiction=invitation.jurisdiction, defaults={"role": invitation.role}
        )
        if not created and invitation.role == Membership.Role.MANAGER:
            membership.role = Membership.Role.MANAGER
            membership.save()
        locked.accepted_at = timezone.now()
        locked.save(update_fields=["accepted_at"])


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
