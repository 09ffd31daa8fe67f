"""Staff screens for indicators, measurements and milestones, and the curators' decisions
on indicators and measurements (the flow of progress updates: draft, submitted with the
commitment, approved or returned)."""

from django.contrib import messages
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import freshness, moderation
from ..follow.outbox import announce
from ..forms import ReviewDecisionForm
from ..models import Commitment, Publication
from ..permissions import (
    RoleRequired,
    can_delete_indicator,
    editable_commitments,
    get_commitment_for_edit,
    is_curator,
)
from ..staff.access import curator_only, staff_only, touch_commitment
from ..staff.review import outdated_message
from .forms import IndicatorForm, MeasurementForm, MilestoneForm
from .models import (
    Indicator,
    Measurement,
    Milestone,
    ever_published_indicators,
)


def _page(request, form, commitment, heading, button):
    context = {
        "form": form,
        "commitment": commitment,
        "jurisdiction": commitment.jurisdiction,
        "heading": heading,
        "button": button,
    }
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "manage/progress_form.html", context, status=status)


def _save_draft(request, form, **fields):
    """Saves the form's record as a draft: new, or edited (an edit of a published record
    takes it off the public pages until a curator approves it again)."""
    record = form.save(commit=False)
    for name, value in fields.items():
        setattr(record, name, value)
    if record.pk is None:
        record.author = request.user
    else:
        record.version += 1
        if record.publication == Publication.PUBLISHED:
            messages.warning(request, _("It is off the public page until a curator approves it."))
    record.publication = Publication.DRAFT
    record.save()
    return record


@staff_only
def indicator_edit(request, pk, indicator_pk=None):
    commitment = get_commitment_for_edit(request.user, pk)
    indicator = None
    if indicator_pk is not None:
        indicator = get_object_or_404(Indicator, pk=indicator_pk, commitment=commitment)
    form = IndicatorForm(request.POST or None, instance=indicator)
    if request.method == "POST" and form.is_valid():
        _save_draft(request, form, commitment=commitment)
        messages.success(
            request, _("Indicator saved. Add its measurements, then submit for review.")
        )
        return redirect("staff:commitment", pk=pk)
    heading = _("Edit indicator") if indicator else _("New indicator")
    return _page(request, form, commitment, heading, _("Save indicator"))


@staff_only
def measurement_edit(request, pk, measurement_pk=None):
    indicator = get_object_or_404(
        Indicator.objects.select_related("commitment__jurisdiction"),
        pk=pk,
        commitment__in=editable_commitments(request.user),
    )
    measurement = None
    if measurement_pk is not None:
        measurement = get_object_or_404(Measurement, pk=measurement_pk, indicator=indicator)
    form = MeasurementForm(request.POST or None, instance=measurement, indicator=indicator)
    if request.method == "POST" and form.is_valid():
        _save_draft(request, form, indicator=indicator)
        messages.success(request, _("Measurement saved. Submit it for review to publish it."))
        return redirect("staff:commitment", pk=indicator.commitment_id)
    heading = _("Measurement of “%(indicator)s”") % {"indicator": indicator.name}
    return _page(request, form, indicator.commitment, heading, _("Save measurement"))


@staff_only
def milestone_edit(request, pk, milestone_pk=None):
    commitment = get_commitment_for_edit(request.user, pk)
    milestone = None
    if milestone_pk is not None:
        milestone = get_object_or_404(Milestone, pk=milestone_pk, commitment=commitment)
    form = MilestoneForm(request.POST or None, instance=milestone)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            saved = form.save(commit=False)
            saved.commitment = commitment
            saved.save()
            # Milestones are part of the commitment's own record (moderation.review_state).
            touch_commitment(request, commitment)
        messages.success(request, _("Milestone saved."))
        return redirect("staff:commitment", pk=pk)
    heading = _("Edit milestone") if milestone else _("New milestone")
    return _page(request, form, commitment, heading, _("Save milestone"))


