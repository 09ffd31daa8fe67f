"""The evidence link checker: gathers every published URL and checks each one politely.

Only the background job calls this module; no web request ever waits on the network.
Drafts are never fetched: a URL is checked only while a published record cites it, and
every request goes through recommendations/fetch.py, which refuses internal addresses.
"""

import time
from datetime import timedelta
from urllib.parse import urlsplit

import requests
from django.db.models import F, Q
from django.utils import timezone

from recommendations import fetch

from .models import Commitment, EvidenceLink, ProgressUpdate, Publication

TIMEOUT_SECONDS = 10
# The whole check of one URL (both requests, every redirect) stops after this long.
URL_DEADLINE_SECONDS = 30
# At most one request per second to any one host.
HOST_INTERVAL_SECONDS = 1.0
# A link is dead after failing this many checks in a row.
DEAD_AFTER = 2
USER_AGENT = "UPR Tracker link checker (+https://github.com/)"


def published_source_urls():
    return Commitment.objects.published().exclude(source_url="").values("source_url")


def published_evidence_urls():
    return (
        ProgressUpdate.objects.filter(
            publication=Publication.PUBLISHED, commitment__publication=Publication.PUBLISHED
        )
        .exclude(evidence_url="")
        .values("evidence_url")
    )


def collect_urls() -> int:
    """Upsert an EvidenceLink for every published source and evidence URL; returns how
    many are new."""
    urls = {row["source_url"] for row in published_source_urls()}
    urls |= {row["evidence_url"] for row in published_evidence_urls()}
    before = EvidenceLink.objects.count()
    # ignore_conflicts makes this an upsert on the unique URL: reruns add nothing.
    EvidenceLink.objects.bulk_create(
        [EvidenceLink(url=url) for url in sorted(urls)], batch_size=1000, ignore_conflicts=True
    )
    return EvidenceLink.objects.count() - before


def links_by_host(recheck_after: timedelta) -> dict[str, list[int]]:
    """Ids of links due for a check, grouped by host so each host can be paced. A link
    whose records went back to draft (or were deleted) is left alone."""
    due = EvidenceLink.objects.filter(
        Q(last_checked_at__isnull=True) | Q(last_checked_at__lte=timezone.now() - recheck_after)
    ).filter(Q(url__in=published_source_urls()) | Q(url__in=published_evidence_urls()))
    hosts: dict[str, list[int]] = {}
    for pk, url in due.order_by("pk").values_list("pk", "url"):
        hosts.setdefault(urlsplit(url).hostname or "", []).append(pk)
    return hosts


def fetch_status(session: requests.Session, url: str) -> tuple[int | None, str]:
    """HEAD first, then GET for servers that refuse or mishandle HEAD; at most
    fetch.MAX_REDIRECTS redirects, each checked; the body is never read."""
    deadline = time.monotonic() + URL_DEADLINE_SECONDS
    error = ""
    try:
        with fetch.open_url(
            session, url, method="HEAD", timeout=TIMEOUT_SECONDS, deadline=deadline
        ) as response:
            if response.status_code < 400:
                return response.status_code, ""
    except fetch.UnsafeURL as exc:
        # A GET would be refused for the same reason: no second request.
        return None, f"Refused: {exc}"[:300]
    except (requests.TooManyRedirects, fetch.DeadlinePassed) as exc:
        # A GET would loop or run out of time the same way.
        return None, f"{type(exc).__name__}: {exc}"[:300]
    except requests.RequestException as exc:
        error = type(exc).__name__
    try:
        with fetch.open_url(session, url, timeout=TIMEOUT_SECONDS, deadline=deadline) as resp:
            return resp.status_code, ""
    except requests.RequestException as exc:
        return None, (f"{type(exc).__name__}: {exc}" if not error else f"{error}; {exc}")[:300]


def check_links(link_ids: list[int], recheck_after: timedelta) -> dict:
    """Check the given links (all of one host), one request per HOST_INTERVAL_SECONDS."""
    counts = {"checked": 0, "ok": 0, "failed": 0, "newly_dead": 0, "skipped": 0}
    session = fetch.session(USER_AGENT)
    last_request = 0.0
    for pk in link_ids:
        now = timezone.now()
        # Claim: only one run checks a link per round, so a rerun or a concurrent run
        # cannot count one failure twice.
        claimed = (
            EvidenceLink.objects.filter(pk=pk)
            .filter(Q(last_checked_at__isnull=True) | Q(last_checked_at__lte=now - recheck_after))
            .update(last_checked_at=now)
        )
        if not claimed:
            counts["skipped"] += 1
            continue
        wait = HOST_INTERVAL_SECONDS - (time.monotonic() - last_request)
        if wait > 0:
            time.sleep(wait)
        url = EvidenceLink.objects.values_list("url", flat=True).get(pk=pk)
        last_request = time.monotonic()
        code, error = fetch_status(session, url)
        counts["checked"] += 1
        link = EvidenceLink.objects.filter(pk=pk)
        if code is not None and code < 400:
            counts["ok"] += 1
            link.update(
                last_status_code=code,
                last_error="",
                consecutive_failures=0,
                is_dead=False,
                last_checked_at=timezone.now(),
            )
            continue
        counts["failed"] += 1
        was_dead = link.filter(is_dead=True).exists()
        link.update(
            last_status_code=code,
            last_error=error or f"HTTP {code}",
            consecutive_failures=F("consecutive_failures") + 1,
            last_checked_at=timezone.now(),
        )
        if link.filter(consecutive_failures__gte=DEAD_AFTER).update(is_dead=True) and not was_dead:
            counts["newly_dead"] += 1
    return counts
