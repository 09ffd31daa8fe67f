"""A jurisdiction's calendar feed, /jurisdictions/<slug>/calendar.ics: the target dates of
its published commitments, their milestones, and a reminder for each that is overdue.

Overdue means what the staff digest means by it, from the same definitions: a commitment
past its target date and neither implemented nor repealed (tasks.overdue_condition), a
milestone past its due date and not done (progress.reminders.overdue_milestones). The
reminder sits on the first day it is overdue, so its date moves only when the deadline
does, and it leaves the feed once the work is done. Only the jurisdiction's own published
commitments appear, as on its page; drafts and submissions never do.
"""

from datetime import timedelta

from django import forms
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from recommendations import ical
from recommendations.absolute_urls import base_url
from recommendations.listing import clean_params

from .models import Commitment, Jurisdiction
from .progress.models import Milestone
from .progress.reminders import overdue_milestones
from .publication import Publication
from .tasks import overdue_condition

TARGET, MILESTONE, OVERDUE = KINDS = "target", "milestone", "overdue"


class FeedKindsForm(forms.Form):
    """?kind= keeps only some kinds of event, e.g. the overdue reminders alone."""

    kind = forms.MultipleChoiceField(
        required=False,
        choices=[
            (TARGET, gettext_lazy("Target dates")),
            (MILESTONE, gettext_lazy("Milestones")),
            (OVERDUE, gettext_lazy("Overdue reminders")),
        ],
    )


def jurisdiction_occasions(jurisdiction, base: str, today, kinds) -> list[ical.Occasion]:
    """Three queries, whatever the number of rows: the commitments, their milestones, and
    which milestones are overdue."""
    commitments = {
        c.pk: c
        for c in ical.with_revision(
            Commitment.objects.published()
            .filter(jurisdiction=jurisdiction)
            .annotate(overdue_now=overdue_condition(today))
            .only("id", "title", "kind", "status", "instrument_ref", "target_date", "updated_at")
        )
    }
    milestones = list(
        ical.with_revision(
            Milestone.objects.filter(
                commitment__jurisdiction=jurisdiction,
                commitment__publication=Publication.PUBLISHED,
            ).order_by("due_on", "pk")
        )
    )
    late_milestones = set(
        overdue_milestones([jurisdiction.pk], today)
        .filter(commitment__publication=Publication.PUBLISHED)
        .values_list("pk", flat=True)
    )
    result = []
    for c in commitments.values():
        if not c.target_date:
            continue
        url = base + c.get_absolute_url()
        revised_at = c.revised_at or c.updated_at
        what = " · ".join(filter(None, [c.get_kind_display(), c.instrument_ref]))
        if TARGET in kinds:
            result.append(
                ical.Occasion(
                    key=f"commitment-{c.pk}-target",
                    first_day=c.target_date,
                    summary=_("Target date: %(title)s") % {"title": c.title},
                    description=_("%(what)s. Status: %(status)s.")
                    % {"what": what, "status": c.get_status_display()},
                    url=url,
                    sequence=c.sequence,
                    revised_at=revised_at,
                    categories=(_("Target date"),),
                )
            )
        if OVERDUE in kinds and c.overdue_now:
            status = str(c.get_status_display()).lower()
            result.append(
                _overdue(
                    f"commitment-{c.pk}-overdue",
                    c.target_date,
                    _("Overdue: %(title)s") % {"title": c.title},
                    _("The target date, %(day)s, has passed and the commitment is still "
                      "%(status)s.") % {"day": c.target_date, "status": status},
                    url,
                    c.sequence,
                    revised_at,
                )
            )  # fmt: skip
    for m in milestones:
        c = commitments[m.commitment_id]
        url = base + c.get_absolute_url()
        revised_at = m.revised_at or c.updated_at
        if MILESTONE in kinds:
            done = _(" Done on %(day)s.") % {"day": m.done_on} if m.done_on else ""
            result.append(
                ical.Occasion(
                    key=f"milestone-{m.pk}",
                    first_day=m.due_on,
                    summary=_("Milestone: %(title)s") % {"title": m.title},
                    description=_("A step of “%(commitment)s”.") % {"commitment": c.title} + done,
                    url=url,
                    sequence=m.sequence,
                    revised_at=revised_at,
                    categories=(_("Milestone"),),
                )
            )
        if OVERDUE in kinds and m.pk in late_milestones:
            result.append(
                _overdue(
                    f"milestone-{m.pk}-overdue",
                    m.due_on,
                    _("Overdue milestone: %(title)s") % {"title": m.title},
                    _("Due on %(day)s for “%(commitment)s” and not marked done.")
                    % {"day": m.due_on, "commitment": c.title},
                    url,
                    m.sequence,
                    revised_at,
                )
            )
    result.sort(key=lambda o: (o.first_day, o.key))
    return result


def _overdue(key, deadline, summary, description, url, sequence, revised_at):
    first_day = deadline + timedelta(days=1)
    return ical.Occasion(
        key=key,
        first_day=first_day,
        summary=summary,
        description=description,
        url=url,
        sequence=sequence,
        # It came into being when the deadline passed, unless edited since.
        revised_at=max(revised_at, ical.start_of(first_day)),
        categories=(_("Overdue reminder"),),
    )


def jurisdiction_feed(request, slug):
    jurisdiction = get_object_or_404(Jurisdiction, slug=slug)
    form = FeedKindsForm(clean_params(request.GET))
    if not form.is_valid():
        return HttpResponseBadRequest(
            _("Unknown kind. Kinds: %(kinds)s.") % {"kinds": ", ".join(KINDS)},
            content_type="text/plain; charset=utf-8",
        )
    kinds = set(form.cleaned_data["kind"]) or set(KINDS)
    occasions = jurisdiction_occasions(jurisdiction, base_url(request), timezone.localdate(), kinds)
    body = ical.to_ical(
        _("%(place)s: commitment deadlines") % {"place": jurisdiction},
        _("Target dates, milestones and overdue reminders of the published commitments of "
          "%(place)s, from UPR Tracker.") % {"place": jurisdiction},
        occasions,
    )  # fmt: skip
    return ical.calendar_response(f"{jurisdiction.slug}-deadlines.ics", body)
