"""The options of a facet as HTML, built in Python: /recommendations/ lists over a thousand
options (every review, state and theme), and the template loop over them took longer than
the rest of the page. The standard library's escape (what Django's wraps) skips the lazy-
string check Django's makes on each of its thousands of calls; every value is a str."""

from html import escape

from django import template
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, ngettext

register = template.Library()


@register.simple_tag
def facet_options(facet, options=None) -> str:
    """The facet's options (or, for a grouped facet, one group's `options`) as list items;
    each option's index keeps its id unique across the groups."""
    name = escape(facet["name"])
    kind = "radio" if facet.get("radio") or facet["name"] == "local_action" else "checkbox"
    items = []
    # Most options share a few counts (0 above all): each wording is looked up once.
    wordings = {}
    chosen = facet["options"] if options is None else options
    for n, option in enumerate(chosen, start=1):
        count = option["count"]
        n = option.get("index", n)
        empty = " empty" if not count and not option["selected"] else ""
        checked = " checked" if option["selected"] else ""
        if count not in wordings:
            wordings[count] = escape(ngettext("{n} result", "{n} results", count).format(n=count))
        items.append(
            f'<li class="option{empty}">'
            f'<input type="{kind}" id="f-{name}-{n}" name="{name}" '
            f'value="{escape(str(option["value"]))}"{checked}>'
            f'<label for="f-{name}-{n}">{escape(option["label"])} '
            f'<span class="count" aria-label="{wordings[count]}">({count})</span>'
            "</label></li>"
        )
    if not items:
        none = gettext("No values yet.")
        items.append(f'<li class="option empty">{escape(none)}</li>')
    return mark_safe("\n".join(items))  # every value above is escaped
