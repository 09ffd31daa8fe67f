"""What the app believes about the client when a reverse proxy stands in front of it.

Headers such as X-Forwarded-For and X-Forwarded-Proto are written by whoever sends the
request, so they are trusted only when BEHIND_PROXY says a proxy of ours sets them (and
overwrites whatever the client sent). Otherwise the socket's own address is the client.
"""

from django.conf import settings


def client_ip(request) -> str:
    """The client's address, the one key for every limit on it: django-ratelimit
    (RATELIMIT_IP_META_KEY), allauth's sign-in limits (the account adapter) and axes
    (AXES_CLIENT_IP_CALLABLE)."""
    if settings.BEHIND_PROXY:
        # Our proxy appends the address it saw last; anything before it is the client's say.
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")[-1].strip()
        if forwarded:
            return forwarded
    return request.META.get("REMOTE_ADDR") or "0.0.0.0"
