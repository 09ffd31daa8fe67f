"""Faster get_FOO_display() for the models that lists show many rows of."""

from django.utils.encoding import force_str


class ChoiceLabels:
    """Django's get_FOO_display() builds a dict of every choice on each call, translating
    every lazy label to hash it: a list of fifty recommendations spent hundreds of
    translations on two badges per row. This one stops at the matching choice."""

    def _get_FIELD_display(self, field):
        value = getattr(self, field.attname)
        for choice, label in field.flatchoices:
            if choice == value:
                return force_str(label, strings_only=True)
        return force_str(value, strings_only=True)
