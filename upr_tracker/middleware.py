"""Request checks that every view relies on."""

from django.http import Http404, QueryDict
from django.utils.translation import gettext as _


class RejectNulInPath:
    """No page has a NUL character in its address, and PostgreSQL refuses one in a query
    (a server error wherever a path segment reaches the database): answer "not found"
    before any view runs, as for any other address that names nothing."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path_info:
            raise Http404(_("No page has a NUL character in its address."))
        return self.get_response(request)


class DropNulFromQuery:
    """A NUL character in a query parameter means nothing to any page, and would reach
    PostgreSQL (which refuses it) wherever a view passes the value to a query: drop it
    from every GET value before views read them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "%00" in request.META.get("QUERY_STRING", ""):
            cleaned = QueryDict(mutable=True)
            for key, values in request.GET.lists():
                cleaned.setlist(key.replace("\x00", ""), [v.replace("\x00", "") for v in values])
            cleaned._mutable = False
            request.GET = cleaned
        return self.get_response(request)
