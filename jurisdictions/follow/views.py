"""Follow a search by email, and one page per address to manage every subscription."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from ..digests import email_from_manage_link, manage_url
from ..models import Subscription, SubscriptionFrequency
from ..subscriptions import client_over_limit, subscribe_address
from . import searches
from .models import ListKind, list_url


class FollowForm(forms.Form):
    email = forms.EmailField(label=_("Your email address"))
    frequency = forms.ChoiceField(
        label=_("How often"),
        choices=SubscriptionFrequency.choices,
        initial=SubscriptionFrequency.WEEKLY,
        widget=forms.RadioSelect,
    )


@require_http_methods(["GET", "POST"])
def follow(request, kind):
    """/subscriptions/follow/<list>/?<the list's filters>: the search stays in the URL."""
    if kind not in ListKind.values:
        raise Http404
    if request.method == "POST" and client_over_limit(request):
        return render(request, "subscriptions/too_many.html", status=429)
    query = searches.normalise(kind, request.GET)
    form = FollowForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            search = searches.saved_search(kind, request.GET)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            email = form.cleaned_data["email"]
            subscribe_address(
                request, email, {"search": search}, frequency=form.cleaned_data["frequency"]
            )
            return render(request, "subscriptions/check_email.html", {"email": email})
    context = {
        "form": form,
        "description": str(searches.SavedSearch(kind=kind, query=query)),
        "list_url": list_url(kind, query),
        "feed_url": searches.feed_url(kind, query),
    }
    return render(request, "follow/follow.html", context)


# The signed link in every mail is the credential (no account needed), as for unsubscribe.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def manage(request, signed):
    email = email_from_manage_link(signed)
    if not email:
        return render(request, "subscriptions/invalid.html", status=404)
    return _manage_page(request, email)


@login_required
@require_http_methods(["GET", "POST"])
def my_subscriptions(request):
    """A signed-in account's subscriptions: those to its own address."""
    return _manage_page(request, request.user.email)


def _manage_page(request, email: str):
    mine = Subscription.objects.filter(email__iexact=email, unsubscribed_at__isnull=True)
    changed = ""
    if request.method == "POST":
        changed = _apply(request.POST, mine)
        return redirect(f"{request.path}?changed={changed}")
    subscriptions = mine.select_related("theme", "jurisdiction", "recommendation", "search")
    context = {
        "email": email,
        "subscriptions": subscriptions.order_by("-created_at", "-id"),
        "frequencies": SubscriptionFrequency.choices,
        "changed": request.GET.get("changed") in {"frequency", "unsubscribed", "all"},
        "signed_url": manage_url(email),
    }
    return render(request, "follow/manage.html", context)


def _apply(data, mine) -> str:
    now = timezone.now()
    if data.get("action") == "unsubscribe-all":
        mine.update(unsubscribed_at=now)
        return "all"
    try:
        pk = int(data.get("subscription", ""))
    except ValueError:
        return ""
    if data.get("action") == "unsubscribe":
        mine.filter(pk=pk).update(unsubscribed_at=now)
        return "unsubscribed"
    frequency = data.get("frequency")
    if data.get("action") == "frequency" and frequency in SubscriptionFrequency.values:
        # Only a search's digest comes daily; the others are weekly.
        mine.filter(pk=pk, search__isnull=False).update(frequency=frequency)
        return "frequency"
    return ""
