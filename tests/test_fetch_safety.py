"""No saved URL makes the app fetch an address inside its own network.

Forms refuse internal addresses as staff type them; the link checker and the upstream
sync resolve each name, refuse internal answers, and check every redirect again."""

import socket

import pytest
from django.urls import reverse

from jurisdictions import linkcheck
from jurisdictions.forms import CommitmentForm
from jurisdictions.models import Commitment, EvidenceLink
from jurisdictions.tasks import check_evidence_links
from tests import factories as f

pytestmark = pytest.mark.django_db

INTERNAL_URLS = [
    "http://127.0.0.1/admin/",
    "http://127.8.0.1/",
    "http://10.0.0.5/report",
    "http://172.16.3.4/",
    "http://172.31.255.1/",
    "http://192.168.1.1/",
    "http://169.254.169.254/latest/meta-data/",
    "http://[::1]/",
    "http://[fc00::1]/",
    "http://[fd12:3456::1]/",
    "http://[fe80::1]/",
    "http://[::ffff:127.0.0.1]/",
    "http://localhost/",
    "http://LOCALHOST./",
    "http://api.localhost/",
    "http://db.internal/",
    "http://metadata.google.internal/computeMetadata/v1/",
    "http://0.0.0.0/",
    "http://2130706433/",
    "http://0x7f000001/",
    "http://0177.0.0.1/",
    "http://127.1/",
    "http://0x7f.1/",
    "http://[::]/",
    "http://224.0.0.1/",
    "http://100.64.0.1/",
    "file:///etc/passwd",
]


@pytest.fixture(autouse=True)
def _fast(monkeypatch):
    monkeypatch.setattr(linkcheck, "HOST_INTERVAL_SECONDS", 0)


def commitment_form(url):
    return CommitmentForm(
        data={
            "title": "Fair housing ordinance",
            "kind": "ordinance",
            "status": "adopted",
            "adopted_on": "2021-03-02",
            "source_url": url,
        }
    )


@pytest.mark.parametrize("url", INTERNAL_URLS)
def test_the_commitment_form_refuses_an_internal_address(url):
    form = commitment_form(url)

    assert not form.is_valid()
    assert "source_url" in form.errors


@pytest.mark.parametrize(
    "url",
    [
        "https://www.pittsburghpa.gov/ordinance-34-2016",
        "http://93.184.215.14/report.pdf",
        "https://[2606:4700::1111]/",
        "https://city.example.org/minutes",
    ],
)
def test_the_commitment_form_accepts_a_public_address(url):
    assert commitment_form(url).is_valid(), commitment_form(url).errors


def test_an_editor_is_told_why_an_internal_address_is_refused(client):
    pittsburgh = f.jurisdiction(slug="pittsburgh")
    editor = f.user()
    f.membership(editor, pittsburgh)
    client.force_login(editor)

    response = client.post(
        reverse("staff:commitment-create", args=[pittsburgh.slug]),
        {
            "title": "Fair housing ordinance",
            "kind": "ordinance",
            "status": "adopted",
            "adopted_on": "2021-03-02",
            "source_url": "http://169.254.169.254/latest/meta-data/",
        },
    )

    assert response.status_code == 200
    assert "points inside a private network" in response.content.decode()
    assert not Commitment.objects.exists()


def test_an_update_form_refuses_an_internal_evidence_address(client):
    pittsburgh = f.jurisdiction(slug="pittsburgh")
    editor = f.user()
    f.membership(editor, pittsburgh)
    commitment = f.commitment(jurisdiction=pittsburgh, publication="draft")
    client.force_login(editor)

    response = client.post(
        reverse("staff:update-create", args=[commitment.pk]),
        {"reported_on": "2022-02-01", "summary": "Hired.", "evidence_url": "http://[::1]:6379/"},
    )

    assert "points inside a private network" in response.content.decode()
    assert not commitment.updates.exists()


