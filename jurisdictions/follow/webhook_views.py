"""/manage/webhooks/: a staff member registers webhooks on their jurisdictions or on any
saved search, sees each delivery's attempts, turns a disabled one back on, deletes one."""

from urllib.parse import urlsplit

from django import forms
from django.contrib import messages
from django.http import QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from ..permissions import editable_jurisdictions
from ..staff.access import staff_only
from . import searches
from .models import LIST_URLS, SavedSearch, Webhook, WebhookDelivery, WebhookEvent
from .webhooks import new_secret, validate_webhook_url

RECENT_DELIVERIES = 20
LIST_NAMES = {url_name.split(":")[1]: kind for kind, url_name in LIST_URLS.items()}


def search_from_url(text: str) -> SavedSearch:
    """The saved search behind a list page's address, pasted from the browser."""
    parts = urlsplit(text.strip())
    try:
        match = resolve(parts.path or "/")
    except Resolver404:
        match = None
    kind = match and LIST_NAMES.get(match.url_name)
    if not kind:
        raise forms.ValidationError(
            _("Paste the address of a /recommendations/, /commitments/ or /jurisdictions/ list.")
        )
    return searches.saved_search(kind, QueryDict(parts.query))


class WebhookForm(forms.Form):
    url = forms.URLField(
        label=gettext_lazy("Receiver address (https://)"),
        max_length=500,
        assume_scheme="https",
        validators=[validate_webhook_url],
    )
    events = forms.MultipleChoiceField(
        label=gettext_lazy("Events"),
        choices=WebhookEvent.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    jurisdiction = forms.ModelChoiceField(
        label=gettext_lazy("Jurisdiction"),
        queryset=None,
        required=False,
        to_field_name="slug",
    )
    search = forms.CharField(
        label=gettext_lazy("Or a saved search: the address of a filtered list"),
        required=False,
        max_length=2000,
    )

    def __init__(self, *args, jurisdictions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["jurisdiction"].queryset = jurisdictions.order_by("name")

    def clean_search(self):
        text = self.cleaned_data["search"].strip()
        return search_from_url(text) if text else None

    def clean(self):
        cleaned = super().clean()
        chosen = [name for name in ("jurisdiction", "search") if cleaned.get(name)]
        if len(chosen) != 1 and not {"jurisdiction", "search"} & set(self.errors):
            raise forms.ValidationError(_("Choose one jurisdiction or give one search."))
        return cleaned

    def save(self, **owner) -> Webhook:
        data = self.cleaned_data
        return Webhook.objects.create(
            url=data["url"],
            events=list(data["events"]),
            jurisdiction=data["jurisdiction"],
            search=data["search"],
            secret=new_secret(),
            **owner,
        )


def _mine(request):
    return Webhook.objects.filter(owner=request.user)


@staff_only
def webhook_list(request):
    form = WebhookForm(request.POST or None, jurisdictions=editable_jurisdictions(request.user))
    if request.method == "POST" and form.is_valid():
        hook = form.save(owner=request.user, owner_email=request.user.email)
        messages.success(request, _("The webhook is registered. Its secret is shown below."))
        return redirect("staff:webhook", pk=hook.pk)
    hooks = _mine(request).select_related("jurisdiction", "search")
    return render(request, "follow/webhooks.html", {"form": form, "webhooks": hooks})


@staff_only
def webhook_detail(request, pk):
    recent = WebhookDelivery.objects.prefetch_related("attempt_log")
    hook = get_object_or_404(_mine(request).select_related("jurisdiction", "search"), pk=pk)
    deliveries = recent.filter(webhook=hook)[:RECENT_DELIVERIES]
    context = {"webhook": hook, "deliveries": deliveries}
    return render(request, "follow/webhook.html", context)


@require_POST
@staff_only
def webhook_enable(request, pk):
    hook = get_object_or_404(_mine(request), pk=pk)
    _mine(request).filter(pk=hook.pk).update(
        disabled_at=None, disabled_reason="", consecutive_failures=0
    )
    messages.success(request, _("The webhook is on again."))
    return redirect("staff:webhook", pk=hook.pk)


@require_POST
@staff_only
def webhook_delete(request, pk):
    hook = get_object_or_404(_mine(request), pk=pk)
    hook.delete()
    messages.success(request, _("The webhook is deleted."))
    return redirect("staff:webhooks")
