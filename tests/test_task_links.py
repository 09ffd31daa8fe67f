"""The evidence link checker against a local HTTP server."""

import pytest

from jurisdictions import linkcheck
from jurisdictions.models import EvidenceLink
from jurisdictions.tasks import check_evidence_links
from recommendations.models import TaskRun
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _loopback_and_quick(monkeypatch, settings):
    # These tests serve pages from 127.0.0.1, which production refuses to fetch.
    settings.FETCH_ALLOW_LOOPBACK = True
    monkeypatch.setattr(linkcheck, "HOST_INTERVAL_SECONDS", 0.2)


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
