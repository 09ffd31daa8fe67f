"""Helpers shared by several test modules that are not fixtures (those are in conftest.py):
a local HTTP server, a real Celery worker subprocess, import files, staff form data."""

import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).parent / "data"

# --- Import files ---------------------------------------------------------------------

UPR_INFO_HEADER = "To,To-Rgrp,To-Org,Text,From,From-Rgrp,From-Org,Response,Action,Issue,Session"

# A UPR Info export as an upstream source serves it, and a row an update adds to it.
ORIGINAL = (DATA / "upr_info_original.csv").read_bytes()
EXTRA_ROW = (
    b"United States,WEOG,,Fund legal aid for tenants facing eviction.,"
    b"Norway,WEOG,,Accepted,4,Right to housing,9\n"
)


def write_upr_info(tmp_path, *rows, name="export.csv"):
    """A UPR Info CSV export with the given data rows (each one CSV line)."""
    path = tmp_path / name
    path.write_text("\n".join([UPR_INFO_HEADER, *rows]) + "\n", encoding="utf-8")
    return path


UHRI_HEADER = [
    "Text",
    "Countries Concerned",
    "Regions Concerned",
    "Reccomending Body",
    "Type",
    "Document Symbol",
    "Document Publication Date",
    "Date of publication on UHRI",
    "UPR Session",
    "UPR Reccomending States",
    "Recommending Regions",
    "UPR Position",
    "Themes",
    "Affected Persons",
    "Sdgs",
    "OHCHR Annotation Id",
]
UHRI_IDS = [str(uuid.UUID(int=n)) for n in range(1, 10)]


def uhri_row(**kw):
    """One UHRI export row (a recommendation to the United States); `kw` replaces cells."""
    row = {
        "Text": "- 26.49 Ratify the convention on the rights of the child.",
        "Countries Concerned": "- United States of America",
        "Regions Concerned": "- WEOG",
        "Reccomending Body": "- UPR",
        "Type": "- Recommendation",
        "Document Symbol": "- A/HRC/46/15",
        "Document Publication Date": 44208,
        "Date of publication on UHRI": 44300,
        "UPR Session": "- 36th Session",
        "UPR Reccomending States": "- Switzerland\n- Rwanda\n- Bahamas",
        "Recommending Regions": "- WEOG\n- Africa",
        "UPR Position": "- Supported",
        "Themes": "- Ratification of & accession to international instruments\n- Children: rights",
        "Affected Persons": "- Children",
        "Sdgs": "- 16.3 - Promote the rule of law and equal access to justice",
        "OHCHR Annotation Id": f"- {UHRI_IDS[0]}",
    }
    row.update(kw)
    return row


def write_xlsx(path, rows, header=UHRI_HEADER):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append([row.get(name, "") for name in header])
    book.save(path)
    return path


# --- Staff forms ----------------------------------------------------------------------


def commitment_form_data(commitment, version=None, **changes):
    """The commitment edit form as posted unchanged (at `version`, by default the current
    one), with `changes` applied."""
    data = {
        "title": commitment.title,
        "kind": commitment.kind,
        "status": commitment.status,
        "summary": commitment.summary,
        "adopted_on": commitment.adopted_on.isoformat(),
        "version": commitment.version if version is None else version,
    }
    data.update(changes)
    return data


# --- A local HTTP server --------------------------------------------------------------


class LocalServer:
    """A throwaway HTTP server on 127.0.0.1: routes map a path to (status, body, headers)."""

    def __init__(self):
        self.routes: dict[str, tuple[int, bytes, dict]] = {}
        self.requests: list[tuple[str, str, float]] = []
        self.refuse_head = False
        self.delay = 0.0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self, with_body):
                outer.requests.append((self.command, self.path, time.monotonic()))
                if outer.delay:
                    time.sleep(outer.delay)
                if self.command == "HEAD" and outer.refuse_head:
                    self.send_response(405)
                    self.end_headers()
                    return
                status, body, headers = outer.routes.get(self.path, (404, b"missing", {}))
                etag = headers.get("ETag")
                if etag and self.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    self.end_headers()
                    return
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if with_body:
                    self.wfile.write(body)

            def do_GET(self):
                self._answer(True)

            def do_HEAD(self):
                self._answer(False)

            def do_POST(self):
                outer.on_post(self)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def url(self, path):
        return f"http://127.0.0.1:{self.httpd.server_port}{path}"

    def on_post(self, handler):
        """POST is refused unless a subclass answers it (tests/test_webhooks.py does)."""
        handler.send_response(405)
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


# --- Redis (REDIS_URL set) ------------------------------------------------------------

