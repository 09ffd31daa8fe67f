"""Numbers of indicators as people write them: no trailing zeros, no exponent."""

from decimal import Decimal, InvalidOperation

from django import template

register = template.Library()


@register.filter
def plain_number(value):
    """120.0000 → 120, 0.2500 → 0.25, 1234.5 → 1,234.5."""
    if value in (None, ""):
        return ""
    try:
        number = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return value
    text = f"{number.normalize():,f}"
    return text
