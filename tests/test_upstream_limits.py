"""Upstream sync limits: a size cap, an overall deadline, sources that fail alone, and no
partial download left on disk whatever happens."""

import socket
import threading
import time
from pathlib import Path

import pytest
from django.utils import timezone

from recommendations import upstream
from recommendations.models import ImportRun, UpstreamSource
from recommendations.tasks import sync_upstream
from tests.helpers import ORIGINAL

pytestmark = pytest.mark.django_db


class DribblingServer:
    """Answers 200 and then sends one byte every `interval` seconds, with no length, until
    the client hangs up: a download that never ends on its own."""

    def __init__(self, interval=0.05):
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.interval = interval
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)

    def _serve(self):
        self.listener.settimeout(0.2)
        while not self.stop.is_set():
            try:
                conn, _ = self.listener.accept()
            except TimeoutError:
                continue
            with conn:
                conn.recv(65536)
                try:
                    conn.sendall(b"HTTP/1.0 200 OK\r\nContent-Type: text/csv\r\n\r\n")
                    while not self.stop.is_set():
                        conn.sendall(b"x")
                        time.sleep(self.interval)
                except OSError:
                    pass

    def url(self, path):
        return f"http://127.0.0.1:{self.listener.getsockname()[1]}{path}"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join(5)
        self.listener.close()


def partial_files(settings):
    return sorted(Path(settings.MEDIA_ROOT).rglob("*.part"))


def test_an_export_over_the_size_cap_is_refused_and_nothing_is_kept(
    upstream_source, settings, server
):
    settings.UPSTREAM_MAX_BYTES = len(ORIGINAL) - 1

    counts = sync_upstream()

    assert counts["failed"] == 1
    upstream_source.refresh_from_db()
    assert "larger than" in upstream_source.last_error
    assert "UPSTREAM_MAX_BYTES" in upstream_source.last_error
    assert not ImportRun.objects.exists()
    assert list(Path(settings.MEDIA_ROOT, "upstream").iterdir()) == []


def test_the_size_cap_holds_when_the_server_sends_no_length(settings, reference_data, tmp_path):
    settings.FETCH_ALLOW_LOOPBACK = True
    settings.MEDIA_ROOT = tmp_path
    settings.UPSTREAM_MAX_BYTES = 40
    with DribblingServer(interval=0.001) as dribbling:
        source = UpstreamSource.objects.create(name="Endless", url=dribbling.url("/x.csv"))
        counts = sync_upstream()

    assert counts["failed"] == 1
    source.refresh_from_db()
    assert "larger than 40 bytes" in source.last_error
    assert partial_files(settings) == []


def test_a_download_that_outlasts_the_deadline_is_stopped(settings, reference_data, tmp_path):
    settings.FETCH_ALLOW_LOOPBACK = True
    settings.MEDIA_ROOT = tmp_path
    settings.UPSTREAM_SYNC_DEADLINE_SECONDS = 1
    with DribblingServer() as dribbling:
        source = UpstreamSource.objects.create(name="Slow", url=dribbling.url("/x.csv"))
        counts = sync_upstream()

    assert counts["failed"] == 1
    source.refresh_from_db()
    assert "ran out of time" in source.last_error
    assert partial_files(settings) == []


def test_a_slow_source_uses_only_its_share_of_the_deadline(upstream_source, settings):
    """Two sources and two seconds: the endless one (never checked, so first in turn) is
    stopped after its one second, and the other one is still downloaded and imported."""
    settings.FETCH_ALLOW_LOOPBACK = True
    settings.UPSTREAM_SYNC_DEADLINE_SECONDS = 2
    upstream_source.last_checked_at = timezone.now()
    upstream_source.save(update_fields=["last_checked_at"])
    with DribblingServer() as dribbling:
        slow = UpstreamSource.objects.create(name="Slow", url=dribbling.url("/x.csv"))
        counts = sync_upstream()

    assert (counts["failed"], counts["imported"], counts["deferred"]) == (1, 1, 0)
    slow.refresh_from_db()
    assert "ran out of time" in slow.last_error
    assert ImportRun.objects.get().status == "succeeded"


def test_sources_not_started_before_the_deadline_wait_for_the_next_run(
    upstream_source, settings, monkeypatch
):
    UpstreamSource.objects.create(name="Second", url=upstream_source.url, format="upr_info")
    monkeypatch.setattr(upstream, "deadline_from_now", lambda: time.monotonic() - 1)

    counts = sync_upstream()

    assert (counts["deferred"], counts["checked"]) == (2, 0)
    assert not ImportRun.objects.exists()


def test_one_unreachable_source_does_not_stop_the_others(upstream_source, settings):
    dead = UpstreamSource.objects.create(name="A closed port", url="http://127.0.0.1:9/x.csv")

    counts = sync_upstream()

    assert (counts["failed"], counts["imported"]) == (1, 1)
    dead.refresh_from_db()
    assert "ConnectionError" in dead.last_error
    assert ImportRun.objects.get().status == "succeeded"
    assert partial_files(settings) == []


def test_one_source_that_crashes_does_not_stop_the_others(upstream_source, settings, monkeypatch):
    broken = UpstreamSource.objects.create(name="A broken one", url=upstream_source.url)
    real = upstream.download

    def download(source, deadline):
        if source.pk == broken.pk:
            raise RuntimeError("disk full")
        return real(source, deadline)

    monkeypatch.setattr(upstream, "download", download)

    counts = sync_upstream()

    assert (counts["failed"], counts["imported"]) == (1, 1)
    broken.refresh_from_db()
    assert broken.last_error == "Sync failed: disk full"


def test_an_internal_upstream_address_is_refused(reference_data, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    source = UpstreamSource.objects.create(
        name="Metadata", url="http://169.254.169.254/latest/meta-data/"
    )

    counts = sync_upstream()

    assert counts["failed"] == 1
    source.refresh_from_db()
    assert source.last_error.startswith("Refused")


def test_no_partial_file_is_left_after_any_outcome(upstream_source, server, settings):
    folder = Path(settings.MEDIA_ROOT, "upstream")
    folder.mkdir(parents=True)
    # What a worker killed mid-download leaves behind.
    (folder / f"{upstream_source.pk}-killed.part").write_bytes(b"half a file")

    sync_upstream()  # imported
    sync_upstream()  # 304 not modified
    server.routes["/export.csv"] = (200, ORIGINAL, {"ETag": '"v2"'})
    sync_upstream()  # same bytes, new ETag
    server.routes["/export.csv"] = (500, b"oops", {})
    sync_upstream()  # server error
    settings.UPSTREAM_MAX_BYTES = 10
    server.routes["/export.csv"] = (200, ORIGINAL + b"\n", {"ETag": '"v3"'})
    sync_upstream()  # too large

    assert partial_files(settings) == []
    assert len(list(folder.iterdir())) == 1  # the one imported file
