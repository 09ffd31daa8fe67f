"""/manage/api-keys/: curators issue free API keys (a higher rate limit) and revoke them.
A key is shown once, when issued; only its hash is stored (djangorestframework-api-key),
so a lost key is revoked and a new one issued."""

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from rest_framework_api_key.models import APIKey

from recommendations.import_views import curator_required


class KeyForm(forms.Form):
    name = forms.CharField(
        label=_("Who it is for"),
        max_length=50,
        help_text=_(
            "A person or organisation and a way to reach them, e.g. "
            "“City Herald data desk, data@herald.example”."
        ),
    )


@curator_required
def key_list(request):
    form = KeyForm(request.POST or None)
    issued = None
    if request.method == "POST" and form.is_valid():
        _, issued = APIKey.objects.create_key(name=form.cleaned_data["name"].strip())
        form = KeyForm()
    keys = APIKey.objects.order_by("revoked", "-created")
    return render(request, "api/keys.html", {"form": form, "keys": keys, "issued": issued})


@require_POST
@curator_required
def key_revoke(request, prefix):
    key = get_object_or_404(APIKey, prefix=prefix[:8])
    if not key.revoked:
        key.revoked = True
        key.save(update_fields=["revoked"])
        messages.success(
            request, gettext("The key for {name} no longer works.").format(name=key.name)
        )
    return redirect("api-keys")
