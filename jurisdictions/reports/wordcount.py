"""The word count a report shows against its limit. A word is a run of non-space
characters holding a letter or digit; static/js/report-builder.js counts the same way."""

import re

from django.utils.translation import gettext_lazy as _

_WORDLIKE = re.compile(r"[^\W_]", re.UNICODE)

WHAT_IS_COUNTED = _(
    "Counted: the title, the organisations, the introduction, the headings, each "
    "recommendation with its commitments, and your assessments. Not counted: the summary "
    "tables, the paragraph numbers and the endnotes."
)


def count_words(text: str) -> int:
    return sum(1 for token in text.split() if _WORDLIKE.search(token))
