"""Numbers of indicators as people write them: no trailing zeros, no exponent, grouped
and with the decimal mark of the page's language."""

from decimal import Decimal, InvalidOperation

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def plain_number(value):
    """120.0000 → 120, 0.2500 → 0.25, 1234.5 → 1,234.5 (in Spanish 1.234,5)."""
    if value in (None, ""):
        return ""
    try:
        number = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return value
    number = number.normalize()
    places = max(0, -number.as_tuple().exponent)
    return number_format(number, decimal_pos=places, force_grouping=True)


@register.filter
def quantity(value, unit):
    """A plain number followed by its unit, if it has one: 120 people."""
    number = plain_number(value)
    return f"{number} {unit}" if unit else number
