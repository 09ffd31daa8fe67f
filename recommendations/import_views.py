"""The curators' upload screen: /manage/imports/. The import itself runs as a Celery task."""

import uuid
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET

from .models import ImportRun
from .permissions import curator_required_error, is_curator
from .tasks import run_import

ALLOWED_SUFFIXES = {".csv", ".xlsx", ".xls", ".json"}


class ImportForm(forms.Form):
    file = forms.FileField(help_text="A UPR Info or UHRI export, or this site's own export.")
    format = forms.ChoiceField(
        choices=[
            ("", "Detect from the file"),
            ("upr_info", "UPR Info export"),
            ("uhri", "UHRI export"),
            ("native", "UPR Tracker export (CSV or JSON)"),
        ],
        required=False,
    )
    states = forms.CharField(
        required=False,
        label="Only these states under review",
        help_text="ISO codes separated by spaces, for example USA CAN. Empty: all states.",
    )
    skip_non_upr = forms.BooleanField(
        required=False,
        label="Skip treaty-body and special-procedure rows (UHRI)",
    )
    dry_run = forms.BooleanField(required=False, label="Dry run: check and count, change nothing")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if Path(upload.name).suffix.lower() not in ALLOWED_SUFFIXES:
            raise forms.ValidationError("Upload a .csv, .xlsx, .xls or .json file.")
        return upload

    def clean_states(self):
        codes = self.cleaned_data["states"].replace(",", " ").upper().split()
        bad = [code for code in codes if len(code) != 3 or not code.isalpha()]
        if bad:
            raise forms.ValidationError(f"Not ISO codes: {', '.join(bad)}.")
        return codes


def curator_required(view):
    @login_required
    def wrapped(request, *args, **kwargs):
        if not is_curator(request.user):
            raise curator_required_error()
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


def _store(upload) -> Path:
    folder = Path(settings.MEDIA_ROOT) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    # A fresh name per upload: two curators uploading "export.csv" never collide.
    target = folder / f"{uuid.uuid4().hex}{Path(upload.name).suffix.lower()}"
    with open(target, "wb") as fh:
        for chunk in upload.chunks():
            fh.write(chunk)
    return target


@curator_required
def import_list(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        path = _store(data["file"])
        with transaction.atomic():
            run = ImportRun.objects.start(
                path=path,
                file_name=Path(data["file"].name).name[:255],
                format=data["format"],
                options={
                    "dry_run": data["dry_run"],
                    "states": data["states"],
                    "skip_non_upr": data["skip_non_upr"],
                },
                user=request.user,
            )
            run_import.delay_on_commit(run.pk)
        return redirect(run)
    runs = Paginator(ImportRun.objects.select_related("user"), 50).get_page(request.GET.get("page"))
    return render(request, "imports/list.html", {"form": form, "runs": runs})


@curator_required
def import_detail(request, pk):
    run = get_object_or_404(ImportRun.objects.select_related("user"), pk=pk)
    report = run.report or {}
    return render(
        request,
        "imports/detail.html",
        {
            "run": run,
            "errors": report.get("errors", []),
            "warnings": report.get("warnings", []),
        },
    )


@require_GET
@curator_required
def import_status(request, pk):
    """Polled by the run page while the import runs."""
    run = get_object_or_404(ImportRun, pk=pk)
    return JsonResponse(
        {
            "status": run.status,
            "finished": run.is_finished,
            "rows_done": run.rows_done,
            "rows_total": run.rows_total,
            "percent": run.percent_done,
            "counts": {
                name: getattr(run, name)
                for name in ("created", "updated", "unchanged", "skipped", "errors")
            },
        }
    )
