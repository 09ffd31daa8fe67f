"""The commitment CSV import and its template, and the managers' spreadsheet round trip
(download, upload with a dry run, apply)."""

import secrets

from django.contrib import messages
from django.core.cache import cache
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .. import sheets
from ..commitment_import import (
    COLUMNS,
    PlanOutdated,
    apply_plan,
    export_csv,
    export_xlsx,
    import_commitments,
    plan_upload,
    template_csv,
)
from ..forms import ImportForm, SpreadsheetForm
from ..permissions import (
    RoleRequired,
    can_manage_jurisdiction,
    get_jurisdiction_for_edit,
    is_curator,
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
            messages.success(
                request,
                ngettext(
                    "Imported %(count)s commitment as a draft.",
                    "Imported %(count)s commitments as drafts.",
                    len(result.created),
                )
                % {"count": len(result.created)},
            )
            return redirect("staff:jurisdiction", slug=slug)
        errors = result.errors
    context = {"form": form, "jurisdiction": jurisdiction, "columns": COLUMNS, "errors": errors}
    return render(request, "manage/import.html", context, status=400 if errors else 200)


# --- The spreadsheet round trip (managers) --------------------------------------------

UPLOAD_KEEP_SECONDS = 3600


def _managed(request, slug):
    jurisdiction = get_jurisdiction_for_edit(request.user, slug)
    if not can_manage_jurisdiction(request.user, jurisdiction):
        raise RoleRequired(
            _("manager of %(jurisdiction)s") % {"jurisdiction": jurisdiction.name},
            _("Ask your jurisdiction's manager to make the change, or to make you a manager."),
        )
    return jurisdiction


@staff_only
def spreadsheet_download(request, slug, fmt):
    sheet_key, __, fmt = fmt.rpartition(".")  # "csv", or "indicators.csv" for one sheet
    sheet = sheets.BY_KEY.get(sheet_key)
    if fmt not in {"xlsx", "csv"} or (sheet_key and (sheet is None or fmt != "csv")):
        raise Http404(_("Download the commitments as .xlsx or .csv."))
    jurisdiction = _managed(request, slug)
    name = f"{jurisdiction.slug}-{sheet.key if sheet else 'commitments'}"
    if fmt == "xlsx":
        response = HttpResponse(
            export_xlsx(jurisdiction),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        response = HttpResponse(
            export_csv(jurisdiction, sheet), content_type="text/csv; charset=utf-8"
        )
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


def _cache_key(request, jurisdiction, token):
    return f"spreadsheet-upload:{request.user.pk}:{jurisdiction.pk}:{token}"


@staff_only
def spreadsheet_upload(request, slug):
    """GET: the downloads and the upload form. POST with a file: the dry run, the file
    kept for an hour under a random token. POST with the token: apply it."""
    jurisdiction = _managed(request, slug)
    context = {"jurisdiction": jurisdiction, "form": SpreadsheetForm(), "plan": None}
    if request.method != "POST":
        return render(request, "manage/spreadsheet.html", context)
    token = request.POST.get("token", "")[:64]
    if token:
        return _apply_kept(request, jurisdiction, token, context)
    form = SpreadsheetForm(request.POST, request.FILES)
    context["form"] = form
    if not form.is_valid():
        return render(request, "manage/spreadsheet.html", context, status=400)
    upload = form.cleaned_data["file"]
    raw = upload.read()
    plan = plan_upload(raw, upload.name, jurisdiction)
    if plan.ok:
        token = secrets.token_urlsafe(16)
        cache.set(
            _cache_key(request, jurisdiction, token),
            (raw, upload.name, plan.fingerprint()),
            UPLOAD_KEEP_SECONDS,
        )
        context["token"] = token
    context["plan"] = plan
    return render(request, "manage/spreadsheet.html", context, status=200 if plan.ok else 400)


def _apply_kept(request, jurisdiction, token, context):
    """Applies the file kept under ``token`` if its check still reads as the manager saw
    it; the token is claimed first (deleting it is atomic), so a double submit applies
    once."""
    key = _cache_key(request, jurisdiction, token)
    kept = cache.get(key)
    if kept is None:
        messages.error(request, "That upload is no longer kept: upload the file again.")
        return redirect("staff:spreadsheet", slug=jurisdiction.slug)
    raw, filename, checked = kept
    plan = plan_upload(raw, filename, jurisdiction)
    if plan.ok and plan.fingerprint() != checked:
        # Someone saved a record of the file since the dry run: apply only what the
        # manager read, so show the new check and ask again.
        messages.error(
            request,
            _(
                "Something in the file was saved by someone else since the check: "
                "nothing was applied. Read the check again below."
            ),
        )
        token = secrets.token_urlsafe(16)
        cache.set(
            _cache_key(request, jurisdiction, token),
            (raw, filename, plan.fingerprint()),
            UPLOAD_KEEP_SECONDS,
        )
        context.update(plan=plan, token=token)
        return render(request, "manage/spreadsheet.html", context, status=409)
    if plan.ok:
        if not cache.delete(key):
            messages.info(request, _("This file has already been applied."))
            return redirect("staff:jurisdiction", slug=jurisdiction.slug)
        try:
            counts = apply_plan(
                plan, jurisdiction, request.user, keep_public=is_curator(request.user)
            )
        except PlanOutdated:
            cache.set(key, kept, UPLOAD_KEEP_SECONDS)
            messages.error(
                request,
                "A commitment in the file was saved by someone else since the check: "
                "nothing was applied. Check the file again.",
            )
        else:
            skipped = len(plan.of("conflict"))
            messages.success(
                request,
                f"Applied: {counts['created']} created, {counts['changed']} changed"
                + (f", {skipped} conflicting rows left as they are." if skipped else "."),
            )
            if any(r.sheet_key != "commitments" for r in plan.rows if r.action != "unchanged"):
                messages.info(
                    request,
                    _(
                        "New and changed indicators and measurements are drafts, and a "
                        "changed link takes a public commitment back to review: submit "
                        "each commitment for review from its page."
                    ),
                )
            return redirect("staff:jurisdiction", slug=jurisdiction.slug)
    context.update(plan=plan, token=token)
    return render(request, "manage/spreadsheet.html", context, status=400)
