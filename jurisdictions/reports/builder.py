"""From a request to a report: the spec (kind, selection, texts), the file answer, and
the hand-off of large reports to a background build."""

from django.contrib import messages
from django.forms import ModelMultipleChoiceField
from django.http import HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.template.defaultfilters import slugify

from recommendations.absolute_urls import base_url
from recommendations.filters import RecommendationFilter

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
    if data.getlist("drop"):
        # A filter's "remove" button in the builder: the same form, less that value.
        data = data.copy()
        for dropped in data.pop("drop"):
            key, _, value = dropped.partition("=")
            data.setlist(key, [v for v in data.getlist(key) if v != value])
    selection = read_selection(data, kind=kind, basket=basket.ids(request))
    for note in selection.notes:
        messages.warning(request, note)
    title = data.get("title", "")
    if title and title == data.get("default_title"):
        # The title field starts filled with the default title of the kind shown; left as
        # it was, it follows a change of kind rather than keeping the old kind's title.
        title = ""
    return {
        "kind": selection.kind,
        "limit": selection.limit,
        "query": selection.query,
        "ids": selection.ids,
        "state": selection.state,
        "base_url": base_url(request),
        "title": title,
        "organisations": data.get("organisations", ""),
        "introduction": data.get("introduction", ""),
        "assessments": {
            key.removeprefix("assessment-"): value
            for key, value in data.items()
            if key.startswith("assessment-")
        },
    }


def filter_chips(query: str, skip=()) -> list[dict]:
    """The selection's filters as the builder lists them, each with the value its "remove"
    button sends (`drop`): the list's own labels, the chosen value's name."""
    fields = RecommendationFilter(QueryDict(""), queryset=None).form.fields
    chips = []
    for key, values in QueryDict(query).lists():
        if key in skip or key not in fields:
            continue
        field = fields[key]
        for value in values:
            if isinstance(field, ModelMultipleChoiceField):
                found = field.queryset.filter(**{field.to_field_name or "pk": value}).first()
                name = str(found) if found else value
            else:
                name = dict(getattr(field, "choices", ())).get(value, value)
            label = field.label or key.replace("_", " ").capitalize()
            chips.append({"label": f"{label}: {name}", "drop": f"{key}={value}"})
    return chips


def document_for(request, spec):
    """The assembled document, its selection notes passed on as messages. Its links to this
    site start with the request's address (a saved report's spec has none of its own)."""
    document = assemble({**spec, "base_url": base_url(request)})
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

    build = ReportBuild.objects.create(
        spec={**spec, "base_url": document.base_url}, format=fmt, total=len(document.citations)
    )
    build_report.delay_on_commit(build.pk)
    return HttpResponseRedirect(build.get_absolute_url())
