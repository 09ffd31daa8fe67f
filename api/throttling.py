"""The published rate limits: per client address without a key, per key with one. They
are counted by django-ratelimit, as the site's other limits are (same client address,
same fail-open when the cache is away); this class only lets DRF ask it.

A key is sent as `Authorization: Api-Key <key>` (djangorestframework-api-key: only a hash
of it is stored; curators issue and revoke keys in the admin). A key that is unknown or
revoked is refused (401) rather than quietly served at the anonymous rate, so its owner
learns at once."""

from django.conf import settings
from django.utils.translation import gettext as _
from django_ratelimit.core import get_usage
from rest_framework.throttling import BaseThrottle
from rest_framework_api_key.models import APIKey
from rest_framework_api_key.permissions import KeyParser

from .errors import ParameterError


class InvalidKey(ParameterError):
    status_code = 401


def api_key(request):
    """The request's APIKey (cached on the request), None without one; refuses a bad one."""
    if not hasattr(request, "_upr_api_key"):
        key = KeyParser().get(request)
        found = None
        if key:
            try:
                found = APIKey.objects.get_from_key(key)
            except APIKey.DoesNotExist:
                found = None
            if found is None or found.revoked or found.has_expired:
                raise InvalidKey("Authorization", _("This API key is unknown or was revoked."))
        request._upr_api_key = found
    return request._upr_api_key


def _key_of(group, request):
    return request._upr_api_key.prefix


class PublishedRateThrottle(BaseThrottle):
    def allow_request(self, request, view):
        if api_key(request):
            usage = get_usage(
                request,
                group="api-key",
                key=_key_of,
                rate=settings.API_RATE_WITH_KEY,
                increment=True,
            )
        else:
            usage = get_usage(
                request, group="api", key="ip", rate=settings.API_RATE_ANONYMOUS, increment=True
            )
        self.time_left = usage["time_left"] if usage else 0
        return not (usage and usage["should_limit"])

    def wait(self):
        return max(1, self.time_left)
