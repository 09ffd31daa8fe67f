"""Reading import files: text encodings, line endings, spreadsheets and format detection.

Every reader yields `(line_number, cells)` one row at a time so a large file never sits in
memory; `line_number` is the line (CSV) or sheet row (Excel) where the row starts, counted
from 1 with the header on line 1.
"""

import codecs
import csv
import datetime
import html
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path

from django.utils.translation import gettext as _

UPR_INFO = "upr_info"
UHRI = "uhri"
NATIVE = "native"
UN_REPORT = "un_report"
# The Spanish version of a UN report table (spanish.py): the same columns as UN_REPORT,
# so never detected; the curator names it.
UN_SPANISH = "un_spanish"
FORMATS = (UPR_INFO, UHRI, NATIVE, UN_REPORT, UN_SPANISH)

SPREADSHEET_SUFFIXES = {".xlsx", ".xls", ".xlsm", ".ods"}

# Characters a Western European text plausibly contains above ASCII: accented letters of
# French, Spanish, Portuguese and German names, and typographic quotes and dashes.
_PLAUSIBLE = set("éèêëàâäáãåçôöóòõîïíìûüúùñÉÈÀÇÔÖÓÍÚÑÜ’‘“”–—…«»°ßøØæÆœ€ ")
_CHUNK = 1 << 20


class ReadError(Exception):
    """The file cannot be read at all (as opposed to one bad row)."""


def normalise_format(value: str | None) -> str | None:
    if not value:
        return None
    value = value.strip().lower().replace("-", "_")
    if value not in FORMATS:
        raise ReadError(
            _("Unknown format %(value)r; use one of upr-info, uhri, native, un-report, un-spanish.")
            % {"value": value}
        )
    return value


