"""From a request to a report: the spec (kind, selection, texts), the file answer, and
the hand-off of large reports to a background build."""

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.forms import ModelMultipleChoiceField
from django.http import HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.template.defaultfilters import slugify
from django.utils import timezone
from django.utils.translation import gettext as _
from django_ratelimit.core import is_ratelimited

from recommendations.absolute_urls import base_url
from recommendations.filters import RecommendationFilter

from ..models import site_language
from . import basket
from .document import assemble, clean_texts, report_language
from .formats import CONTENT_TYPES, RENDERERS
from .models import ACTIVE_BUILD, ReportBuild, spec_hash
from .pdf import PdfUnavailable
from .selection import matching_ids, read_selection, selection_from_spec

# Above this many recommendations a file is built by a Celery task, with progress, and
# the builder's preview shows only this many.
TASK_THRESHOLD = 100
# A finished build is handed to whoever asks for the same file this soon after.
REUSE_FOR = timedelta(minutes=10)


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
        # The builder's choice, else the language of the page it was asked from.
        "language": report_language(data.get("language") or site_language()),
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


def document_for(request, spec, *, preview=False):
    """The assembled document, its selection notes passed on as messages. Its links to this
    site start with the request's address (a saved report's spec has none of its own). A
    preview lays out only the first TASK_THRESHOLD recommendations."""
    document = assemble(
        {**spec, "base_url": base_url(request)}, limit=TASK_THRESHOLD if preview else None
    )
    for note in document.notes:
        messages.warning(request, note)
    return document


def file_response(document, fmt: str) -> HttpResponse:
    body = RENDERERS[fmt](document)
    response = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
    name = slugify(document.title)[:80] or "report"
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


def download(request, spec: dict, fmt: str):
    """A small report comes back as the file, made in the request; a large one is built
    by a worker and the visitor is sent to its progress page. Only the selection is
    counted here: a large document is never assembled inside a request. Raises
    NothingSelected when there is nothing to report."""
    # The build records the address asked on, for the links inside the file.
    spec = {**clean_texts(spec), "base_url": base_url(request)}
    size = len(matching_ids(selection_from_spec(spec))[0])
    if size <= TASK_THRESHOLD:
        document = document_for(request, spec)
        try:
            return file_response(document, fmt)
        except PdfUnavailable as exc:
            return refusal(request, _("PDF not available"), str(exc), status=503)
    return queue_build(request, spec, fmt, size)


def queue_build(request, spec: dict, fmt: str, size: int) -> HttpResponse:
    """Sends the visitor to the build of this very file: one already queued, running or
    finished a moment ago, or a new one if the client is within its limit and the queue
    has room."""
    fingerprint = spec_hash(spec, fmt)
    reusable = ReportBuild.objects.filter(spec_hash=fingerprint).filter(
        Q(status__in=ACTIVE_BUILD)
        | Q(status=ReportBuild.Status.SUCCEEDED, finished_at__gte=timezone.now() - REUSE_FOR)
    )
    if build := reusable.order_by("-created_at").first():
        return HttpResponseRedirect(build.get_absolute_url())
    per_hour = settings.REPORT_BUILDS_PER_CLIENT_PER_HOUR
    if is_ratelimited(
        request, group="report-builds", key="user_or_ip", rate=f"{per_hour}/h", increment=True
    ):
        return refusal(
            request,
            _("Too many report builds"),
            _(
                "You have started %(count)s report builds in the last hour, the most one "
                "visitor may. Download a smaller selection (up to %(threshold)s "
                "recommendations is made at once) or come back later."
            )
            % {"count": per_hour, "threshold": TASK_THRESHOLD},
            status=429,
        )
    if (
        ReportBuild.objects.filter(status__in=ACTIVE_BUILD).count()
        >= settings.REPORT_BUILDS_WAITING_MAX
    ):
        return refusal(
            request,
            _("The report builder is busy"),
            _(
                "Many large reports are being built right now. Nothing was queued; please try "
                "again in a few minutes."
            ),
            status=503,
        )
    from .tasks import build_report

    try:
        with transaction.atomic():
            build = ReportBuild.objects.create(
                spec=spec, spec_hash=fingerprint, format=fmt, total=size
            )
    except IntegrityError:
        # The same file was asked for at the same moment: follow that build.
        build = ReportBuild.objects.filter(spec_hash=fingerprint).order_by("-created_at").first()
    else:
        build_report.delay_on_commit(build.pk)
    return HttpResponseRedirect(build.get_absolute_url())


def refusal(request, heading: str, reason: str, *, status: int) -> HttpResponse:
    response = render(
        request, "reports/empty.html", {"reason": reason, "heading": heading}, status=status
    )
    if status in (429, 503):
        response["Retry-After"] = "600" if status == 429 else "120"
    return response
