from django.urls import path

from . import staff_views as views

app_name = "staff"

urlpatterns = [
    path("", views.home, name="home"),
    path("jurisdictions/<slug:slug>/", views.jurisdiction_dashboard, name="jurisdiction"),
    path(
        "jurisdictions/<slug:slug>/commitments/new/",
        views.commitment_create,
        name="commitment-create",
    ),
    path(
        "jurisdictions/<slug:slug>/commitments/import/",
        views.commitment_import,
        name="commitment-import",
    ),
    path("jurisdictions/<slug:slug>/invite/", views.invite, name="invite"),
    path(
        "jurisdictions/<slug:slug>/members/<int:membership_pk>/remove/",
        views.member_remove,
        name="member-remove",
    ),
    path("commitments/template.csv", views.import_template, name="import-template"),
    path("commitments/<int:pk>/", views.commitment_detail, name="commitment"),
    path("commitments/<int:pk>/edit/", views.commitment_edit, name="commitment-edit"),
    path("commitments/<int:pk>/delete/", views.commitment_delete, name="commitment-delete"),
    path("commitments/<int:pk>/links/", views.link_add, name="link-add"),
    path(
        "commitments/<int:pk>/links/<int:link_pk>/remove/",
        views.link_remove,
        name="link-remove",
    ),
    path("commitments/<int:pk>/updates/new/", views.update_create, name="update-create"),
    path("commitments/<int:pk>/submit/", views.commitment_submit, name="commitment-submit"),
    path("review/", views.review_queue, name="review-queue"),
    path("review/commitments/<int:pk>/", views.review_commitment, name="review-commitment"),
    path(
        "review/commitments/<int:pk>/decide/",
        views.review_commitment_decide,
        name="review-commitment-decide",
    ),
    path(
        "review/updates/<int:pk>/decide/", views.review_update_decide, name="review-update-decide"
    ),
    path("merge/<slug:kind>/", views.merge, name="merge"),
    path("recommendations/<int:pk>/edit/", views.recommendation_edit, name="recommendation-edit"),
    path("themes/", views.theme_list, name="themes"),
    path("themes/new/", views.theme_edit, name="theme-create"),
    path("themes/<int:pk>/edit/", views.theme_edit, name="theme-edit"),
    path("invitations/<str:token>/", views.accept_invitation, name="accept-invitation"),
]
