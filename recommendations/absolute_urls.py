"""The base of absolute links (the url columns of exports, the links in email).

SITE_URL, when set, wins: it names the public address behind any proxy. Without it, a
page or export builds links from the host and port the request came to, so a server on
another port links to itself. Mail sent by a background job has no request: the
confirmation mail carries the base of the request that asked for it, and the weekly
digest uses SITE_URL, or the address `make run` serves when it is unset."""

from django.conf import settings

DEFAULT_BASE = "http://127.0.0.1:8000"


def base_url(request=None) -> str:
    if settings.SITE_URL:
        return settings.SITE_URL
    if request is not None:
        return f"{request.scheme}://{request.get_host()}"
    return DEFAULT_BASE
