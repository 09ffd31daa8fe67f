"""From a request to a report: the spec (kind, selection, texts), the file answer, and
the hand-off of large reports to a background build."""

from django.contrib import messages
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.template.defaultfilters import slugify

from . import basket
from .document import assemble
from .formats import CONTENT_TYPES, RENDERERS
from .models import ReportBuild
from .pdf import PdfUnavailable
from .selection import read_selection

# Above this many recommendations a file is built by a Celery task, with progress.
TASK_THRESHOLD = 100


def spec_from_request(request, *, kind=None) -> dict:
    """The spec the builder's form (POST) or a stable URL (GET) asks for; ignored values
    become messages on the next page shown."""
    data = request.POST if request.method == "POST" else request.GET
    selection = read_selection(data, kind=kind, basket=basket.ids(request))
    for note in selection.notes:
        messages.warning(request, note)
    return {
        "kind": selection.kind,
        "limit": selection.limit,
        "query": selection.query,
        "ids": selection.ids,
        "title": data.get("title", ""),
        "organisations": data.get("organisations", ""),
        "introduction": data.get("introduction", ""),
        "assessments": {
            key.removeprefix("assessment-"): value
            for key, value in data.items()
            if key.startswith("assessment-")
        },
    }


def document_for(request, spec):
    """The assembled document, its selection notes passed on as messages."""
    document = assemble(spec)
    for note in document.notes:
        messages.warning(request, note)
    return document


def file_response(document, fmt: str) -> HttpResponse:
    body = RENDERERS[fmt](document)
    response = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
    name = slugify(document.title)[:80] or "report"
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


def download(request, spec: dict, fmt: str, document):
    """A small report comes back as the file; a large one is queued and the visitor is
    sent to its progress page."""
    if len(document.citations) <= TASK_THRESHOLD:
        try:
            return file_response(document, fmt)
        except PdfUnavailable as exc:
            return render(
                request,
                "reports/empty.html",
                {"reason": str(exc), "heading": "PDF not available"},
                status=503,
            )
    from .tasks import build_report

    build = ReportBuild.objects.create(spec=spec, format=fmt, total=len(document.citations))
    build_report.delay_on_commit(build.pk)
    return HttpResponseRedirect(build.get_absolute_url())
