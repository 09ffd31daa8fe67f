"""/api/v1/webhooks/: API-key holders register, list and delete webhooks, as staff do at
/manage/webhooks/ (the same form, jurisdictions/follow/webhook_views.py). The key is the
account: a key sees and deletes only its own hooks; `email` receives the notice if a hook
is disabled. JSON in and out, errors in the API's one shape (errors.py)."""

import json

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.http import HttpResponse, JsonResponse, QueryDict
from django.shortcuts import get_object_or_404
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from jurisdictions.follow.models import Webhook
from jurisdictions.follow.webhook_views import WebhookForm
from jurisdictions.models import Jurisdiction

from .errors import body
from .throttling import InvalidKey, api_key

RECENT = 5


def _error(status: int, message: str, parameter: str | None = None) -> JsonResponse:
    return JsonResponse(body(status, message, parameter), status=status)


NO_KEY = "Send your key as “Authorization: Api-Key <key>”."


def _key(request):
    """(the request's APIKey, None) or (None, the 401 answer)."""
    try:
        key = api_key(request)
    except InvalidKey as exc:
        return None, _error(401, str(exc), "Authorization")
    if key is None:
        return None, _error(401, NO_KEY, "Authorization")
    return key, None


def _describe(hook: Webhook, secret: bool = False) -> dict:
    shown = {
        "id": hook.pk,
        "url": hook.url,
        "events": hook.events,
        "jurisdiction": hook.jurisdiction.slug if hook.jurisdiction else None,
        "search": hook.search.get_absolute_url() if hook.search else None,
        "email": hook.owner_email,
        "disabled_at": hook.disabled_at.isoformat() if hook.disabled_at else None,
        "disabled_reason": hook.disabled_reason,
        "deliveries": [
            {
                "id": str(d.event_id),
                "event": d.event,
                "status": d.status,
                "attempts": [
                    {
                        "at": a.attempted_at.isoformat(),
                        "status_code": a.status_code,
                        "error": a.error,
                    }
                    for a in d.attempt_log.all()
                ],
            }
            for d in hook.deliveries.prefetch_related("attempt_log")[:RECENT]
        ],
    }
    if secret:
        shown["secret"] = hook.secret
    return shown


# The key in the Authorization header is the credential; no cookie is read.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def webhook_list(request):
    key, refusal = _key(request)
    if refusal:
        return refusal
    if request.method == "GET":
        hooks = Webhook.objects.filter(api_key=key).select_related("jurisdiction", "search")
        return JsonResponse({"results": [_describe(h) for h in hooks]})
    try:
        data = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        return _error(400, "The body must be a JSON object.")
    if not isinstance(data, dict):
        return _error(400, "The body must be a JSON object.")
    form = WebhookForm(_form_data(data), jurisdictions=Jurisdiction.objects.all())
    email = str(data.get("email") or "").strip()
    try:
        validate_email(email)
    except ValidationError:
        return _error(400, "Give an email address for notices about this webhook.", "email")
    if not form.is_valid():
        name, messages = next(iter(form.errors.items()))
        return _error(400, " ".join(messages), None if name == "__all__" else name)
    hook = form.save(api_key=key, owner_email=email)
    return JsonResponse(_describe(hook, secret=True), status=201)


def _form_data(data: dict) -> QueryDict:
    form = QueryDict(mutable=True)
    for name in ("url", "jurisdiction", "search"):
        if isinstance(data.get(name), str):
            form[name] = data[name]
    events = data.get("events")
    if isinstance(events, list):
        form.setlist("events", [e for e in events if isinstance(e, str)])
    return form


@csrf_exempt
@require_http_methods(["GET", "DELETE"])
def webhook_detail(request, pk):
    key, refusal = _key(request)
    if refusal:
        return refusal
    hook = get_object_or_404(Webhook.objects.filter(api_key=key), pk=pk)
    if request.method == "DELETE":
        hook.delete()
        return HttpResponse(status=204)
    return JsonResponse(_describe(hook, secret=True))
