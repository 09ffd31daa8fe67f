"""The curators' review queue and their decisions on commitments and progress updates."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import freshness, moderation
from ..forms import (
    ReviewDecisionForm,
)
from ..models import (
    Commitment,
    ProgressUpdate,
    Publication,
)
from .access import curator_only


@curator_only
def review_queue(request):
    commitments, updates = moderation.review_queue()
    updates = list(updates)
    for update in updates:
        update.review_state = moderation.update_state(update)
    from ..progress.review import review_context

    return render(
        request,
        "manage/review_queue.html",
        {"commitments": commitments, "updates": updates, **review_context()},
    )


@curator_only
def review_commitment(request, pk):
    commitment = get_object_or_404(Commitment.objects.select_related("jurisdiction"), pk=pk)
    ever_published, diff = moderation.diff_against_published(commitment)
    context = {
        "commitment": commitment,
        "ever_published": ever_published,
        "diff": diff,
        "links": commitment.links.select_related("recommendation__review"),
        "themes": commitment.themes.order_by("name"),
        "updates": moderation.submitted_with(commitment),
        "milestones": commitment.milestones.all(),
        "form": ReviewDecisionForm(
            initial={"version": commitment.version, "state": moderation.review_state(commitment)}
        ),
    }
    return render(request, "manage/review_commitment.html", context)


def outdated_message(what: str) -> str:
    return _(
        "%(what)s changed after you opened it, so nothing was decided. Read the current "
        "version and decide again."
    ) % {"what": what}


def _decide(request, obj, approve, reject, back):
    form = ReviewDecisionForm(request.POST)
    if isinstance(obj, Commitment):
        outdated = outdated_message(_("This commitment or one of its links"))
    else:
        outdated = outdated_message(_("This progress update"))
    if not form.is_valid():
        messages.error(
            request, _("The reason is too long.") if "reason" in form.errors else outdated
        )
        return redirect(back)
    reason = form.cleaned_data["reason"].strip()
    rejecting = request.POST.get("decision") == "reject"
    if rejecting and not reason:
        messages.error(request, _("Give a reason when returning a submission."))
        return redirect(back)
    try:
        (reject if rejecting else approve)(obj, request.user, reason, seen=form.seen())
    except moderation.ReviewOutdated:
        messages.error(request, outdated)
        return redirect(back)
    if rejecting:
        messages.success(request, _("Returned to the staff member with your reason."))
    else:
        commitment_id = obj.commitment_id if isinstance(obj, ProgressUpdate) else obj.pk
        freshness.refresh_after_publication(commitment_id)
        messages.success(request, _("Approved and published."))
    return redirect("staff:review-queue")


@curator_only
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


@curator_only
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