# Every key a test run writes, cache and broker queues alike, starts with this, so a run
# neither reads nor empties what another process keeps in the same Redis database.
REDIS_NAMESPACE = f"upr-test-{uuid.uuid4().hex[:10]}"
REDIS_NAMESPACE_ENV = "UPR_TEST_REDIS_NAMESPACE"  # read by tests/worker_settings.py


def use_redis_namespace():
    """Points this process's cache and broker at the run's own keys, and any worker it
    starts too (they inherit the environment)."""
    from django.conf import settings
    from django.test.signals import clear_cache_handlers

    from upr_tracker.celery import app

    os.environ[REDIS_NAMESPACE_ENV] = REDIS_NAMESPACE
    settings.CACHES["default"]["KEY_PREFIX"] = REDIS_NAMESPACE
    clear_cache_handlers(setting="CACHES")
    prefix = f"{REDIS_NAMESPACE}:"
    options = {**settings.CELERY_BROKER_TRANSPORT_OPTIONS, "global_keyprefix": prefix}
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = options
    app.conf.broker_transport_options = options


def clear_redis_namespace(client) -> None:
    """Deletes this run's keys from the database `client` is connected to, and no others."""
    keys = list(client.scan_iter(match=f"{REDIS_NAMESPACE}:*", count=500))
    if keys:
        client.delete(*keys)


def unused_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def logged(caplog, text) -> bool:
    return any(text in record.getMessage() for record in caplog.records)


def use_redis_at(url, settings, monkeypatch):
    """This process's cache, broker and pending-refresh set at the Redis `url` (perhaps one
    that is not there), with tasks sent rather than run in process; undone after the test.
    """
    from upr_tracker.celery import app

    settings.REDIS_URL = url
    settings.CACHES = {
        "default": {
            "BACKEND": "upr_tracker.cache.FailSoftRedisCache",
            "LOCATION": url,
            "KEY_PREFIX": REDIS_NAMESPACE,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.task_always_eager = False  # restored by tests/conftest.py
    monkeypatch.setitem(app.conf, "broker_url", url)
    # Connections made before the test are for the usual broker; start from none.
    monkeypatch.setattr(app, "_pool", None)
    monkeypatch.setattr(app.amqp, "_producer_pool", None)


class RedisServer:
    """A redis-server of the test's own on a free port, without persistence, to be killed
    and started again (the machine's Redis is shared and never stopped)."""

    def __init__(self):
        self.port = unused_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )
        import redis

        client = redis.Redis(port=self.port)
        wait_for(lambda: _answers(client), timeout=10, what="redis-server to start")
        return self

    def kill(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)


def _answers(client) -> bool:
    import redis

    try:
        return client.ping()
    except redis.ConnectionError:
        return False


# --- A real Celery worker (tests marked `redis`) --------------------------------------


def worker_database_url() -> str:
    s = connection.settings_dict
    auth = quote(s["USER"] or "")
    if s["PASSWORD"]:
        auth += ":" + quote(s["PASSWORD"])
    host = quote(s["HOST"] or "127.0.0.1", safe="")  # a socket folder is a path
    return f"postgres://{auth}@{host}:{s['PORT'] or 5432}/{s['NAME']}"


class Worker:
    """A `celery worker --pool=solo` subprocess with its log kept for failure messages;
    it consumes the default queue unless given others (e.g. "reports")."""

    def __init__(self, tmp_path: Path, queues: str = "celery", **env):
        self.queues = queues
        self.log_path = tmp_path / f"worker-{uuid.uuid4().hex[:6]}.log"
        self.env = {
            **os.environ,
            "DATABASE_URL": worker_database_url(),
            "EMAIL_URL": f"file://{tmp_path / 'mail'}",
            "MEDIA_ROOT": str(tmp_path / "media"),
            "DJANGO_SETTINGS_MODULE": "tests.worker_settings",
            **env,
        }
        self.process = None

    def start(self, wait=True):
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "upr_tracker",
                "worker",
                "--pool=solo",
                "-Q",
                self.queues,
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-n",
                f"h6-{uuid.uuid4().hex[:8]}@%h",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        if wait:
            self.wait_ready()
        return self

    def wait_ready(self):
        wait_for(lambda: "ready." in self.log(), self, timeout=40, what="the worker to start")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def kill(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()


def wait_for(predicate, worker=None, timeout=40.0, what="the task"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        if worker and worker.process and worker.process.poll() is not None:
            break
        time.sleep(0.25)
    log = worker.log()[-4000:] if worker else ""
    pytest.fail(f"Timed out waiting for {what}.\n--- worker log ---\n{log}")
