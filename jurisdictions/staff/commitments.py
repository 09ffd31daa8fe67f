"""Commitments: create, read, edit with a version check, delete, link to recommendations,
progress updates and submission for review."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import moderation, suggestions
from ..forms import (
    CommitmentForm,
    LinkForm,
    ProgressUpdateForm,
)
from ..models import (
    Commitment,
    CommitmentLink,
    Publication,
)
from ..permissions import (
    can_delete_commitment,
    get_commitment_for_edit,
    get_jurisdiction_for_edit,
    is_curator,
)
from ..progress.models import ever_published_indicators, has_unsent_progress
from .access import staff_only, touch_commitment


@staff_only
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
            request, _("Saved as a draft. Now link it to the recommendations it answers.")
        )
        return redirect("staff:commitment", pk=commitment.pk)
    return render(
        request, "manage/commitment_form.html", {"form": form, "jurisdiction": jurisdiction}
    )


@staff_only
def commitment_detail(request, pk):
    commitment = get_commitment_for_edit(request.user, pk)
    # A NUL can be no part of a search, and PostgreSQL refuses one in a query.
    query = request.GET.get("q", "").replace("\x00", "")[:200]
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
        ).exists()
        or has_unsent_progress(commitment),
        "indicators": commitment.indicators.prefetch_related("measurements"),
        "milestones": commitment.milestones.all(),
        "public_indicators": ever_published_indicators(commitment),
        "ever_published": ever_published,
        "is_curator": is_curator(request.user),
    }
    linked = {link.recommendation_id for link in links}
    context["results"] = [r for r in context["results"] if r.pk not in linked]
    return render(request, "manage/commitment.html", context)


@staff_only
def commitment_edit(request, pk):
    commitment = get_commitment_for_edit(request.user, pk)
    form = CommitmentForm(request.POST or None, instance=commitment)
    conflict = None
    if request.method == "POST" and form.is_valid():
        conflict = form.save_if_current(keep_public=is_curator(request.user))
        if conflict is None:
            _saved_message(request, unpublished=form.unpublished)
            return redirect("staff:commitment", pk=commitment.pk)
        form = form.rebased_on(conflict)
        messages.error(
            request,
            _(
                "Someone else saved this commitment while you were editing. Nothing of "
                "yours was saved yet: compare the two versions below, adjust your text, "
                "and save again."
            ),
        )
    context = {
        "form": form,
        "commitment": commitment,
        "jurisdiction": commitment.jurisdiction,
        "conflict": _conflict_rows(conflict, form) if conflict else None,
    }
    return render(request, "manage/commitment_form.html", context, status=409 if conflict else 200)


def _saved_message(request, *, unpublished: bool):
    if unpublished:
        messages.warning(
            request,
            _(
                "Saved. The change takes it off the public site until a curator "
                "approves it: submit it for review when ready."
            ),
        )
    else:
        messages.success(request, _("Saved."))


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


@staff_only
def commitment_delete(request, pk):
    commitment = get_commitment_for_edit(request.user, pk)
    if not can_delete_commitment(request.user, commitment):
        raise PermissionDenied(_("Only drafts can be deleted; ask a curator for published ones."))
    if request.method == "POST":
        jurisdiction = commitment.jurisdiction
        commitment.delete()
        messages.success(request, _("Deleted “%(title)s”.") % {"title": commitment.title})
        return redirect("staff:jurisdiction", slug=jurisdiction.slug)
    return render(request, "manage/commitment_delete.html", {"commitment": commitment})


@staff_only
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
            messages.error(request, _("This recommendation is already linked."))
            return redirect("staff:commitment", pk=pk)
        touch_commitment(request, commitment)
    messages.success(
        request,
        _("Linked to %(citation)s.") % {"citation": form.cleaned_data["recommendation"].citation},
    )
    return redirect("staff:commitment", pk=pk)


@staff_only
@require_POST
def link_remove(request, pk, link_pk):
    commitment = get_commitment_for_edit(request.user, pk)
    link = get_object_or_404(commitment.links, pk=link_pk)
    with transaction.atomic():
        link.delete()
        touch_commitment(request, commitment)
    messages.success(request, _("Link removed."))
    return redirect("staff:commitment", pk=pk)


@staff_only
def update_create(request, pk):
    commitment = get_commitment_for_edit(request.user, pk)
    form = ProgressUpdateForm(request.POST or None, commitment=commitment)
    if request.method == "POST" and form.is_valid():
        update = form.save(commit=False)
        update.commitment = commitment
        update.author = request.user
        update.publication = Publication.DRAFT
        update.save()
        messages.success(request, _("Progress update saved. Submit it for review to publish it."))
        return redirect("staff:commitment", pk=pk)
    return render(
        request,
        "manage/update_form.html",
        {"form": form, "commitment": commitment, "jurisdiction": commitment.jurisdiction},
    )


@staff_only
@require_POST
def commitment_submit(request, pk):
    commitment = get_commitment_for_edit(request.user, pk)
    count = moderation.submit_commitment(commitment, request.user)
    if count:
        messages.success(request, _("Sent to the curators. You will see their decision here."))
    else:
        messages.info(request, _("Nothing new to submit."))
    return redirect("staff:commitment", pk=pk)
