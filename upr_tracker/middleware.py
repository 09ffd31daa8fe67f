"""Request checks that every view relies on."""

from django.http import HttpResponseBadRequest


class RejectNulInPath:
    """A NUL character can be no part of any address here, and PostgreSQL refuses it in a
    query (a server error wherever a path segment reaches the database). Answer 400."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path_info:
            return HttpResponseBadRequest(
                "This address contains a NUL character, which no page address can hold.",
                content_type="text/plain; charset=utf-8",
            )
        return self.get_response(request)
