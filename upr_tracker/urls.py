from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.http import HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from api import keys as api_keys

# Says which role a page needs and whom to ask, instead of a bare "403 Forbidden".
handler403 = "jurisdictions.staff.access.permission_denied"
# A database outage answers 503 "try again", not 500.
handler500 = "upr_tracker.errors.server_error"
# JSON under /api/, whatever raised the 404 (a NUL in the path is refused by middleware).
handler404 = "api.errors.page_not_found"


def favicon(request):
    # Resolved per request: with hashed static names the manifest exists only after
    # collectstatic, which must not be needed to import the URLs.
    return HttpResponsePermanentRedirect(static("favicon.svg"))


# One address per language would make no sense for these: the API answers in JSON (its
# human-readable errors follow the language cookie or Accept-Language).
urlpatterns = [
    # Browsers and feed readers ask for /favicon.ico whatever the page says.
    path("favicon.ico", favicon),
    path("api/", include("api.urls")),
]

# Every page in English at its usual address and in Spanish under /es/ (upr_tracker/language.py).
urlpatterns += i18n_patterns(
    path("admin/", admin.site.urls),
    # The scripts' strings (static/js/*.js) in the page's language: gettext() and interpolate().
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("subscriptions/", include("jurisdictions.subscription_urls")),
    path("accounts/", include("allauth.urls")),
    path("manage/imports/", include("recommendations.import_urls")),
    path("manage/api-keys/", api_keys.key_list, name="api-keys"),
    path("manage/api-keys/<str:prefix>/revoke/", api_keys.key_revoke, name="api-key-revoke"),
    path("manage/", include("jurisdictions.staff.urls")),
    path("reports/", include("jurisdictions.reports.urls")),
    path("", include("opendata.urls")),
    path("", include("embeds.urls")),
    path("", include("jurisdictions.history_urls")),
    path("", include("recommendations.urls")),
    path("", include("jurisdictions.urls")),
    prefix_default_language=False,
)
