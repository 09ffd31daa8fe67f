"""Merging duplicate commitments or jurisdictions (curators).

Curators find the two records by name: the page lists what matches their words, and they
pick the record to keep and the duplicate with radio buttons (no JavaScript needed). The
form still accepts a number or a jurisdiction's slug typed by hand."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from .. import moderation
from ..forms import (
    MergeForm,
)
from ..models import (
    Commitment,
    Jurisdiction,
)
from .access import curator_only

MAX_CANDIDATES = 50


def candidates(model, query: str) -> list:
    """Records whose name matches any of the comma-separated parts of ``query``."""
    terms = [t.strip() for t in query.split(",") if t.strip()][:5]
    if not terms:
        return []
    if model is Commitment:
        match = Q()
        for term in terms:
            match |= Q(title__icontains=term) | Q(jurisdiction__name__icontains=term)
        rows = Commitment.objects.select_related("jurisdiction").filter(match)
        return list(rows.order_by("title", "jurisdiction__name", "pk")[:MAX_CANDIDATES])
    match = Q()
    for term in terms:
        match |= Q(name__icontains=term) | Q(slug__icontains=term)
    rows = Jurisdiction.objects.select_related("parent").filter(match)
    rows = rows.annotate(n_commitments=Count("commitments"))
    return list(rows.order_by("name", "pk")[:MAX_CANDIDATES])


@curator_only
def merge(request, kind):
    model = {"commitments": Commitment, "jurisdictions": Jurisdiction}.get(kind)
    if model is None:
        raise PermissionDenied(_("Unknown kind of record."))
    query = (request.POST.get("q") or request.GET.get("q") or "").strip()[:200]
    form = MergeForm(request.POST or None, model=model)
    if request.method == "POST" and form.is_valid():
        survivor, duplicate = form.cleaned_data["survivor"], form.cleaned_data["duplicate"]
        merge_fn = (
            moderation.merge_commitments if model is Commitment else moderation.merge_jurisdictions
        )
        try:
            merge_fn(survivor, duplicate)
        except IntegrityError:
            messages.error(request, _("These two cannot be merged automatically; nothing changed."))
        else:
            messages.success(
                request,
                _("Merged “%(duplicate)s” into “%(survivor)s”.")
                % {"duplicate": duplicate, "survivor": survivor},
            )
            again = f"?{urlencode({'q': query})}" if query else ""
            return redirect(reverse("staff:merge", args=[kind]) + again)
    context = {
        "form": form,
        "kind": kind,
        "kind_label": _("commitments") if model is Commitment else _("jurisdictions"),
        "query": query,
        "candidates": candidates(model, query),
        "max_candidates": MAX_CANDIDATES,
    }
    return render(request, "manage/merge.html", context)