def detect_encoding(path) -> str:
    """UTF-8 (with or without BOM) if every byte decodes; otherwise Windows-1252 or Mac Roman,
    whichever turns the non-ASCII bytes into more plausible characters."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    high_bytes: dict[int, int] = {}
    utf8 = True
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            if utf8:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    utf8 = False
            for byte in set(chunk):
                if byte > 127:
                    high_bytes[byte] = high_bytes.get(byte, 0) + chunk.count(byte)
    if utf8:
        try:
            decoder.decode(b"", final=True)
            return "utf-8-sig"
        except UnicodeDecodeError:
            pass
    return _guess_single_byte(high_bytes)


def _guess_single_byte(high_bytes: dict[int, int]) -> str:
    scores = {}
    for encoding in ("cp1252", "mac_roman"):
        score = 0
        for byte, count in high_bytes.items():
            try:
                char = bytes([byte]).decode(encoding)
            except UnicodeDecodeError:
                score -= 1000 * count  # cp1252 leaves five bytes undefined
                continue
            if char in _PLAUSIBLE:
                score += 2 * count
            elif char.isalpha():
                score += count
            else:
                score -= count
        scores[encoding] = score
    # Ties go to Windows-1252, the more common of the two.
    return "cp1252" if scores["cp1252"] >= scores["mac_roman"] else "mac_roman"


def clean_cell(value: str) -> str:
    # Re-saves carry entities such as "&#40;Unknown&#41;" and non-breaking spaces.
    if "&" in value:
        value = html.unescape(value)
    if "\u00a0" in value:
        value = value.replace("\u00a0", " ")
    if "\r" in value:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    return value.strip()


def iter_csv(path, encoding: str | None = None) -> Iterator[tuple[int, list[str]]]:
    encoding = encoding or detect_encoding(path)
    # newline="" lets the csv module accept CR, LF and CRLF alike, also inside quoted cells.
    with open(path, encoding=encoding, newline="") as fh:
        reader = csv.reader(fh)
        start = 1
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                # The csv module names no line; the curator needs one to find the fault
                # (often a quote never closed, which swallows the rest of the file).
                raise ReadError(
                    _(
                        "Cannot read the row that starts on line %(start)s: %(exc)s. A quote "
                        "opened in a cell there may never be closed."
                    )
                    % {"start": start, "exc": exc}
                ) from exc
            if any(cell.strip() for cell in cells):
                yield start, [clean_cell(cell) for cell in cells]
            start = reader.line_num + 1


def _excel_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return clean_cell(str(value))


def check_unpacked_size(path, limit_bytes: int | None = None):
    """An xlsx/ods is a zip: refuse one whose members declare more than the limit before
    anything is unpacked (a small file can unpack to gigabytes)."""
    if limit_bytes is None:
        from django.conf import settings

        limit_bytes = settings.IMPORT_MAX_UNPACKED_MB * 1024 * 1024
    if not zipfile.is_zipfile(path):
        return  # .xls is not a zip; its size is its size
    try:
        with zipfile.ZipFile(path) as archive:
            declared = sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, OSError) as exc:
        raise ReadError(_("Cannot read the spreadsheet: %(exc)s") % {"exc": exc}) from exc
    if declared > limit_bytes:
        raise ReadError(
            _(
                "The spreadsheet unpacks to %(count)s MB, more than the %(count2)s MB allowed; "
                "save it as CSV or split it."
            )
            % {"count": declared // (1024 * 1024), "count2": limit_bytes // (1024 * 1024)}
        )


def iter_spreadsheet(path) -> Iterator[tuple[int, list[str]]]:
    from python_calamine import CalamineError, load_workbook

    check_unpacked_size(path)
    try:
        workbook = load_workbook(str(path))
        sheet = workbook.get_sheet_by_index(0)
        for number, values in enumerate(sheet.iter_rows(), start=1):
            cells = [_excel_cell(v) for v in values]
            if any(cells):
                yield number, cells
    except CalamineError as exc:
        raise ReadError(_("Cannot read the spreadsheet: %(exc)s") % {"exc": exc}) from exc


def iter_rows(path) -> Iterator[tuple[int, list[str]]]:
    suffix = Path(path).suffix.lower()
    if suffix in SPREADSHEET_SUFFIXES:
        return iter_spreadsheet(path)
    return iter_csv(path)


def is_json(path) -> bool:
    if Path(path).suffix.lower() == ".json":
        return True
    with open(path, "rb") as fh:
        head = fh.read(64).lstrip(codecs.BOM_UTF8).lstrip()
    return head[:1] in (b"[", b"{")


def iter_json(path) -> Iterator[tuple[int, dict]]:
    """Native JSON: a list of row objects (or {"recommendations": [...]}); numbered from 1."""
    with open(path, encoding="utf-8-sig") as fh:
        try:
            data = json.load(fh)
        except json.JSONDecodeError as exc:
            raise ReadError(_("Not valid JSON: %(exc)s") % {"exc": exc}) from exc
    if isinstance(data, dict):
        data = data.get("recommendations", data.get("results"))
    if not isinstance(data, list):
        raise ReadError(_("A native JSON file holds a list of recommendations."))
    for number, item in enumerate(data, start=1):
        if not isinstance(item, dict):
            raise ReadError(_("Item %(number)s is not an object.") % {"number": number})
        yield number, {key: "" if v is None else str(v) for key, v in item.items()}


def header_key(name: str) -> str:
    """Header names compared loosely: UHRI spells "Reccomending" both ways."""
    key = " ".join(name.casefold().replace("_", " ").split())
    return key.replace("reccomending", "recommending")


def column_index(header: list[str], required, source: str) -> dict[str, int]:
    """Each loosely compared header name's first position; ReadError naming the missing
    columns when a required one is absent (a fault of the file, not of a row)."""
    index = {}
    for position, name in enumerate(header):
        index.setdefault(header_key(name), position)
    missing = [name for name in required if name not in index]
    if missing:
        names = ", ".join(repr(name) for name in missing)
        raise ReadError(
            _("Not a %(source)s file: the header has no %(names)s column.")
            % {"source": source, "names": names}
        )
    return index


def detect_format(header: list[str]) -> str | None:
    keys = [header_key(h) for h in header]
    if len(keys) >= 11 and keys[0] in ("sur", "to") and keys[3] in ("recommendation", "text"):
        return UPR_INFO
    if "ohchr annotation id" in keys or (
        "text" in keys and ("recommending body" in keys or "countries concerned" in keys)
    ):
        return UHRI
    if "state under review" in keys and "text" in keys:
        return NATIVE
    if {"document symbol", "paragraph", "position", "text"} <= set(keys):
        return UN_REPORT
    return None
