"""The answer when a request fails on the server side."""

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.views import defaults


def server_error(request):
    """A database that is not answering is a passing outage, not a bug: 503 with a
    Retry-After and a page that says nothing was lost (rendered without the request, so
    that no context processor asks the database again). Anything else is a 500."""
    if isinstance(sys.exc_info()[1], OperationalError | InterfaceError):
        response = HttpResponse(render_to_string("503.html"), status=503)
        response["Retry-After"] = "60"
        return response
    return defaults.server_error(request)
