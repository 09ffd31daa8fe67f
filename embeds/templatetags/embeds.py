"""The "Embed this" box and the oEmbed discovery link of the pages that have a widget
(jurisdiction, recommendation and theme pages): {% embed_box "theme" theme %} and
{% embed_discovery "theme" theme %}."""

from django import template
from django.conf import settings
from django.utils import translation
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from recommendations.absolute_urls import base_url

from ..views import WIDGETS, oembed_url

register = template.Library()

# Whole phrases, not a name slotted into one: Spanish writes language names in lower case
# mid-sentence, and Django's own names of the languages are capitalised for menus.
CODE_LABELS = {
    "en": _("Code for the summary in English"),
    "es": _("Code for the summary in Spanish"),
}


@register.inclusion_tag("embeds/_box.html", takes_context=True)
def embed_box(context, kind: str, obj):
    """The code of the widget in each language, the page's own language chosen first: the
    host site picks the language of its page."""
    base = base_url(context.get("request"))
    current = translation.get_language()
    return {
        "kind": kind,
        "snippets": [
            {
                "language": code,
                "name": translation.get_language_info(code)["name_translated"],
                "label": CODE_LABELS[code],
                "code": WIDGETS[kind].iframe(base, obj, code),
                "chosen": code == current,
            }
            for code, _name in settings.LANGUAGES
        ],
        "oembed_url": oembed_url(base + obj.get_absolute_url()),
    }


@register.simple_tag(takes_context=True)
def embed_discovery(context, kind: str, obj):
    base = base_url(context.get("request"))
    return format_html(
        '<link rel="alternate" type="application/json+oembed" href="{}" title="{}">',
        oembed_url(base + obj.get_absolute_url()),
        WIDGETS[kind].title(obj, translation.get_language()),
    )
