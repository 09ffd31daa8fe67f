from django.urls import path

from ..follow import webhook_views as webhooks
from ..progress.urls import urlpatterns as progress_urlpatterns
from . import (
    adopt,
    bulk_import,
    commitments,
    curation,
    dashboard,
    members,
    merge,
    peer_digest,
    review,
)

app_name = "staff"

urlpatterns = [
    path("", dashboard.home, name="home"),
    path("peer-digest/", peer_digest.switch, name="peer-digest"),
    path("webhooks/", webhooks.webhook_list, name="webhooks"),
    path("webhooks/<int:pk>/", webhooks.webhook_detail, name="webhook"),
    path("webhooks/<int:pk>/enable/", webhooks.webhook_enable, name="webhook-enable"),
    path("webhooks/<int:pk>/delete/", webhooks.webhook_delete, name="webhook-delete"),
    path("jurisdictions/<slug:slug>/", dashboard.jurisdiction_dashboard, name="jurisdiction"),
    path(
        "jurisdictions/<slug:slug>/commitments/new/",
        commitments.commitment_create,
        name="commitment-create",
    ),
    path(
        "jurisdictions/<slug:slug>/commitments/import/",
        bulk_import.commitment_import,
        name="commitment-import",
    ),
    path(
        "jurisdictions/<slug:slug>/spreadsheet/",
        bulk_import.spreadsheet_upload,
        name="spreadsheet",
    ),
    path(
        "jurisdictions/<slug:slug>/spreadsheet.<str:fmt>",
        bulk_import.spreadsheet_download,
        name="spreadsheet-download",
    ),
    path("jurisdictions/<slug:slug>/invite/", members.invite, name="invite"),
    path(
        "jurisdictions/<slug:slug>/members/<int:membership_pk>/remove/",
        members.member_remove,
        name="member-remove",
    ),
    path("commitments/template.csv", bulk_import.import_template, name="import-template"),
    path("commitments/<int:pk>/", commitments.commitment_detail, name="commitment"),
    path("commitments/<int:pk>/adopt/", adopt.commitment_adopt, name="commitment-adopt"),
    path("commitments/<int:pk>/edit/", commitments.commitment_edit, name="commitment-edit"),
    path("commitments/<int:pk>/delete/", commitments.commitment_delete, name="commitment-delete"),
    path("commitments/<int:pk>/links/", commitments.link_add, name="link-add"),
    path(
        "commitments/<int:pk>/links/<int:link_pk>/remove/",
        commitments.link_remove,
        name="link-remove",
    ),
    path("commitments/<int:pk>/updates/new/", commitments.update_create, name="update-create"),
    path("commitments/<int:pk>/submit/", commitments.commitment_submit, name="commitment-submit"),
    path("review/", review.review_queue, name="review-queue"),
    path("review/commitments/<int:pk>/", review.review_commitment, name="review-commitment"),
    path(
        "review/commitments/<int:pk>/decide/",
        review.review_commitment_decide,
        name="review-commitment-decide",
    ),
    path(
        "review/updates/<int:pk>/decide/", review.review_update_decide, name="review-update-decide"
    ),
    path("merge/<slug:kind>/", merge.merge, name="merge"),
    path(
        "recommendations/<int:pk>/edit/", curation.recommendation_edit, name="recommendation-edit"
    ),
    path("themes/", curation.theme_list, name="themes"),
    path("themes/new/", curation.theme_edit, name="theme-create"),
    path("themes/<int:pk>/edit/", curation.theme_edit, name="theme-edit"),
    path("calendar/", curation.calendar_list, name="calendar"),
    path("calendar/new/", curation.calendar_edit, name="calendar-create"),
    path("calendar/<int:pk>/edit/", curation.calendar_edit, name="calendar-edit"),
    path("calendar/<int:pk>/delete/", curation.calendar_delete, name="calendar-delete"),
    path("invitations/<str:token>/", members.accept_invitation, name="accept-invitation"),
    *progress_urlpatterns,
]
