from django import template

from jurisdictions import permissions

register = template.Library()


@register.filter
def is_curator(user) -> bool:
    return permissions.is_curator(user)


@register.filter
def is_staff_member(user) -> bool:
    return permissions.is_staff_member(user)
