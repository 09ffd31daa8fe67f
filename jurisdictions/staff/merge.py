"""Merging duplicate commitments or jurisdictions (curators)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError
from django.shortcuts import redirect, render

from .. import moderation
from ..forms import (
    MergeForm,
)
from ..models import (
    Commitment,
    Jurisdiction,
)
from .access import curator_only


@curator_only
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
