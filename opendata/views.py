"""The bulk files' pages: /data/ (the sets and the licence), each file at a dated and a
"latest" address, and the DCAT-US catalogue /data.json."""

from django.conf import settings
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date, quote_etag
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from recommendations.absolute_urls import base_url

from . import bulk, catalog


@require_safe
def index(request):
    sets = [{"day": day, "manifest": bulk.manifest(day)} for day in bulk.days()]
    return render(
        request,
        "opendata/index.html",
        {
            "sets": [s for s in sets if s["manifest"]],
            "licence": catalog.LICENCE,
            "retention_days": settings.OPEN_DATA_RETENTION_DAYS,
        },
    )


def licence(request):
    """The licence statement lives on the index page; this address is easier to cite."""
    return redirect(reverse("opendata:index") + "#licence")


def _entry(manifest: dict, name: str) -> dict | None:
    if name == bulk.MANIFEST:
        return {"name": name, "media_type": "application/json"}
    return next((f for f in manifest.get("files", []) if f["name"] == name), None)


@require_safe
def data_file(request, name, day=None):
    """A file of a set: only names the manifest lists are served, so no path from the URL
    ever reaches the file system unchecked."""
    days = bulk.days()
    if day is None:
        if not days:
            raise Http404(_("No bulk files have been built yet."))
        day = days[0]
    elif day not in days:
        raise Http404(_("No bulk files for that day."))
    manifest = bulk.manifest(day) or {}
    entry = _entry(manifest, name)
    if entry is None:
        raise Http404(_("No such file in that set."))
    path = bulk.data_dir() / day / name
    try:
        stat = path.stat()
    except FileNotFoundError as exc:
        raise Http404(_("No such file in that set.")) from exc
    etag = quote_etag(entry.get("sha256", f"{stat.st_size:x}-{int(stat.st_mtime):x}")[:32])
    modified = int(stat.st_mtime)
    not_modified = get_conditional_response(request, etag=etag, last_modified=modified)
    if not_modified is not None:
        response = not_modified
    else:
        response = FileResponse(
            open(path, "rb"),  # noqa: SIM115 - FileResponse closes it
            content_type=entry["media_type"],
            as_attachment=name != bulk.MANIFEST,
            filename=name if request.resolver_match.url_name == "latest-file" else f"{day}-{name}",
        )
        response["Content-Length"] = stat.st_size
    response["ETag"] = etag
    response["Last-Modified"] = http_date(modified)
    # A dated file never changes; "latest" moves to the next set each day.
    dated = request.resolver_match.url_name == "day-file"
    patch_cache_control(response, public=True, max_age=86400 * 30 if dated else 3600)
    return response


@require_safe
def data_json(request):
    response = JsonResponse(catalog.data_json(base_url(request)), json_dumps_params={"indent": 2})
    patch_cache_control(response, public=True, max_age=3600)
    return response
