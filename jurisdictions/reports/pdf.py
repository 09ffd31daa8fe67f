"""The PDF rendering: WeasyPrint lays out the very HTML of the print view, with the
report stylesheet. Nothing is fetched over the network while rendering."""

import logging

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

STYLESHEET = "css/report.css"
# Font subsetting logs every table it touches at INFO; that is noise in the worker's log.
logging.getLogger("fontTools").setLevel(logging.WARNING)
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


def render_print_html(document, *, for_pdf: bool = False) -> str:
    with translation.override(document.language):
        return render_to_string("reports/print.html", {"document": document, "for_pdf": for_pdf})


def _no_fetching(url, *args, **kwargs):
    raise ValueError(f"Reports load nothing from the network ({url[:80]}).")


class PdfUnavailable(Exception):
    """The system libraries WeasyPrint needs are missing (see bin/system-packages)."""


def render_pdf(document) -> bytes:
    try:
        from weasyprint import CSS, HTML
    except OSError as exc:
        raise PdfUnavailable(
            _(
                "PDF output needs Pango and HarfBuzz on the server (bin/system-packages lists "
                "them); the Word file works without them."
            )
        ) from exc

    html = HTML(string=render_print_html(document, for_pdf=True), url_fetcher=_no_fetching)
    return html.write_pdf(stylesheets=[CSS(filename=finders.find(STYLESHEET))])
