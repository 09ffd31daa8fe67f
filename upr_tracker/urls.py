from django.contrib import admin
from django.urls import include, path

# Says which role a page needs and whom to ask, instead of a bare "403 Forbidden".
handler403 = "jurisdictions.staff.access.permission_denied"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("subscriptions/", include("jurisdictions.subscription_urls")),
    path("accounts/", include("allauth.urls")),
    path("manage/imports/", include("recommendations.import_urls")),
    path("manage/", include("jurisdictions.staff.urls")),
    path("reports/", include("jurisdictions.reports.urls")),
    path("", include("jurisdictions.history_urls")),
    path("", include("recommendations.urls")),
    path("", include("jurisdictions.urls")),
]
