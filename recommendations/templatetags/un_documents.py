"""Links to the official text of a UN document from its symbol (A/HRC/46/15)."""

from urllib.parse import quote

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext

register = template.Library()

UNDOCS = "https://undocs.org/"


@register.filter
def undocs_url(symbol: str) -> str:
    return UNDOCS + quote(symbol.strip(), safe="/.") if symbol else ""


@register.filter
def undocs_link(symbol: str):
    """The symbol as a link to the document on the UN's Official Document System."""
    if not symbol:
        return ""
    return format_html(
        '<a href="{}" rel="external">{}<span class="visually-hidden"> {}</span></a>',
        undocs_url(symbol),
        symbol,
        gettext("(official UN document)"),
    )
