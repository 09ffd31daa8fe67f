"""Widgets another website can put in an <iframe>: a jurisdiction's commitments, one
recommendation's status and who acted on it, a theme's scorecard; and the oEmbed endpoint
that hands out their <iframe> code.

These are the only pages any other site may frame: each view replaces the site's
frame-ancestors 'none' with any origin and drops X-Frame-Options. They are plain server
pages (no script, no form, no cookie read or written), show only published data, and
every link in them opens the full page in a new tab.

Each widget exists in every language of the site, English at /embed/… and Spanish at
/es/embed/…, and speaks only the language of its address: the host site picks it (the
"Embed this" box offers both; oEmbed takes `lang` or the address's own prefix), since the
Accept-Language and cookie an <iframe> sends belong to the visitor, not the host."""

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

from csp.decorators import csp_replace
from django.conf import settings
from django.db.models import Count, F
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import Resolver404, resolve, reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_safe

from jurisdictions import panels
from jurisdictions.models import Commitment, CommitmentStatus, Jurisdiction, ThemeActionCount
from recommendations import facets
from recommendations.absolute_urls import base_url
from recommendations.models import Recommendation, Response, Theme
from upr_tracker.language import language_from_address

# The commitments a jurisdiction widget lists; the counts cover all of them.
LISTED = 8
# The places a theme scorecard names.
LEADING = 5


def frameable(view):
    """Any site may frame this view (and only this one), in the language it asks for."""
    return language_from_address(
        require_safe(xframe_options_exempt(csp_replace({"frame-ancestors": ["*"]})(view)))
    )


def _render(request, template, obj, context):
    full = base_url(request) + obj.get_absolute_url()
    return render(request, template, {**context, "full_url": full, "oembed_url": oembed_url(full)})


def oembed_url(page_url: str) -> str:
    """The oEmbed address of a page, for the discovery <link>."""
    return reverse("embeds:oembed") + "?" + urlencode({"url": page_url, "format": "json"})


@frameable
def jurisdiction(request, slug):
    place = get_object_or_404(Jurisdiction, slug=slug)
    published = Commitment.objects.published().filter(jurisdiction=place)
    totals = dict(published.values_list("status").annotate(n=Count("id")).order_by())
    labels = dict(CommitmentStatus.choices)
    latest = list(
        published.only("id", "title", "title_es", "status", "adopted_on").order_by(
            F("adopted_on").desc(nulls_last=True), "title"
        )[:LISTED]
    )
    context = {
        "place": place,
        "total": sum(totals.values()),
        "statuses": [(key, labels[key], totals[key]) for key in labels if totals.get(key)],
        "commitments": latest,
    }
    return _render(request, "embeds/jurisdiction.html", place, context)


@frameable
def recommendation(request, public_id):
    rec = get_object_or_404(
        Recommendation.objects.select_related("review__state_under_review").defer("search_vector"),
        public_id=public_id,
    )
    links = panels.recommendation_context(rec)["links"]
    acting = {link.commitment.jurisdiction_id for link in links}
    context = {
        "rec": rec,
        "links": links,
        "acting_count": len(acting),
        "local_label": Recommendation.LocalStatus(rec.local_status).label,
    }
    return _render(request, "embeds/recommendation.html", rec, context)


@frameable
def theme(request, slug):
    subject = get_object_or_404(Theme, slug=slug)
    # As the theme page counts them: the theme with its narrower themes, the facet index
    # for the responses, the kept counts for the local action.
    counts = facets.counts_of("response", theme=Theme.objects.with_narrower([subject]))
    responses = [(key, label, counts.get(key, 0)) for key, label in Response.choices]
    action = ThemeActionCount.objects.for_theme(subject, leading=LEADING)
    context = {
        "theme": subject,
        "responses": responses,
        "recommendation_total": sum(n for _, _, n in responses),
        "commitment_total": action["commitments"],
        "jurisdiction_total": action["jurisdictions"],
        "leading": action["leading"],
    }
    return _render(request, "embeds/theme.html", subject, context)


