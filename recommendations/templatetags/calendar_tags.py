from django import template

from .. import ical
from ..absolute_urls import base_url

register = template.Library()


@register.inclusion_tag("recommendations/includes/calendar_links.html", takes_context=True)
def calendar_links(context, path: str, label: str):
    """Links to a calendar feed: the webcal: address calendar apps subscribe to, the
    .ics file, and the address to paste (both absolute, as calendar apps need)."""
    feed_url = base_url(context.get("request")) + path
    return {"feed_url": feed_url, "webcal_url": ical.webcal(feed_url), "label": label}
