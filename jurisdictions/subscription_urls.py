from django.urls import path

from . import subscriptions
from .follow import views as follow
from .staff import peer_digest

app_name = "subscriptions"

urlpatterns = [
    path("", subscriptions.subscribe, name="subscribe"),
    path("confirm/<str:signed>/", subscriptions.confirm, name="confirm"),
    path("unsubscribe/<str:token>/", subscriptions.unsubscribe, name="unsubscribe"),
    path("follow/<str:kind>/", follow.follow, name="follow"),
    path("manage/<str:signed>/", follow.manage, name="manage"),
    path("mine/", follow.my_subscriptions, name="mine"),
    path("staff-digest/<str:signed>/", subscriptions.staff_digest, name="staff-digest"),
    path("peer-digest/<str:signed>/", peer_digest.from_mail, name="peer-digest"),
]
