"""The commitment CSV import and its template."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render

from ..commitment_import import COLUMNS, import_commitments, template_csv
from ..forms import (
    ImportForm,
)
from ..permissions import (
    get_jurisdiction_for_edit,
)
from .access import staff_only


@staff_only
def import_template(request):
    response = HttpResponse(template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="commitments-template.csv"'
    return response


@staff_only
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
