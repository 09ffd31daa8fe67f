"""{% localized obj "field" %}: a translatable field in the visitor's language
(recommendations/bilingual.py), every page's one way to show content. A fallback to the
other language is marked with its `lang` and a visible note, so a screen reader reads the
English with an English voice on a Spanish page and the reader knows why it is English.

Options: words=N (truncate to N words), breaks=True (line breaks kept, as linebreaksbr),
shown=... (already-escaped HTML to show instead of the text, such as search highlights),
plain=True (the text alone, for <title> and attributes), brief=True (the short note, for
names in a list)."""

from django import template
from django.template.defaultfilters import linebreaksbr, truncatewords
from django.utils.html import conditional_escape, format_html

register = template.Library()


@register.simple_tag
def localized(obj, field, words=0, breaks=False, shown=None, plain=False, brief=False):
    value = obj.localized(field)
    if plain:
        return value.text
    if shown is not None:
        body = conditional_escape(shown)
    else:
        text = truncatewords(value.text, words) if words else value.text
        body = linebreaksbr(text, autoescape=True) if breaks else conditional_escape(text)
    if not value.fallback:
        return body
    return format_html(
        '<span lang="{}">{}</span> <small class="lang-note">{}</small>',
        value.lang,
        body,
        value.note(brief),
    )
