from django.urls import path

from . import subscriptions
from .staff import peer_digest

app_name = "subscriptions"

urlpatterns = [
    path("", subscriptions.subscribe, name="subscribe"),
    path("confirm/<str:signed>/", subscriptions.confirm, name="confirm"),
    path("unsubscribe/<str:token>/", subscriptions.unsubscribe, name="unsubscribe"),
    path("staff-digest/<str:signed>/", subscriptions.staff_digest, name="staff-digest"),
    path("peer-digest/<str:signed>/", peer_digest.from_mail, name="peer-digest"),
]
