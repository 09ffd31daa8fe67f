"""Report pages: the basket, the builder, stable download URLs, saved reports and the
progress of background builds. The work is in builder.py and document.py."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import (
    FileResponse,
    Http404,
    HttpResponse,
    HttpResponseRedirect,
    JsonResponse,
    QueryDict,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from ..permissions import is_curator, is_staff_member
from . import basket
from .builder import document_for, download, filter_chips, spec_from_request
from .document import NothingSelected, clean_texts
from .models import WORD_LIMITS, Report, ReportBuild, ReportKind, WordLimit
from .pdf import render_print_html
from .selection import jurisdiction_choices, selection_from_spec
from .wordcount import WHAT_IS_COUNTED


def can_edit(user, report) -> bool:
    return user.is_authenticated and (report.owner_id == user.pk or is_curator(user))


def basket_view(request):
    if request.method == "POST":
        if "clear" in request.POST:
            basket.clear(request)
            note = _("The report basket is now empty.")
        elif "remove" in request.POST:
            basket.remove(request, request.POST.getlist("remove"))
            note = _("Removed from the report basket.")
        else:
            note = basket.add(request, request.POST.getlist("add")).message()
            mixed = basket.states(request)
            if len(mixed) > 1:
                note += " " + _(
                    "The basket holds recommendations made to %(count)s states under review "
                    "(%(states)s); a report is about one, and the builder asks which."
                ) % {"count": len(mixed), "states": ", ".join(mixed)}
        if request.headers.get("Accept") == "application/json":
            # report-basket.js changes the button and the count in place.
            return JsonResponse({"count": len(basket.ids(request)), "message": note})
        messages.info(request, note)
        target = request.POST.get("next", "")
        if url_has_allowed_host_and_scheme(target, {request.get_host()}):
            # A plain redirect: redirect() would take "next=home" for a view name.
            return HttpResponseRedirect(target)
        return redirect("reports:basket")
    context = {
        "recommendations": basket.recommendations(request),
        "kinds": ReportKind.choices,
        "states": basket.states(request),
    }
    return render(request, "reports/basket.html", context)


def new(request):
    return builder_page(request, spec_from_request(request), report=None)


def _visible_report(request, token):
    return get_object_or_404(Report.objects.select_related("owner"), token=token)


def saved_by_number(request, pk):
    """The old numbered address: only for those who may change the report, who are sent
    to its link. Anyone else might be guessing numbers, and learns nothing."""
    report = get_object_or_404(Report, pk=pk)
    if not can_edit(request.user, report):
        raise Http404(_("No such report."))
    return redirect(report)


def saved(request, token):
    report = _visible_report(request, token)
    editable = can_edit(request.user, report)
    if request.method == "POST":
        if not editable:
            raise PermissionDenied(_("Only the owner of this report and curators can change it."))
        return builder_page(request, spec_from_request(request), report=report)
    if editable:
        return builder_page(request, report.spec(), report=report)
    try:
        document = document_for(request, report.spec(), preview=True)
    except NothingSelected as exc:
        return render(request, "reports/empty.html", {"reason": str(exc)})
    return render(request, "reports/saved.html", {"report": report, "document": document})


def delete(request, token):
    report = _visible_report(request, token)
    if not can_edit(request.user, report):
        raise PermissionDenied(_("Only the owner of this report and curators can delete it."))
    if request.method == "POST":
        title = report.title
        report.delete()
        messages.success(
            request,
            _("Deleted the report “%(title)s”. Its link no longer works.") % {"title": title},
        )
        return redirect("reports:list")
    return render(request, "reports/delete.html", {"report": report})


def builder_page(request, spec, report, *, conflict=False):
    """The builder. A selection with nothing to report (a local report without its
    jurisdiction, filters matching nothing) shows the same form with the reason, so what
    the author typed stays."""
    action = request.POST.get("action", "preview") if request.method == "POST" else "preview"
    try:
        if action in ("docx", "pdf"):
            return download(request, spec, action)
        document = document_for(request, spec, preview=True)
    except NothingSelected as exc:
        document, reason = None, str(exc)
    else:
        reason = ""
    if document and action == "print":
        if document.recommendation_count > len(document.citations):
            # Too large to lay out in a request: the PDF is built in the background.
            return download(request, spec, "pdf")
        return HttpResponse(render_print_html(document))
    if document and action == "save" and not conflict:
        return save(request, spec, report, document)
    texts = clean_texts(spec)
    selection = selection_from_spec(spec)
    local = selection.kind == ReportKind.LOCAL
    shown = {block.field for block in document.blocks} if document else set()
    context = {
        "document": document,
        "reason": reason,
        "spec": texts,
        "report": report,
        # The builder's own controls stand for these parameters; the rest ride along.
        "filters": [
            (k, v)
            for k, vs in QueryDict(spec["query"]).lists()
            for v in vs
            if not (local and k == "jurisdiction")
        ],
        "chips": filter_chips(
            spec["query"], skip={"under_review"} | ({"jurisdiction"} if local else set())
        ),
        "jurisdictions": jurisdiction_choices(selection) if local else [],
        "jurisdiction": selection.params.get("jurisdiction", ""),
        # Assessments of recommendations the current selection leaves out: kept, should
        # they come back.
        "kept_assessments": [
            (key, value)
            for key, value in texts["assessments"].items()
            if f"assessment-{key}" not in shown
        ],
        "kinds": ReportKind.choices,
        "limits": WordLimit.choices,
        "languages": settings.LANGUAGES,
        "word_limits": {key: value or "" for key, value in WORD_LIMITS.items()},
        "can_save": is_staff_member(request.user) or (report and can_edit(request.user, report)),
        "what_is_counted": WHAT_IS_COUNTED,
        # The version this form was opened at: a save from it may not overwrite a newer one.
        "version": request.POST.get("version") if conflict else (report and report.version),
    }
    return render(request, "reports/builder.html", context, status=409 if conflict else 200)


def save(request, spec, report, document):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if report is None and not is_staff_member(request.user):
        raise PermissionDenied(_("Only jurisdiction staff and curators can save reports."))
    spec = {**clean_texts(spec), "title": document.title}
    if report is None:
        report = Report(owner=request.user)
        report.apply_spec(spec)
        report.save()
    elif not report.save_over(request.POST.get("version", ""), spec):
        messages.error(
            request,
            _(
                "Someone saved this report after you opened it, so your changes were not "
                "saved. Your text is still below: copy what you need, then reload the page to "
                "see theirs."
            ),
        )
        return builder_page(request, spec, report, conflict=True)
    messages.success(
        request,
        _("Report saved. Anyone with its address can read it; share it with those who should."),
    )
    return redirect(report)


def stable_download(request, kind, fmt):
    if kind not in ReportKind.values or fmt not in ("docx", "pdf"):
        raise Http404(_("No such report."))
    try:
        return download(request, spec_from_request(request, kind=kind), fmt)
    except NothingSelected as exc:
        return render(request, "reports/empty.html", {"reason": str(exc)}, status=404)


def saved_download(request, token, fmt):
    report = _visible_report(request, token)
    if fmt not in ("docx", "pdf"):
        raise Http404(_("Reports come as .docx or .pdf."))
    try:
        return download(request, report.spec(), fmt)
    except NothingSelected as exc:
        return render(request, "reports/empty.html", {"reason": str(exc)}, status=404)


def my_reports(request):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    reports = Report.objects.select_related("owner")
    if not is_curator(request.user):
        reports = reports.filter(owner=request.user)
    return render(request, "reports/list.html", {"reports": reports[:200]})


def build_status(request, token):
    build = get_object_or_404(ReportBuild, token=token)
    return render(request, "reports/build.html", {"build": build})


def build_file(request, token):
    build = get_object_or_404(ReportBuild, token=token, status=ReportBuild.Status.SUCCEEDED)
    name = f"report.{build.format}"
    return FileResponse(build.file.open("rb"), as_attachment=True, filename=name)