def _decide(request, model, pk):
    obj = get_object_or_404(model, pk=pk, publication=Publication.SUBMITTED)
    form = ReviewDecisionForm(request.POST)
    what = _("This indicator") if model is Indicator else _("This measurement")
    outdated = outdated_message(what)
    if not form.is_valid():
        messages.error(
            request, _("The reason is too long.") if "reason" in form.errors else outdated
        )
        return redirect("staff:review-queue")
    reason = form.cleaned_data["reason"].strip()
    rejecting = request.POST.get("decision") == "reject"
    if rejecting and not reason:
        messages.error(request, _("Give a reason when returning a submission."))
        return redirect("staff:review-queue")
    decide = moderation.reject_submission if rejecting else moderation.approve_submission
    try:
        decide(obj, request.user, reason, seen=form.seen())
    except moderation.ReviewOutdated:
        messages.error(request, outdated)
        return redirect("staff:review-queue")
    if rejecting:
        messages.success(request, _("Returned to the staff member with your reason."))
    else:
        commitment_id = obj.commitment_id if model is Indicator else obj.indicator.commitment_id
        freshness.refresh_after_publication(commitment_id)
        messages.success(request, _("Approved and published."))
    return redirect("staff:review-queue")


@curator_only
@require_POST
def indicator_decide(request, pk):
    return _decide(request, Indicator, pk)


@curator_only
@require_POST
def measurement_decide(request, pk):
    return _decide(request, Measurement, pk)


# --- Deleting ------------------------------------------------------------------------
# As for commitments: staff delete what never went public, curators delete anything. The
# history keeps every deleted record (django-simple-history writes a deletion entry with
# the person and the reason), so a deletion can be traced and undone by an administrator.


def _deletable_indicator(request, pk, indicator_pk):
    commitment = get_commitment_for_edit(request.user, pk)
    indicator = get_object_or_404(Indicator, pk=indicator_pk, commitment=commitment)
    if not can_delete_indicator(request.user, indicator):
        raise RoleRequired(
            "curator",
            _("This indicator has been public: ask a curator to delete it, or edit it instead."),
        )
    return commitment, indicator


@staff_only
def indicator_delete(request, pk, indicator_pk):
    commitment, indicator = _deletable_indicator(request, pk, indicator_pk)
    measurements = list(indicator.measurements.all())
    if request.method == "POST":
        was_public = indicator.pk in ever_published_indicators(commitment)
        shown = indicator.publication == Publication.PUBLISHED
        with transaction.atomic():
            # One by one, so each measurement's deletion is in the history with a reason.
            for measurement in measurements:
                measurement._change_reason = _("Deleted with its indicator")
                measurement.delete()
            indicator._change_reason = _("Deleted by staff")
            indicator.delete()
            if was_public:
                freshness.refresh_after_publication(commitment.pk)
            if shown:
                announce(Commitment.objects.filter(pk=commitment.pk))
        messages.success(
            request, _("Deleted “%(name)s” and its measurements.") % {"name": indicator.name}
        )
        return redirect("staff:commitment", pk=pk)
    context = {
        "commitment": commitment,
        "jurisdiction": commitment.jurisdiction,
        "indicator": indicator,
        "measurements": measurements,
        "published": sum(m.publication == Publication.PUBLISHED for m in measurements),
    }
    return render(request, "manage/indicator_delete.html", context)


@staff_only
def milestone_delete(request, pk, milestone_pk):
    """Milestones are part of the commitment's record: deleting one takes a public
    commitment back to review when staff do it, as editing one does."""
    commitment = get_commitment_for_edit(request.user, pk)
    milestone = get_object_or_404(Milestone, pk=milestone_pk, commitment=commitment)
    if request.method == "POST":
        with transaction.atomic():
            milestone._change_reason = _("Deleted by staff")
            milestone.delete()
            touch_commitment(request, commitment)
        messages.success(
            request, _("Deleted the milestone “%(title)s”.") % {"title": milestone.title}
        )
        return redirect("staff:commitment", pk=pk)
    context = {
        "commitment": commitment,
        "jurisdiction": commitment.jurisdiction,
        "milestone": milestone,
        "goes_to_review": commitment.publication == Publication.PUBLISHED
        and not is_curator(request.user),
    }
    return render(request, "manage/milestone_delete.html", context)
