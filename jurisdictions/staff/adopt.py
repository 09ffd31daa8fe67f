"""Start from a model: a draft commitment for one's own jurisdiction begun from another
place's published one. The links to recommendations (with their relation), the themes and
the kind are copied; the title and summary are the staff member's own to write; the model
is recorded on the new commitment (Commitment.modelled_on) and shown on both pages."""

from django.contrib import messages
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ..forms import CommitmentForm
from ..models import Commitment, CommitmentLink, Jurisdiction, Publication
from ..permissions import editable_jurisdictions, is_curator
from .access import staff_only


@staff_only
def commitment_adopt(request, pk):
    model = get_object_or_404(
        Commitment.objects.published().select_related("jurisdiction").prefetch_related("themes"),
        pk=pk,
    )
    slug = request.POST.get("jurisdiction") or request.GET.get("jurisdiction") or ""
    # A NUL can be no part of a slug, and PostgreSQL refuses one in a query.
    slug = slug.replace("\x00", "").strip()
    if not slug:
        own = list(
            Jurisdiction.objects.filter(memberships__user=request.user)
            .exclude(pk=model.jurisdiction_id)
            .order_by("name")
            .distinct()
        )
        if len(own) == 1 and not is_curator(request.user):
            return redirect(f"{request.path}?jurisdiction={own[0].slug}")
        context = {"model": model, "choices": own, "curator": is_curator(request.user)}
        return render(request, "manage/commitment_adopt_choose.html", context)
    jurisdiction = get_object_or_404(editable_jurisdictions(request.user), slug=slug[:220])
    if jurisdiction.pk == model.jurisdiction_id:
        messages.error(
            request,
            _(
                "This commitment is already your jurisdiction's: edit it, or log a new one, "
                "rather than modelling one on it."
            ),
        )
        context = {"model": model, "choices": [], "curator": is_curator(request.user)}
        return render(request, "manage/commitment_adopt_choose.html", context, status=400)
    links = list(model.links.select_related("recommendation__review").order_by("id"))
    initial = {"kind": model.kind, "themes": list(model.themes.all()), "status": "proposed"}
    form = CommitmentForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            commitment = form.save(commit=False)
            commitment.jurisdiction = jurisdiction
            commitment.created_by = request.user
            commitment.publication = Publication.DRAFT
            commitment.modelled_on = model
            commitment.save()
            form.save_m2m()
            CommitmentLink.objects.bulk_create(
                CommitmentLink(
                    commitment=commitment,
                    recommendation_id=link.recommendation_id,
                    relation=link.relation,
                    created_by=request.user,
                )
                for link in links
            )
        messages.success(
            request,
            ngettext(
                "Saved as a draft modelled on %(jurisdiction)s's “%(title)s”, with its "
                "%(count)s link to recommendations. Check them, add your reasons, then submit "
                "it for review.",
                "Saved as a draft modelled on %(jurisdiction)s's “%(title)s”, with its "
                "%(count)s links to recommendations. Check them, add your reasons, then submit "
                "it for review.",
                len(links),
            )
            % {"jurisdiction": model.jurisdiction, "title": model.title, "count": len(links)},
        )
        return redirect("staff:commitment", pk=commitment.pk)
    context = {"form": form, "model": model, "jurisdiction": jurisdiction, "links": links}
    return render(request, "manage/commitment_adopt.html", context)
