"""The staff home page and each jurisdiction's dashboard."""

from django.core.validators import slug_re
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from .. import moderation
from ..forms import (
    InvitationForm,
)
from ..models import (
    Commitment,
    Jurisdiction,
    Publication,
)
from ..permissions import (
    can_manage_jurisdiction,
    get_jurisdiction_for_edit,
    invitable_roles,
    is_curator,
)
from .access import staff_only


@staff_only
def home(request):
    slug = request.GET.get("open", "")
    if slug and is_curator(request.user):
        # Only a slug can name a jurisdiction (PostgreSQL would refuse a NUL, for one).
        if not slug_re.fullmatch(slug[:220]):
            raise Http404(_("No jurisdiction has this address."))
        chosen = get_object_or_404(Jurisdiction, slug=slug[:220])
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


@staff_only
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
        context["invitations"] = jurisdiction.invitations.pending()
        roles = invitable_roles(request.user, jurisdiction)
        context["invite_form"] = InvitationForm(roles=roles, jurisdiction=jurisdiction)
    return render(request, "manage/jurisdiction.html", context)
