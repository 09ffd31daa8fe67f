"""Which language a request is answered in, and the addresses of a page in each language.

Every page exists twice: in English at its usual address and in Spanish under /es/
(`i18n_patterns` in urls.py). The API, the favicon and static files have one address;
they answer in the visitor's language (cookie, then Accept-Language).

A visitor who never chose is guessed once from Accept-Language: a Spanish browser asking
for an English page is sent to its /es/ twin. The language cookie then remembers the
language of the pages the visitor reads, so switching to English with the switcher
sticks, and no English-only visitor is ever given a cookie.

Pages marked `@language_from_address` (the widgets other sites frame) skip both: their
address is the host site's choice of language, and the Accept-Language and cookie an
<iframe> sends are its visitor's, not the host's.
"""

from django.conf import settings
from django.http import HttpResponseRedirect
from django.middleware.locale import LocaleMiddleware
from django.urls import Resolver404, get_script_prefix, is_valid_path, resolve
from django.utils import translation
from django.utils.cache import patch_vary_headers

PREFIXED = "es"  # the one language whose pages live under a prefix


def has_twin(path_info: str) -> bool:
    """Whether the page at this (unprefixed or prefixed) address exists in both languages."""
    if translation.get_language_from_path(path_info):
        return True
    # The /es/ prefix matches only while Spanish is active, whatever this thread ran before.
    with translation.override(PREFIXED):
        return is_valid_path(f"/{PREFIXED}{path_info}")


def unprefixed(path_info: str) -> str:
    """The address of a page without its language prefix: /es/themes/ -> /themes/."""
    if translation.get_language_from_path(path_info):
        return "/" + path_info.lstrip("/").partition("/")[2]
    return path_info


def address_in(language: str, path_info: str, query: str = "") -> str:
    """The same page, and the same filters, in the other language."""
    path = unprefixed(path_info)
    if language != settings.LANGUAGE_CODE:
        path = f"/{language}{path}"
    url = get_script_prefix().rstrip("/") + path
    return f"{url}?{query}" if query else url


def language_from_address(view):
    """Mark a page whose language is its address's alone: never guessed, never remembered."""
    view.language_from_address = True
    return view


def _addressed(view) -> bool:
    return getattr(view, "language_from_address", False)


def addressed_page(path_info: str) -> bool:
    """Whether the page at this address (in the active language) is `language_from_address`."""
    try:
        return _addressed(resolve(path_info).func)
    except Resolver404:
        return False


def wants_html(request) -> bool:
    return "text/html" in request.META.get("HTTP_ACCEPT", "")


class LanguageMiddleware(LocaleMiddleware):
    def process_request(self, request):
        from_path = translation.get_language_from_path(request.path_info)
        twin = has_twin(request.path_info)
        request.language_twin = twin
        if from_path:
            language = from_path
        elif twin:
            language = settings.LANGUAGE_CODE
        else:
            language = translation.get_language_from_request(request)
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()

        # The first guess: only for a page, only for a visitor who has not chosen.
        if (
            not from_path
            and twin
            and request.method in ("GET", "HEAD")
            and settings.LANGUAGE_COOKIE_NAME not in request.COOKIES
            and wants_html(request)
            and translation.get_language_from_request(request) == PREFIXED
            and not addressed_page(request.path_info)
        ):
            redirect = HttpResponseRedirect(
                address_in(PREFIXED, request.path_info, request.META.get("QUERY_STRING", ""))
            )
            patch_vary_headers(redirect, ("Accept-Language", "Cookie"))
            remember(redirect, PREFIXED)
            return redirect

    def process_response(self, request, response):
        response = super().process_response(request, response)
        match = getattr(request, "resolver_match", None)
        if (
            getattr(request, "language_twin", False)
            and response.status_code == 200
            and not (match and _addressed(match.func))
        ):
            language = translation.get_language_from_path(request.path_info) or (
                settings.LANGUAGE_CODE
            )
            chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
            # Remember only what differs from what the visitor had (or would be guessed):
            # English readers who never met the Spanish pages get no cookie.
            if language != (chosen or settings.LANGUAGE_CODE):
                remember(response, language)
        return response


def remember(response, language: str) -> None:
    # As Django's own set_language view writes it.
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


def languages(request):
    """Context for base.html: the switcher and the hreflang alternates of this page."""
    if not getattr(request, "language_twin", False):
        return {"page_languages": []}
    from recommendations.absolute_urls import base_url

    query = request.META.get("QUERY_STRING", "")
    current = translation.get_language()
    base = base_url(request)
    return {
        "page_languages": [
            {
                "code": code,
                "name": name,
                "url": address_in(code, request.path_info, query),
                "absolute_url": base + address_in(code, request.path_info, query),
                "current": code == current,
            }
            for code, name in settings.LANGUAGES
        ]
    }
