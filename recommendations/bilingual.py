"""Content in English and Spanish: which of the two a page shows.

The English fields (`text`, `name`, `title`, `summary`) are the record as the sources and
staff write it; each translatable field has a Spanish twin named `<field>_es`, empty until
someone supplies it. `Bilingual.localized(field)` picks the visitor's language when that
version exists and falls back to the other one, saying so; the `{% localized %}` template
tag (templatetags/bilingual.py), the feeds and the reports all read it, so a page never
decides this twice. Plain `*_es` columns rather than a translation library: the search
vectors (schema.py), the history tables and the exports read them as ordinary columns,
and the importers keep writing the English fields as before (README, "Spanish content").
"""

from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import get_language, gettext

ENGLISH = "en"
SPANISH = "es"


def current_language() -> str:
    """The visitor's language as "en" or "es" ("es-mx" is Spanish; anything else English)."""
    code = (get_language() or settings.LANGUAGE_CODE or ENGLISH).lower()
    return SPANISH if code.split("-")[0] == SPANISH else ENGLISH


def spanish_field(field: str) -> str:
    return f"{field}_es"


@dataclass(frozen=True)
class Localized:
    """One field as shown: its text, the language the text is in, and whether that is not
    the language asked for (a fallback the page must point out)."""

    text: str
    lang: str
    fallback: bool = False

    def __str__(self):
        return self.text

    def __bool__(self):
        return bool(self.text)

    def note(self, brief: bool = False) -> str:
        """What a fallback says, in the visitor's language; empty when there is none.
        Brief for names in a list, where the long note on every item would drown them."""
        if not self.fallback:
            return ""
        if self.lang == ENGLISH:
            if brief:
                return gettext("(in English)")
            return gettext("(in English: no Spanish version yet)")
        if brief:
            return gettext("(in Spanish)")
        return gettext("(in Spanish: no English version yet)")

    def noted(self) -> str:
        """The text with its note, for plain text (feeds, mail, documents)."""
        return f"{self.text} {self.note()}" if self.fallback else self.text


class Bilingual:
    """A model mixin for models with `<field>_es` twins of their English fields."""

    def localized(self, field: str, language: str | None = None) -> Localized:
        language = language or current_language()
        english = getattr(self, field) or ""
        spanish = getattr(self, spanish_field(field)) or ""
        if language == SPANISH:
            if spanish:
                return Localized(spanish, SPANISH)
            return Localized(english, ENGLISH, fallback=bool(english))
        if english or not spanish:
            return Localized(english, ENGLISH)
        return Localized(spanish, SPANISH, fallback=True)
