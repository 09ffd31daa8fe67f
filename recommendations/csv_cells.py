"""Spreadsheet formula neutralisation for every CSV the site writes, and its reverse for
the native importer.

A cell that starts with =, +, -, @, a tab or a carriage return is run as a formula by
Excel and LibreOffice, so a recommendation text or a staff summary could make a reader's
spreadsheet fetch a URL or run a command. Such a cell is written with a leading single
quote, as OWASP's CSV injection guidance describes; spreadsheets show the text without
the quote. A value that already starts with quotes before such a character gets one more
quote, so removing exactly one on import gives back every value unchanged.
"""

import re

TRIGGERS = "=+-@\t\r"
_NEEDS_QUOTE = re.compile(r"'*[=+\-@\t\r]")
_QUOTED = re.compile(r"'+[=+\-@\t\r]")
_FIRST = frozenset(TRIGGERS + "'")


def neutralise(value):
    """The cell as written to a CSV file; non-text values pass through."""
    if isinstance(value, str) and value and value[0] in _FIRST and _NEEDS_QUOTE.match(value):
        return "'" + value
    return value


def neutralise_row(values):
    # neutralise() inlined: exports and the bulk files call this for every cell.
    return [
        "'" + value
        if isinstance(value, str) and value and value[0] in _FIRST and _NEEDS_QUOTE.match(value)
        else value
        for value in values
    ]


def restore(value: str) -> str:
    """The reverse of neutralise() for a cell read back from one of our CSV files."""
    if value.startswith("'") and _QUOTED.match(value):
        return value[1:]
    return value
