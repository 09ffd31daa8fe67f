"""The evidence link checker against a local HTTP server."""

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from jurisdictions import linkcheck
from jurisdictions.models import EvidenceLink
from jurisdictions.tasks import check_evidence_links
from recommendations.models import TaskRun
from tests import factories as f

pytestmark = pytest.mark.django_db


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

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def url(self, path):
        return f"http://127.0.0.1:{self.httpd.server_port}{path}"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server():
    with LocalServer() as running:
        yield running


@pytest.fixture(autouse=True)
def fast_and_eager(monkeypatch, settings):
    from upr_tracker.celery import app

    # These tests serve pages from 127.0.0.1, which production refuses to fetch.
    settings.FETCH_ALLOW_LOOPBACK = True

    monkeypatch.setattr(linkcheck, "HOST_INTERVAL_SECONDS", 0.2)
    old = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = old


def test_it_collects_every_source_and_evidence_url_once(server):
    shared = server.url("/law")
    one = f.commitment(source_url=shared)
    f.commitment(source_url=shared)
    f.update(one, evidence_url=server.url("/report"))

    assert linkcheck.collect_urls() == 2
    assert linkcheck.collect_urls() == 0
    assert set(EvidenceLink.objects.values_list("url", flat=True)) == {
        shared,
        server.url("/report"),
    }


def test_a_link_that_fails_two_checks_in_a_row_is_flagged_dead(server):
    server.routes["/law"] = (200, b"ok", {})
    f.commitment(source_url=server.url("/law"))

    check_evidence_links(recheck_after_hours=0)
    link = EvidenceLink.objects.get()
    assert (link.last_status_code, link.is_dead) == (200, False)

    del server.routes["/law"]
    check_evidence_links(recheck_after_hours=0)
    link.refresh_from_db()
    assert (link.last_status_code, link.consecutive_failures, link.is_dead) == (404, 1, False)

    check_evidence_links(recheck_after_hours=0)
    link.refresh_from_db()
    assert (link.consecutive_failures, link.is_dead) == (2, True)
    assert list(EvidenceLink.objects.dead()) == [link]


def test_a_link_that_recovers_loses_its_dead_flag(server):
    f.commitment(source_url=server.url("/law"))
    check_evidence_links(recheck_after_hours=0)
    check_evidence_links(recheck_after_hours=0)
    assert EvidenceLink.objects.dead().count() == 1

    server.routes["/law"] = (200, b"ok", {})
    check_evidence_links(recheck_after_hours=0)

    assert EvidenceLink.objects.dead().count() == 0
    assert EvidenceLink.objects.get().consecutive_failures == 0


def test_a_server_that_refuses_head_is_checked_with_get(server):
    server.refuse_head = True
    server.routes["/law"] = (200, b"ok", {})
    f.commitment(source_url=server.url("/law"))

    check_evidence_links(recheck_after_hours=0)

    assert EvidenceLink.objects.get().last_status_code == 200
    assert [method for method, _, _ in server.requests] == ["HEAD", "GET"]


def test_redirects_are_followed_to_the_final_answer(server):
    server.routes["/old"] = (301, b"", {"Location": "/new"})
    server.routes["/new"] = (200, b"ok", {})
    f.commitment(source_url=server.url("/old"))

    check_evidence_links(recheck_after_hours=0)

    assert EvidenceLink.objects.get().last_status_code == 200


def test_requests_to_one_host_are_spaced_out(server, monkeypatch):
    monkeypatch.setattr(linkcheck, "HOST_INTERVAL_SECONDS", 0.5)
    for n in range(3):
        server.routes[f"/doc{n}"] = (200, b"ok", {})
        f.commitment(source_url=server.url(f"/doc{n}"))

    check_evidence_links(recheck_after_hours=0)

    times = [at for _, _, at in server.requests]
    assert len(times) == 3
    # Measured where the server receives them, so allow for scheduling jitter.
    assert min(b - a for a, b in zip(times, times[1:], strict=False)) >= 0.35


def test_an_unreachable_host_counts_as_a_failure_with_the_error_kept():
    f.commitment(source_url="http://127.0.0.1:9/gone")

    check_evidence_links(recheck_after_hours=0)

    link = EvidenceLink.objects.get()
    assert link.last_status_code is None
    assert "ConnectionError" in link.last_error
    assert link.consecutive_failures == 1


def test_a_second_run_in_the_same_week_checks_nothing_again(server):
    server.routes["/law"] = (200, b"ok", {})
    f.commitment(source_url=server.url("/law"))

    check_evidence_links()
    counts = check_evidence_links()

    assert len(server.requests) == 1
    assert counts["links_queued"] == 0
    assert TaskRun.objects.filter(task="jurisdictions.tasks.check_host_links").count() == 1