def test_the_checker_does_not_fetch_a_saved_internal_address(server):
    # Saved before the form check existed (or through a path without one).
    server.routes["/admin"] = (200, b"secret", {})
    f.commitment(source_url=server.url("/admin"))

    check_evidence_links(recheck_after_hours=0)

    assert server.requests == []
    link = EvidenceLink.objects.get()
    assert link.last_status_code is None
    assert link.last_error.startswith("Refused")


def test_the_checker_refuses_a_public_name_that_resolves_to_an_internal_address(
    server, monkeypatch
):
    server.routes["/admin"] = (200, b"secret", {})
    port = server.httpd.server_port
    real = socket.getaddrinfo

    def rebinding_dns(host, *args, **kwargs):
        if host == "evidence.example.org":
            return real("127.0.0.1", *args, **kwargs)
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding_dns)
    f.commitment(source_url=f"http://evidence.example.org:{port}/admin")

    check_evidence_links(recheck_after_hours=0)

    assert server.requests == []
    assert "internal address" in EvidenceLink.objects.get().last_error


@pytest.mark.parametrize(
    "target",
    ["http://169.254.169.254/latest/meta-data/", "http://10.1.2.3/", "http://localhost/"],
)
def test_a_redirect_to_an_internal_address_is_not_followed(server, settings, target):
    settings.FETCH_ALLOW_LOOPBACK = True  # the first hop is the local test server
    server.routes["/moved"] = (302, b"", {"Location": target})
    f.commitment(source_url=server.url("/moved"))

    check_evidence_links(recheck_after_hours=0)

    link = EvidenceLink.objects.get()
    assert link.last_error.startswith("Refused")
    assert [method for method, _, _ in server.requests] == ["HEAD"]


def test_a_redirect_loop_stops_after_five_redirects(server, settings):
    settings.FETCH_ALLOW_LOOPBACK = True
    server.routes["/loop"] = (302, b"", {"Location": "/loop"})
    f.commitment(source_url=server.url("/loop"))

    check_evidence_links(recheck_after_hours=0)

    # The first request and five redirects; no GET retry of a URL that loops.
    assert len(server.requests) == 6
    assert "TooManyRedirects" in EvidenceLink.objects.get().last_error


def test_five_redirects_are_still_followed(server, settings):
    settings.FETCH_ALLOW_LOOPBACK = True
    for n in range(5):
        server.routes[f"/hop{n}"] = (301, b"", {"Location": f"/hop{n + 1}"})
    server.routes["/hop5"] = (200, b"ok", {})
    f.commitment(source_url=server.url("/hop0"))

    check_evidence_links(recheck_after_hours=0)

    assert EvidenceLink.objects.get().last_status_code == 200


def test_drafts_and_unpublished_updates_are_never_fetched(server, settings):
    settings.FETCH_ALLOW_LOOPBACK = True
    server.routes["/draft"] = (200, b"ok", {})
    f.commitment(source_url=server.url("/draft"), publication="draft")
    f.commitment(source_url=server.url("/draft"), publication="submitted")
    public = f.commitment()
    f.update(public, evidence_url=server.url("/draft"), publication="submitted")
    hidden = f.commitment(publication="rejected")
    f.update(hidden, evidence_url=server.url("/draft"), publication="published")

    check_evidence_links(recheck_after_hours=0)

    assert server.requests == []
    assert not EvidenceLink.objects.exists()


def test_a_link_whose_commitment_went_back_to_draft_is_no_longer_fetched(server, settings):
    settings.FETCH_ALLOW_LOOPBACK = True
    server.routes["/law"] = (200, b"ok", {})
    commitment = f.commitment(source_url=server.url("/law"))
    check_evidence_links(recheck_after_hours=0)
    assert len(server.requests) == 1

    Commitment.objects.filter(pk=commitment.pk).update(publication="draft")
    check_evidence_links(recheck_after_hours=0)

    assert len(server.requests) == 1
