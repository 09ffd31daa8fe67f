"""Outbound HTTP that cannot be turned against the app's own network. Used by the
upstream sync here and by the link checker in jurisdictions/.

Staff type evidence URLs and admins set upstream URLs; the background jobs then fetch
them from inside the deployment, next to the database, Redis and the cloud metadata
service. So a URL is refused when its name or literal address is internal (the form
check, no DNS), and again when the name resolves to an internal address at connection
time (requests-hardened pins the checked address, so a second DNS answer cannot swap
it). Redirects are followed here, one hop at a time, each hop checked the same way.

Tests that serve files from 127.0.0.1 set ``FETCH_ALLOW_LOOPBACK = True``; the setting is
not read from the environment, so a deployment cannot turn it on by accident.
"""

import ipaddress
import socket
import time
from collections.abc import Iterator
from urllib.parse import urljoin, urlsplit

import requests
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy
from requests_hardened import Config, Manager
from requests_hardened.ip_filter import InvalidIPAddress

MAX_REDIRECTS = 5
CHUNK_BYTES = 1 << 16
# Names that always mean "this machine" or "this cloud's internal network".
INTERNAL_NAMES = {"localhost", "metadata", "metadata.google.internal", "instance-data"}
INTERNAL_SUFFIXES = (".localhost", ".internal", ".local", ".localdomain", ".home.arpa")


class UnsafeURL(requests.RequestException):
    """The URL, or a redirect it led to, names an address inside a private network."""


class ResponseTooLarge(requests.RequestException):
    pass


class DeadlinePassed(requests.RequestException):
    pass


def literal_address(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The address a host name stands for without DNS, in any spelling the resolver
    accepts: dotted, one integer (2130706433), hex (0x7f.1), octal (0177.0.0.1), short
    (127.1), IPv6 with or without an embedded IPv4 address."""
    host = host.strip("[]").rstrip(".")
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        try:
            address = ipaddress.IPv4Address(socket.inet_aton(host))
        except (OSError, UnicodeError, ValueError):
            return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def is_internal(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Loopback, private, link-local, reserved, multicast, unspecified, shared (CG-NAT):
    anything that is not an ordinary public address."""
    return (
        not address.is_global
        or address.is_multicast
        or address.is_reserved
        or address.is_link_local
        or address.is_private
    )


def refuse_internal_url(url: str) -> None:
    """Raise UnsafeURL for a URL that is not http(s) or names an internal host."""
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
    except ValueError:
        raise UnsafeURL("The address cannot be read.") from None
    if parts.scheme not in {"http", "https"}:
        raise UnsafeURL("Only http:// and https:// addresses can be checked.")
    if not host:
        raise UnsafeURL("The address has no host name.")
    name = host.rstrip(".")
    if name in INTERNAL_NAMES or name.endswith(INTERNAL_SUFFIXES):
        raise UnsafeURL(f"{host} is an internal host name.")
    address = literal_address(name)
    if address is not None and is_internal(address) and not _loopback_allowed(address):
        raise UnsafeURL(f"{host} is an internal address.")


def validate_public_url(value: str) -> None:
    """Form validator: a link saved by staff must point at the public web."""
    try:
        refuse_internal_url(value)
    except UnsafeURL:
        raise ValidationError(
            gettext_lazy(
                "This address points inside a private network. Give the public web address "
                "of the page."
            ),
            code="internal_url",
        ) from None


def _loopback_allowed(address) -> bool:
    return getattr(settings, "FETCH_ALLOW_LOOPBACK", False) and address.is_loopback


def session(user_agent: str) -> requests.Session:
    """A requests session whose connections refuse internal addresses after DNS."""
    manager = Manager(
        Config(
            default_timeout=(5, 10),
            never_redirect=False,
            ip_filter_enable=True,
            ip_filter_allow_loopback_ips=bool(getattr(settings, "FETCH_ALLOW_LOOPBACK", False)),
            user_agent_override=user_agent,
        )
    )
    client = manager.get_session()
    # Proxies from the environment would bypass the address check on the far side.
    client.trust_env = False
    return client


def time_left(deadline: float | None, cap: float) -> float:
    """Seconds to wait for the next step: ``cap``, or less as the deadline nears."""
    if deadline is None:
        return cap
    left = deadline - time.monotonic()
    if left <= 0:
        raise DeadlinePassed("The time allowed for this download ran out.")
    return min(cap, left)


def open_url(
    client: requests.Session,
    url: str,
    *,
    method: str = "GET",
    headers: dict | None = None,
    data: bytes | None = None,
    timeout: float = 10,
    deadline: float | None = None,
) -> requests.Response:
    """Send a request and follow at most MAX_REDIRECTS redirects, checking every hop.

    Returns the final response unread (streamed); the caller closes it. `data` (a POST
    body) is sent again only on a 307 or 308, which keep the method; a 303 turns the
    request into a GET without it."""
    for _ in range(MAX_REDIRECTS + 1):
        refuse_internal_url(url)
        wait = time_left(deadline, timeout)
        try:
            response = client.request(
                method,
                url,
                headers=headers,
                data=data,
                allow_redirects=False,
                stream=True,
                timeout=(min(5, wait), wait),
            )
        except InvalidIPAddress as exc:
            raise UnsafeURL(f"{urlsplit(url).hostname} resolves to an internal address.") from exc
        if not response.is_redirect:
            return response
        url = urljoin(url, response.headers["Location"])
        response.close()
        if response.status_code == 303 and method != "HEAD":
            method, data = "GET", None
    raise requests.TooManyRedirects(f"More than {MAX_REDIRECTS} redirects.")


def read_body(
    response: requests.Response, *, max_bytes: int, deadline: float | None = None
) -> Iterator[bytes]:
    """The body in chunks; stops with ResponseTooLarge past ``max_bytes`` (after decoding,
    so a compressed bomb is caught too) and with DeadlinePassed once time is up, even
    against a server that sends a byte every few seconds."""
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise ResponseTooLarge(f"The file is larger than {max_bytes} bytes.")
    received = 0
    while True:
        time_left(deadline, 0)  # raises once the deadline has passed
        chunk = response.raw.read1(CHUNK_BYTES, decode_content=True)
        if not chunk:
            return
        received += len(chunk)
        if received > max_bytes:
            raise ResponseTooLarge(f"The file is larger than {max_bytes} bytes.")
        yield chunk
