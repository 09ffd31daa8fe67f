"""The Word rendering of a report: real heading styles, paragraphs numbered by a Word
numbering definition (so numbers follow when someone inserts or deletes a paragraph),
live hyperlinks, and the evidence links as numbered endnotes at the end."""

import io

from django.utils import translation
from django.utils.translation import gettext as _
from docx import Document as WordDocument
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from .document import Run

NUMBERED_STYLE = "Report Numbered Paragraph"
LINK_COLOUR = RGBColor(0x1F, 0x4E, 0x9A)


def render_docx(document) -> bytes:
    with translation.override(document.language):
        return _render_docx(document)


def _render_docx(document) -> bytes:
    word = WordDocument()
    word.core_properties.title = document.title
    word.core_properties.subject = document.kind_label
    word.core_properties.language = document.language
    style = word.styles["Normal"]
    style.font.name = "Calibri"
    style.font.size = Pt(11)
    _a4(word.sections[0])
    num_id = _numbering(word)
    _numbered_style(word, num_id)
    writer = _Writer(word, num_id)
    writer.paragraph([Run(document.title)], "Title")
    if document.organisations:
        writer.paragraph([Run(document.organisations)], "Subtitle")
    for block in document.printed_blocks:
        if block.kind == "heading":
            writer.paragraph(block.runs, f"Heading {block.level}")
        elif block.kind == "para":
            writer.paragraph(
                block.runs, NUMBERED_STYLE if block.numbered else "Normal", numbered=block.numbered
            )
        elif block.kind == "text":
            for text in block.paragraphs:
                writer.paragraph([Run(text)], NUMBERED_STYLE, numbered=True)
        elif block.kind == "table":
            writer.paragraph([Run(block.label)], "Caption")
            _add_table(word, block)
    if document.endnotes:
        writer.paragraph([Run(_("Endnotes"))], "Heading 1")
        for number, url in document.endnotes:
            writer.paragraph([Run(f"{number}. "), Run(url, url=url)], "Normal")
    _page_number_footer(word.sections[0])
    buffer = io.BytesIO()
    word.save(buffer)
    return buffer.getvalue()


class _Writer:
    """Adds paragraphs by style id and hyperlinks by cached relationship id. python-docx
    looks both up by a linear search on each call, which made a 300-recommendation report
    take seconds; this keeps the cost per paragraph constant."""

    def __init__(self, word, num_id):
        self.word = word
        self.num_id = num_id
        self.style_ids = {}
        self.links = {}

    def style_id(self, name):
        if name not in self.style_ids:
            self.style_ids[name] = self.word.styles[name].style_id
        return self.style_ids[name]

    def paragraph(self, runs, style, numbered=False):
        paragraph = self.word.add_paragraph()
        paragraph._p.style = self.style_id(style)
        if numbered:
            _number(paragraph, self.num_id)
        for run in runs:
            if run.note is not None:
                paragraph.add_run(str(run.note)).font.superscript = True
            elif run.url:
                self.hyperlink(paragraph, run.text, run.url)
            else:
                paragraph.add_run(run.text).italic = run.italic or None
        return paragraph

    def hyperlink(self, paragraph, text, url):
        if url not in self.links:
            rel_id = f"rIdLink{len(self.links) + 1}"
            paragraph.part.rels.add_relationship(
                RELATIONSHIP_TYPE.HYPERLINK, url, rel_id, is_external=True
            )
            self.links[url] = rel_id
        _hyperlink(paragraph, text, self.links[url])


def _numbering(word) -> int:
    """A decimal numbering definition of our own, and one instance of it: every numbered
    paragraph points at that instance, so the whole report counts on from 1."""
    numbering = word.part.numbering_part.element
    abstract_id = 1 + max(
        (int(a.get(qn("w:abstractNumId"))) for a in numbering.findall(qn("w:abstractNum"))),
        default=0,
    )
    abstract = OxmlElement("w:abstractNum")
    abstract.set(qn("w:abstractNumId"), str(abstract_id))
    multi = OxmlElement("w:multiLevelType")
    multi.set(qn("w:val"), "singleLevel")
    abstract.append(multi)
    level = OxmlElement("w:lvl")
    level.set(qn("w:ilvl"), "0")
    for tag, value in (
        ("w:start", "1"),
        ("w:numFmt", "decimal"),
        ("w:lvlText", "%1."),
        ("w:lvlJc", "left"),
    ):
        element = OxmlElement(tag)
        element.set(qn("w:val"), value)
        level.append(element)
    ppr = OxmlElement("w:pPr")
    indent = OxmlElement("w:ind")
    indent.set(qn("w:left"), "567")
    indent.set(qn("w:hanging"), "567")
    ppr.append(indent)
    level.append(ppr)
    abstract.append(level)
    existing_nums = numbering.findall(qn("w:num"))
    if existing_nums:
        existing_nums[0].addprevious(abstract)
    else:
        numbering.append(abstract)
    num_id = 1 + max((int(n.get(qn("w:numId"))) for n in existing_nums), default=0)
    num = OxmlElement("w:num")
    num.set(qn("w:numId"), str(num_id))
    ref = OxmlElement("w:abstractNumId")
    ref.set(qn("w:val"), str(abstract_id))
    num.append(ref)
    numbering.append(num)
    return num_id


def _numbered_style(word, num_id):
    style = word.styles.add_style(NUMBERED_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = word.styles["Normal"]
    style.paragraph_format.space_after = Pt(6)


def _number(paragraph, num_id):
    ppr = paragraph._p.get_or_add_pPr()
    numpr = OxmlElement("w:numPr")
    ilvl = OxmlElement("w:ilvl")
    ilvl.set(qn("w:val"), "0")
    num = OxmlElement("w:numId")
    num.set(qn("w:val"), str(num_id))
    numpr.append(ilvl)
    numpr.append(num)
    ppr.append(numpr)


def _hyperlink(paragraph, text, rel_id):
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), rel_id)
    run = OxmlElement("w:r")
    rpr = OxmlElement("w:rPr")
    colour = OxmlElement("w:color")
    colour.set(qn("w:val"), str(LINK_COLOUR))
    underline = OxmlElement("w:u")
    underline.set(qn("w:val"), "single")
    rpr.append(colour)
    rpr.append(underline)
    run.append(rpr)
    text_element = OxmlElement("w:t")
    text_element.text = text
    text_element.set(qn("xml:space"), "preserve")
    run.append(text_element)
    link.append(run)
    paragraph._p.append(link)


def _a4(section):
    """A4 with 2 cm margins, as the PDF: the paper of UN documents (python-docx's
    template is US Letter)."""
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = section.top_margin = Mm(20)
    section.bottom_margin = Mm(22)


def _page_number_footer(section):
    """The page number, centred, as a PAGE field that Word keeps current."""
    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = paragraph.add_run()
    for tag, attrs, text in (
        ("w:fldChar", {"w:fldCharType": "begin"}, None),
        ("w:instrText", {"xml:space": "preserve"}, " PAGE "),
        ("w:fldChar", {"w:fldCharType": "separate"}, None),
        ("w:t", {}, "1"),
        ("w:fldChar", {"w:fldCharType": "end"}, None),
    ):
        element = OxmlElement(tag)
        for key, value in attrs.items():
            element.set(qn(key), value)
        if text:
            element.text = text
        run._r.append(element)


def _add_table(word, block):
    table = word.add_table(rows=1, cols=len(block.headers))
    table.style = "Light Grid Accent 1"
    for cell, header in zip(table.rows[0].cells, block.headers, strict=True):
        cell.text = header
    for row in block.rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, row, strict=True):
            cell.text = str(value)
