"""The upstream sync of one source: download within limits, then import if it changed.

The download goes through fetch.py (no internal addresses, at most five checked
redirects), stops past ``UPSTREAM_MAX_BYTES`` or the run's deadline, and never leaves its
``.part`` file behind: it is removed on every failure, and a file left by a killed worker
is swept before the source is next downloaded.
"""

import hashlib
import logging
import tempfile
import time
from pathlib import Path

import requests
from django.conf import settings
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify

from . import fetch
from .models import ImportRun, UpstreamSource

logger = logging.getLogger(__name__)
USER_AGENT = "UPR Tracker upstream sync"
# Connect and read timeouts of one request; the run's deadline caps them further.
REQUEST_TIMEOUT = 120


def folder() -> Path:
    path = Path(settings.MEDIA_ROOT) / "upstream"
    path.mkdir(parents=True, exist_ok=True)
    return path


def sweep_partial_downloads(source_id: int) -> None:
    """Remove this source's unfinished downloads (only the caller holding the source's
    lock downloads it, so none of them is still being written)."""
    for leftover in folder().glob(f"{source_id}-*.part"):
        leftover.unlink(missing_ok=True)


def record(source_id: int, **fields) -> None:
    UpstreamSource.objects.filter(pk=source_id).update(last_checked_at=timezone.now(), **fields)


def download(source: UpstreamSource, deadline: float) -> tuple[str, Path | None, str, str]:
    """Returns (outcome, path of the complete download, its SHA-256, the ETag); outcome is
    "unchanged" (304) or "downloaded"; raises on any failure, leaving no file."""
    headers = {"If-None-Match": source.etag} if source.etag else {}
    client = fetch.session(USER_AGENT)
    digest = hashlib.sha256()
    tmp = tempfile.NamedTemporaryFile(
        dir=folder(), prefix=f"{source.pk}-", suffix=".part", delete=False
    )
    try:
        with (
            tmp,
            fetch.open_url(
                client, source.url, headers=headers, timeout=REQUEST_TIMEOUT, deadline=deadline
            ) as response,
        ):
            if response.status_code == 304:
                Path(tmp.name).unlink()
                return "unchanged", None, "", source.etag
            if response.status_code >= 400:
                raise requests.HTTPError(f"HTTP {response.status_code}", response=response)
            etag = response.headers.get("ETag", "")[:300]
            for chunk in fetch.read_body(
                response, max_bytes=settings.UPSTREAM_MAX_BYTES, deadline=deadline
            ):
                digest.update(chunk)
                tmp.write(chunk)
    except BaseException:
        # Any failure, a task time limit included, takes the partial file with it.
        Path(tmp.name).unlink(missing_ok=True)
        raise
    return "downloaded", Path(tmp.name), digest.hexdigest(), etag


def sync_source(source_id: int, deadline: float) -> str:
    """Returns "unchanged", "imported" or "failed"; the reason is kept on the source."""
    from .importers import runs

    source = UpstreamSource.objects.get(pk=source_id)
    sweep_partial_downloads(source_id)
    try:
        outcome, tmp, sha, etag = download(source, deadline)
    except requests.HTTPError as exc:
        record(source_id, last_error=str(exc))
        return "failed"
    except requests.RequestException as exc:
        record(source_id, last_error=_describe(exc))
        return "failed"
    if outcome == "unchanged" or sha == source.last_hash:
        if tmp is not None:
            tmp.unlink(missing_ok=True)
        record(source_id, etag=etag, last_error="")
        return "unchanged"
    suffix = Path(source.url.split("?", 1)[0]).suffix or ".csv"
    path = folder() / f"{slugify(source.name) or source.pk}-{sha[:12]}{suffix}"
    tmp.replace(path)
    import_run = ImportRun.objects.start(path=path, file_name=path.name, format=source.format)
    try:
        report = runs.run(import_run.pk)
        problem = "" if report and report.ok else f"Import run {import_run.pk} found errors."
    except Exception as exc:
        logger.exception("Import of upstream source %s failed", source)
        problem = f"Import failed: {exc}"[:2000]
    if problem:
        # A crashed import must not stay "running" in the import history.
        ImportRun.objects.filter(
            pk=import_run.pk, status__in=[ImportRun.Status.QUEUED, ImportRun.Status.RUNNING]
        ).update(status=ImportRun.Status.FAILED, finished_at=timezone.now())
        record(source_id, last_error=problem)
        return "failed"
    # The hash and ETag are stored only after a successful import, so a failed one is
    # downloaded and tried again next time.
    record(source_id, etag=etag, last_hash=sha, last_error="")
    return "imported"


def _describe(exc: requests.RequestException) -> str:
    if isinstance(exc, fetch.UnsafeURL):
        return f"Refused: {exc}"
    if isinstance(exc, fetch.ResponseTooLarge):
        return f"{exc} Raise UPSTREAM_MAX_BYTES if the file is genuine."
    if isinstance(exc, fetch.DeadlinePassed):
        return "The sync ran out of time during this download; it is tried again next run."
    return f"{type(exc).__name__}: {exc}"[:2000]


def deadline_from_now() -> float:
    return time.monotonic() + settings.UPSTREAM_SYNC_DEADLINE_SECONDS


def in_turn(sources) -> list[int]:
    """The ids of `sources`, the one checked longest ago (or never) first."""
    return list(
        sources.order_by(F("last_checked_at").asc(nulls_first=True), "pk").values_list(
            "pk", flat=True
        )
    )


def fair_share(deadline: float, sources_left: int) -> float:
    """The deadline of the next of `sources_left` downloads: an equal part of the time
    left. Time a quick source did not use goes to the ones after it."""
    now = time.monotonic()
    return now + max(0.0, deadline - now) / max(1, sources_left)
