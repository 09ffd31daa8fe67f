"""Public email subscriptions: subscribe, confirm by a signed link, unsubscribe."""

import secrets

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods
from django_ratelimit.core import is_ratelimited

from recommendations.absolute_urls import base_url
from recommendations.filters import theme_options
from recommendations.models import Recommendation, Theme

from . import digests
from .models import Commitment, Jurisdiction, StaffDigestOptOut, Subscription, site_language
from .tasks import send_subscription_confirmation

DATALIST_SIZE = 1000


def theme_menu() -> list:
    """The theme menu grouped by vocabulary, with no two options reading the same."""
    groups: dict[str, list] = {}
    for slug, label, group, _chip in theme_options():
        groups.setdefault(group, []).append((slug, label))
    return [("", "—"), *groups.items()]


def jurisdiction_suggestions() -> list[str]:
    """Names offered while typing: the states and territories, and every place with a
    published commitment (a weekly digest of a place with none would stay empty)."""
    acting = Commitment.objects.published().values("jurisdiction_id")
    places = Jurisdiction.objects.filter(
        Q(kind__in=["federal", "state", "territory"]) | Q(id__in=acting)
    ).order_by("name")[:DATALIST_SIZE]
    return [str(place) for place in places]


def find_jurisdiction(text: str) -> Jurisdiction | None:
    """A jurisdiction from what was typed: its name, "Name, ST" or its slug. A name
    shared by several places (Springfield) finds none: the state must be added."""
    text = " ".join(text.split())
    name, __, code = text.rpartition(", ")
    matches = Jurisdiction.objects.filter(name__iexact=text)
    if name and len(code) == 2:
        matches = matches | Jurisdiction.objects.filter(name__iexact=name, state_code__iexact=code)
    matches = list(matches.order_by("kind", "id")[:2])
    if matches:
        return matches[0] if len(matches) == 1 else None
    return Jurisdiction.objects.filter(slug=text.lower()).first()


class SubscriptionForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("Your email address"))
    theme = forms.ModelChoiceField(
        Theme.objects.all(),
        label=gettext_lazy("Theme"),
        to_field_name="slug",
        required=False,
        empty_label="—",
    )
    jurisdiction = forms.CharField(
        label=gettext_lazy("Jurisdiction"),
        required=False,
        max_length=250,
        help_text=gettext_lazy("Type a state, county, city or tribal nation, e.g. Pittsburgh, PA."),
        widget=forms.TextInput(attrs={"list": "jurisdiction-options", "autocomplete": "off"}),
    )
    # Too many recommendations for a menu: its pages link here with the id filled in.
    recommendation = forms.ModelChoiceField(
        Recommendation.objects.all(), required=False, widget=forms.HiddenInput
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["theme"].widget.choices = theme_menu()
        slug = self.initial.get("jurisdiction")
        if slug and (place := Jurisdiction.objects.filter(slug=slug).first()):
            self.initial["jurisdiction"] = str(place)

    def clean_jurisdiction(self):
        text = self.cleaned_data["jurisdiction"].strip()
        if not text:
            return None
        place = find_jurisdiction(text)
        if place is None:
            raise forms.ValidationError(
                _(
                    "No single jurisdiction is called “%(text)s”. Pick one of the names "
                    "offered as you type, e.g. “Pittsburgh, PA”."
                )
                % {"text": text}
            )
        return place

    def clean(self):
        cleaned = super().clean()
        if "jurisdiction" in self.errors:
            return cleaned  # the field's own message says what to fix
        chosen = [name for name in ("theme", "jurisdiction", "recommendation") if cleaned.get(name)]
        if len(chosen) != 1:
            raise forms.ValidationError(
                _("Choose exactly one theme, jurisdiction or recommendation to follow.")
            )
        return cleaned


def client_over_limit(request) -> bool:
    """Counts this POST against the client's address (see upr_tracker/proxy.py)."""
    rate = f"{settings.SUBSCRIBE_REQUESTS_PER_CLIENT_PER_HOUR}/h"
    return is_ratelimited(request, group="subscribe-client", key="ip", rate=rate, increment=True)


def _mail_allowed(request, email: str) -> bool:
    """Counts a confirmation mail against the address, whatever it follows and whoever
    asks, so the form cannot be used to flood someone's inbox."""
    limit = settings.SUBSCRIBE_MAILS_PER_ADDRESS_PER_HOUR
    if limit == 0:
        return False
    return not is_ratelimited(
        request,
        group="subscribe-address",
        key=lambda group, request: email.strip().lower(),
        rate=f"{limit}/h",
        increment=True,
    )


def subscribe_address(request, email: str, target: dict, **settings_) -> Subscription:
    """Find or start the address's subscription to `target` and, if it is not confirmed
    yet, queue the confirmation mail (within the address's hourly share). `settings_`
    (a search's frequency) apply to a new or renewed one; a confirmed one changes them
    only from its management page."""
    # Its mail is written in the language of the page the form was sent from.
    settings_ = {"language": site_language(), **settings_}
    with transaction.atomic():
        subscription = (
            Subscription.objects.select_for_update().filter(email__iexact=email, **target).first()
        )
        if subscription is None:
            subscription = Subscription.objects.create(
                email=email, token=secrets.token_urlsafe(32), **target, **settings_
            )
        elif subscription.unsubscribed_at:
            subscription.unsubscribed_at = None
            subscription.confirmed_at = None
            for name, value in settings_.items():
                setattr(subscription, name, value)
            subscription.save(update_fields=["unsubscribed_at", "confirmed_at", *settings_])
        if subscription.confirmed_at is None and _mail_allowed(request, email):
            # Mail is sent by the worker once the row is committed, never in this request.
            send_subscription_confirmation.delay_on_commit(subscription.pk, base_url(request))
    return subscription


@require_http_methods(["GET", "POST"])
def subscribe(request):
    if request.method == "POST" and client_over_limit(request):
        return render(request, "subscriptions/too_many.html", status=429)
    form = SubscriptionForm(request.POST or None, initial=request.GET.dict())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        target = {
            "theme": data["theme"],
            "jurisdiction": data["jurisdiction"],
            "recommendation": data["recommendation"],
        }
        subscribe_address(request, data["email"], target)
        # The same answer whether or not the address was already subscribed, or has had
        # its share of mail this hour.
        return render(request, "subscriptions/check_email.html", {"email": data["email"]})
    context = {"form": form, "suggestions": jurisdiction_suggestions()}
    return render(request, "subscriptions/subscribe.html", context)


@require_http_methods(["GET"])
def confirm(request, signed):
    token = digests.token_from_confirmation(signed)
    subscription = token and Subscription.objects.filter(token=token).first()
    if not subscription or subscription.unsubscribed_at:
        return render(request, "subscriptions/invalid.html", status=404)
    Subscription.objects.filter(pk=subscription.pk, confirmed_at__isnull=True).update(
        confirmed_at=timezone.now()
    )
    return render(request, "subscriptions/confirmed.html", {"subscription": subscription})


# The token in the URL is the credential, and mail clients send RFC 8058 one-click
# unsubscribe POSTs without a CSRF token.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    subscription = get_object_or_404(
        Subscription.objects.select_related("theme", "jurisdiction", "recommendation"),
        token=token,
    )
    if request.method == "POST":
        Subscription.objects.filter(pk=subscription.pk, unsubscribed_at__isnull=True).update(
            unsubscribed_at=timezone.now()
        )
        return render(request, "subscriptions/unsubscribed.html", {"subscription": subscription})
    return render(request, "subscriptions/unsubscribe.html", {"subscription": subscription})


# Like unsubscribe: the signed link is the credential and mail clients post without CSRF.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def staff_digest(request, signed):
    """Turns the weekly staff digest off (or back on) for the user the link was made for."""
    user_id = digests.user_from_staff_digest_link(signed)
    user = user_id and get_user_model().objects.filter(pk=user_id).first()
    if not user:
        return render(request, "subscriptions/invalid.html", status=404)
    if request.method == "POST":
        if request.POST.get("digest") == "on":
            StaffDigestOptOut.objects.filter(user=user).delete()
        else:
            StaffDigestOptOut.objects.get_or_create(user=user)
    opted_out = StaffDigestOptOut.objects.filter(user=user).exists()
    return render(
        request,
        "subscriptions/staff_digest.html",
        {"email": user.email, "opted_out": opted_out, "changed": request.method == "POST"},
    )
