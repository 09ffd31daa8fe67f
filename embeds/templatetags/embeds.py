"""The "Embed this" box and the oEmbed discovery link of the pages that have a widget
(jurisdiction, recommendation and theme pages): {% embed_box "theme" theme %} and
{% embed_discovery "theme" theme %}."""

from django import template
from django.utils.html import format_html

from recommendations.absolute_urls import base_url

from ..views import WIDGETS, oembed_url

register = template.Library()


def _key(kind: str, obj) -> str:
    return getattr(obj, WIDGETS[kind].key)


@register.inclusion_tag("embeds/_box.html", takes_context=True)
def embed_box(context, kind: str, obj):
    base = base_url(context.get("request"))
    return {
        "kind": kind,
        "code": WIDGETS[kind].iframe(base, _key(kind, obj), str(obj)),
        "oembed_url": oembed_url(base + obj.get_absolute_url()),
    }


@register.simple_tag(takes_context=True)
def embed_discovery(context, kind: str, obj):
    base = base_url(context.get("request"))
    return format_html(
        '<link rel="alternate" type="application/json+oembed" href="{}" title="{}">',
        oembed_url(base + obj.get_absolute_url()),
        str(obj),
    )
