"""The curators' upload screen: /manage/imports/. The import itself runs as a Celery task."""

import uuid
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from .importers import readers
from .importers.report import ImportReport
from .models import Country, ImportRun
from .permissions import curator_required_error, is_curator
from .tasks import run_import

ALLOWED_SUFFIXES = {".csv", ".xlsx", ".xls", ".json"}


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy(
            "A UPR Info or UHRI export, a UN report table, or this site's own export."
        ),
    )
    format = forms.ChoiceField(
        label=gettext_lazy("Format"),
        choices=[
            ("", gettext_lazy("Detect from the file")),
            ("upr_info", gettext_lazy("UPR Info export")),
            ("uhri", gettext_lazy("UHRI export")),
            ("native", gettext_lazy("UPR Tracker export (CSV or JSON)")),
            ("un_report", gettext_lazy("UN report table (one row per paragraph)")),
            (
                "un_spanish",
                gettext_lazy(
                    "UN report table in Spanish (adds the Spanish text to recorded paragraphs)"
                ),
            ),
        ],
        required=False,
    )
    states = forms.CharField(
        required=False,
        initial="USA",
        label=gettext_lazy("States under review"),
        help_text=gettext_lazy(
            "ISO codes separated by spaces. Rows about other states are skipped."
        ),
    )
    all_states = forms.BooleanField(
        required=False,
        label=gettext_lazy("Import every state under review in the file instead"),
    )
    skip_non_upr = forms.BooleanField(
        required=False,
        label=gettext_lazy("Skip treaty-body and special-procedure rows (UHRI)"),
    )
    dry_run = forms.BooleanField(
        required=False, label=gettext_lazy("Dry run: check and count, change nothing")
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if Path(upload.name).suffix.lower() not in ALLOWED_SUFFIXES:
            raise forms.ValidationError(_("Upload a .csv, .xlsx, .xls or .json file."))
        limit = settings.IMPORT_MAX_UPLOAD_MB
        if upload.size > limit * 1024 * 1024:
            raise forms.ValidationError(
                _("The file is %(size).1f MB; the limit is %(limit)s MB.")
                % {"size": upload.size / (1024 * 1024), "limit": limit}
            )
        if Path(upload.name).suffix.lower() == ".xlsx":
            try:
                readers.check_unpacked_size(upload)
            except readers.ReadError as exc:
                raise forms.ValidationError(str(exc)) from exc
            upload.seek(0)
        return upload

    def clean_states(self):
        codes = self.cleaned_data["states"].replace(",", " ").upper().split()
        bad = [code for code in codes if len(code) != 3 or not code.isalpha()]
        if bad:
            raise forms.ValidationError(_("Not ISO codes: %(codes)s.") % {"codes": ", ".join(bad)})
        return codes

    def clean(self):
        data = super().clean()
        if data.get("all_states"):
            data["states"] = []
        elif "states" in data and not data["states"]:
            self.add_error("states", _("Name a state under review, or tick every state."))
        return data


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
                    "format_given": bool(data["format"]),
                    "dry_run": data["dry_run"],
                    "states": data["states"],
                    "skip_non_upr": data["skip_non_upr"],
                    # The worker writes the row-level messages in the curator's language.
                    "language": translation.get_language() or settings.LANGUAGE_CODE,
                },
                user=request.user,
            )
            run_import.delay_on_commit(run.pk)
        return redirect(run)
    runs = Paginator(ImportRun.objects.select_related("user"), 50).get_page(request.GET.get("page"))
    return render(request, "imports/list.html", {"form": form, "runs": runs})


class AliasForm(forms.Form):
    """One unknown spelling from an import report, recorded as another name of a state."""

    spelling = forms.CharField(max_length=200, widget=forms.HiddenInput)
    country = forms.ModelChoiceField(
        queryset=Country.objects.all(),
        to_field_name="iso3",
        label=gettext_lazy("is another name for"),
    )


@curator_required
def import_detail(request, pk):
    run = get_object_or_404(ImportRun.objects.select_related("user"), pk=pk)
    report = run.report or {}
    outcome = ImportReport.from_dict(report)
    return render(
        request,
        "imports/detail.html",
        {
            "run": run,
            "errors": report.get("errors", []),
            "warnings": report.get("warnings", []),
            "states": sorted((report.get("states") or {}).items()),
            "nothing_imported": outcome.nothing_imported(),
            # Rows imported and rows skipped are told apart: "rows read" is both.
            "rows_imported": outcome.imported,
            "alias_forms": _alias_forms(report.get("errors", [])),
        },
    )


def _alias_forms(errors) -> list:
    """A form per unknown state spelling, the closest known state chosen already."""
    first_choice = {}
    for error in errors:
        if error.get("state_name") and error["state_name"] not in first_choice:
            first_choice[error["state_name"]] = (error.get("suggestions") or [""])[0]
    by_name = Country.objects.in_bulk(list(first_choice.values()), field_name="name")
    return [
        AliasForm(initial={"spelling": spelling, "country": getattr(by_name.get(n), "iso3", "")})
        for spelling, n in first_choice.items()
    ]


@require_POST
@curator_required
def add_alias(request, pk):
    """Records a spelling the import did not know; the curator then runs the file again."""
    run = get_object_or_404(ImportRun, pk=pk)
    form = AliasForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the state this spelling names."))
    elif form.cleaned_data["country"].add_alias(form.cleaned_data["spelling"]):
        country, spelling = form.cleaned_data["country"], form.cleaned_data["spelling"]
        messages.success(
            request,
            _("“%(spelling)s” now names %(country)s. Run the file again.")
            % {"spelling": spelling, "country": country},
        )
    else:
        messages.info(request, _("That spelling was known already."))
    return redirect(run)


@require_POST
@curator_required
def rerun(request, pk):
    """The same stored file, with the same options, as a new import."""
    old = get_object_or_404(ImportRun, pk=pk)
    if not old.file_path or not Path(old.file_path).exists():
        messages.error(request, _("The file was deleted after the retention period; upload it."))
        return redirect(old)
    with transaction.atomic():
        run = ImportRun.objects.start(
            path=old.file_path,
            file_name=old.file_name,
            format=old.format if old.options.get("format_given") else "",
            options=old.options,
            user=request.user,
        )
        run_import.delay_on_commit(run.pk)
    return redirect(run)


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
