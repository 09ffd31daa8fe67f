"""Cursor pagination: a page is "the rows after this one" in id order, so rows inserted
while a client walks the list neither repeat nor shift the pages it has not read."""

from base64 import b64decode
from urllib.parse import parse_qs

from django.utils.translation import gettext_lazy as _
from rest_framework.pagination import CursorPagination

from .errors import ParameterError

MAX_PAGE_SIZE = 100
BAD_CURSOR = _("This cursor is not one the API gave.")


def _has_cursor_fields(encoded: str) -> bool:
    """DRF reads any base64 text as a cursor to the first page; ours always carry an
    offset, a direction or a position, and nothing else."""
    try:
        fields = parse_qs(b64decode(encoded.encode("ascii")).decode("ascii"), True)
    except ValueError:
        return False
    return bool(fields) and set(fields) <= {"o", "r", "p"}


class IdCursorPagination(CursorPagination):
    ordering = "id"
    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE
    cursor_query_param = "cursor"

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not raw.isascii() or not raw.isdigit() or not 1 <= int(raw) <= MAX_PAGE_SIZE:
            raise ParameterError(
                self.page_size_query_param,
                f"page_size must be a whole number from 1 to {MAX_PAGE_SIZE}.",
            )
        return int(raw)

    def decode_cursor(self, request):
        try:
            cursor = super().decode_cursor(request)
        except Exception as exc:  # DRF raises NotFound; any garbage is the client's
            raise ParameterError(self.cursor_query_param, BAD_CURSOR) from exc
        if cursor is not None and not _has_cursor_fields(request.query_params["cursor"]):
            raise ParameterError(self.cursor_query_param, BAD_CURSOR)
        # A well-formed cursor with a position that is no id would reach the database.
        position = cursor.position if cursor else None
        if position is not None and not (
            position.isascii() and position.isdigit() and len(position) <= 18
        ):
            raise ParameterError(self.cursor_query_param, BAD_CURSOR)
        return cursor

    def get_paginated_response(self, data, extra=None):
        from rest_framework.response import Response

        return Response(
            {
                **(extra or {}),
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        base = super().get_paginated_response_schema(schema)
        base["properties"]["count"] = {"type": "integer", "example": 347}
        return base
