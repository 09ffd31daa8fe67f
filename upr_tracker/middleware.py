"""Request checks that every view relies on."""

from django.http import Http404


class RejectNulInPath:
    """No page has a NUL character in its address, and PostgreSQL refuses one in a query
    (a server error wherever a path segment reaches the database): answer "not found"
    before any view runs, as for any other address that names nothing."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path_info:
            raise Http404("No page has a NUL character in its address.")
        return self.get_response(request)