@dataclass(frozen=True)
class Widget:
    route: str
    key: str
    width: int
    height: int
    find: Callable
    # The record's name as the widget's title shows it, in the active language.
    label: Callable = str

    def title(self, record, language: str) -> str:
        with translation.override(language):
            return self.label(record)

    def iframe(self, base: str, record, language: str, width=None, height=None) -> str:
        """The <iframe> code oEmbed answers with and the "Embed this" box shows: the
        widget in `language`, titled in it."""
        with translation.override(language):
            src = base + reverse(self.route, args=[getattr(record, self.key)])
        return (
            f'<iframe src="{src}" width="{width or self.width}" '
            f'height="{height or self.height}" title="{escape(self.title(record, language))}" '
            'loading="lazy" style="border:1px solid #ccc;max-width:100%"></iframe>'
        )


WIDGETS = {
    "jurisdiction": Widget(
        "embeds:jurisdiction", "slug", 400, 420, lambda key: Jurisdiction.objects.filter(slug=key)
    ),
    "recommendation": Widget(
        "embeds:recommendation",
        "public_id",
        400,
        380,
        lambda key: Recommendation.objects.filter(public_id=key),
    ),
    "theme": Widget(
        "embeds:theme",
        "slug",
        400,
        420,
        lambda key: Theme.objects.filter(slug=key),
        label=lambda theme: theme.localized("name").text,
    ),
}
# The addresses oEmbed accepts: each full page and each widget itself.
EMBEDDABLE = {
    "jurisdictions:jurisdiction-detail": WIDGETS["jurisdiction"],
    "recommendations:recommendation-permanent": WIDGETS["recommendation"],
    "recommendations:theme-detail": WIDGETS["theme"],
    **{widget.route: widget for widget in WIDGETS.values()},
}


def _error(status: int, message: str) -> JsonResponse:
    return JsonResponse({"error": {"status": status, "message": message}}, status=status)


def _language(request, path: str) -> str:
    """The widget's language: `lang` when given ("es", "es-MX"), else the language of the
    address's prefix, else English. LookupError names an unknown one."""
    asked = request.GET.get("lang", "")
    if asked:
        return translation.get_supported_language_variant(asked.lower())
    return translation.get_language_from_path(path) or settings.LANGUAGE_CODE


def _size(request, name: str, default: int) -> int:
    """`default`, or the consumer's maxwidth/maxheight when smaller (oEmbed 2.2)."""
    raw = request.GET.get(name, "")
    if raw.isdigit() and int(raw) > 0:
        return min(default, int(raw))
    return default


@require_safe
def oembed(request):
    """oEmbed 1.0 (https://oembed.com/): a "rich" answer with the widget's <iframe>, in
    the language `lang` names, else in that of the address given."""
    fmt = request.GET.get("format", "json")
    if fmt == "xml":
        # The specification's answer for its other format, which this provider does not offer.
        return HttpResponse(_("Only format=json is offered."), status=501)
    if fmt != "json":
        return _error(400, _("format is json (or xml, which is not offered)."))
    url = request.GET.get("url", "")
    if not url:
        return _error(400, _("Give the address of a page to embed as url."))
    try:
        parts = urlsplit(url)
    except ValueError:
        return _error(404, _("That address is not a page of this site."))
    base = base_url(request)
    if parts.scheme not in {"http", "https"} or parts.netloc != urlsplit(base).netloc:
        return _error(404, _("That address is not a page of this site."))
    try:
        language = _language(request, parts.path)
    except LookupError:
        codes = ", ".join(code for code, _name in settings.LANGUAGES)
        return _error(
            400, _("lang is the widget's language, one of: %(codes)s.") % {"codes": codes}
        )
    # An address resolves only in the language of its own prefix (i18n_patterns).
    prefix = translation.get_language_from_path(parts.path)
    with translation.override(prefix or settings.LANGUAGE_CODE):
        try:
            match = resolve(parts.path)
        except Resolver404:
            match = None
    widget = EMBEDDABLE.get(match.view_name) if match else None
    if widget is None:
        return _error(404, _("That address cannot be embedded."))
    record = widget.find(match.kwargs[widget.key]).first()
    if record is None:
        return _error(404, _("Nothing is published at that address."))
    width = _size(request, "maxwidth", widget.width)
    height = _size(request, "maxheight", widget.height)
    response = JsonResponse(
        {
            "version": "1.0",
            "type": "rich",
            "title": widget.title(record, language),
            "provider_name": "UPR Tracker",
            "provider_url": base + "/",
            "html": widget.iframe(base, record, language, width, height),
            "width": width,
            "height": height,
            "cache_age": 3600,
        }
    )
    response["Cache-Control"] = "public, max-age=3600"
    return response
