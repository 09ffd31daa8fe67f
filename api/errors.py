"""Every error the API gives has one shape:

    {"error": {"status": 400, "code": "invalid_parameter", "parameter": "cycle",
               "message": "Select a valid choice. 9 is not one of the available choices."}}

`parameter` is present when one query parameter (or header) is at fault."""

from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_handler

CODES = {
    400: "invalid_parameter",
    401: "invalid_api_key",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    429: "rate_limited",
}


class ParameterError(exceptions.APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "invalid_parameter"

    def __init__(self, parameter: str, message: str):
        super().__init__(message)
        self.parameter = parameter


def body(status_code: int, message: str, parameter: str | None = None) -> dict:
    error = {"status": status_code, "code": CODES.get(status_code, "error"), "message": message}
    if parameter is not None:
        error["parameter"] = parameter
    return {"error": error}


def _message(detail) -> str:
    if isinstance(detail, dict):
        return "; ".join(f"{key}: {_message(value)}" for key, value in detail.items())
    if isinstance(detail, list):
        return " ".join(_message(d) for d in detail)
    return str(detail)


def exception_handler(exc, context):
    response = drf_handler(exc, context)
    if response is None:
        return None
    detail = getattr(exc, "detail", str(exc))
    parameter = getattr(exc, "parameter", None)
    data = body(response.status_code, _message(detail), parameter)
    headers = {k: v for k, v in response.items() if k in ("Retry-After", "Allow")}
    return Response(data, status=response.status_code, headers=headers)


def not_found(request, *args, **kwargs):
    """Any address under /api/ that names nothing."""
    return JsonResponse(body(404, _("No API endpoint at this address.")), status=404)


def page_not_found(request, exception):
    """The site's 404 handler: JSON under /api/, the usual page elsewhere."""
    if request.path.startswith("/api/"):
        return not_found(request)
    return defaults.page_not_found(request, exception)
