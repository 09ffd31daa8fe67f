"""The API's filters are the web pages' FilterSets (recommendations/filters.py,
jurisdictions/filters.py), read from the same parameters and cleaned by the same
clean_params(), so a list and its page keep the same rows. The API is stricter about
what it cannot use: an unknown parameter, an invalid value, a NUL character or bytes that
are not UTF-8 are a 400 naming the parameter, where the page quietly ignores them."""

from urllib.parse import unquote_to_bytes

from django.utils.translation import gettext
from django_filters.rest_framework import DjangoFilterBackend

from recommendations.listing import clean_params

from .errors import ParameterError

# Parameters every list takes besides its filters.
PAGING = {"cursor", "page_size"}
# The web list's sort order is not a filter: the API walks its lists in id order.
NOT_IN_API = {"sort", "page"}


def check_raw_query(request) -> None:
    """NUL characters and bytes that are not UTF-8, which Django would silently drop
    (middleware) or replace, named before anything reads the parameters."""
    raw = request.META.get("QUERY_STRING", "")
    for pair in raw.split("&"):
        if not pair:
            continue
        name, _, value = pair.partition("=")
        name_bytes = unquote_to_bytes(name.replace("+", " "))
        value_bytes = unquote_to_bytes(value.replace("+", " "))
        try:
            label = name_bytes.decode("utf-8")
            value_bytes.decode("utf-8")
        except UnicodeDecodeError as exc:
            label = name_bytes.decode("utf-8", "replace")
            raise ParameterError(label, gettext("The value is not valid UTF-8.")) from exc
        if b"\x00" in name_bytes or b"\x00" in value_bytes:
            raise ParameterError(
                label.replace("\x00", ""), gettext("NUL characters are not allowed.")
            )


def allowed_parameters(view) -> set[str]:
    names = set(PAGING)
    if getattr(view, "filterset_class", None):
        names |= set(api_filterset(view.filterset_class).base_filters)
    names |= set(getattr(view, "extra_parameters", ()))
    return names


def check_parameters(request, view) -> None:
    check_raw_query(request)
    allowed = allowed_parameters(view)
    for name in request.query_params:
        if name not in allowed:
            raise ParameterError(
                name,
                gettext("Unknown parameter. This list takes: {names}.").format(
                    names=", ".join(sorted(allowed))
                ),
            )


class WebFilterBackend(DjangoFilterBackend):
    """DjangoFilterBackend (so drf-spectacular documents every filter) over the page's own
    FilterSet, fed the page's cleaned parameters; an invalid value is a 400 naming it."""

    def get_filterset_kwargs(self, request, queryset, view):
        params = clean_params(request.query_params)
        for name in PAGING | set(getattr(view, "extra_parameters", ())):
            params.pop(name, None)
        return {"data": params, "queryset": queryset, "request": request}

    def filter_queryset(self, request, queryset, view):
        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:
            return queryset
        if not filterset.is_valid():
            name, messages = next(iter(filterset.errors.items()))
            raise ParameterError(name, " ".join(str(m) for m in messages))
        view.filterset = filterset
        return filterset.qs

    def get_filterset_class(self, view, queryset=None):
        page_class = getattr(view, "filterset_class", None)
        return api_filterset(page_class) if page_class else None


_API_CLASSES: dict = {}


def api_filterset(page_class):
    """The page's FilterSet less what is not a filter (sort): a subclass made once, after
    every app has registered its filters on the page's class."""
    if page_class not in _API_CLASSES:
        sub = type(f"Api{page_class.__name__}", (page_class,), {})
        # The page's filters as they stand, those other apps registered included (the
        # metaclass would only collect the declared ones).
        sub.base_filters = {
            name: f for name, f in page_class.base_filters.items() if name not in NOT_IN_API
        }
        _API_CLASSES[page_class] = sub
    return _API_CLASSES[page_class]
