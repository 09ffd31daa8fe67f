"""Template filters of the learning sections (peers.py)."""

from django import template

from .. import peers

register = template.Library()


@register.filter
def by_kind(links):
    """The links answering a recommendation as (kind label, links), implemented first."""
    return peers.instruments_by_kind(links)
