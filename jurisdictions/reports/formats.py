"""The file formats a report comes in, and what renders each."""

from .docx import render_docx
from .pdf import render_pdf

CONTENT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}
RENDERERS = {"docx": render_docx, "pdf": render_pdf}
