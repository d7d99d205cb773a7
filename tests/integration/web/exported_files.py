"""Fetching and reading the files the web exports hand out, as a user's browser and
spreadsheet or PDF reader would: the download itself (a 200 attachment of the media type
its extension names), CSV and XLSX rows, an XLSX sheet's cells (number formats, types), a
PDF's page count and the characters its embedded fonts print (no PDF text extractor is
installed, so the fonts' ToUnicode maps stand in for one)."""

from __future__ import annotations

import csv
import re
import zlib
from io import BytesIO, StringIO
from urllib.parse import urlsplit

from httpx import Response
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from tests.integration.web.browsing import Browser

MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


def download(browser: Browser, path: str, filename: str | None = None) -> Response:
    """``path`` fetched as a user's browser would: a 200 of the media type its extension
    names, sent as an attachment (named ``filename`` when given)."""
    response = browser.page(path)
    extension = urlsplit(path).path.rsplit(".", 1)[-1]
    assert response.headers["content-type"] == MEDIA_TYPES[extension], path
    disposition = response.headers["content-disposition"]
    assert disposition.startswith("attachment"), (path, disposition)
    if filename is not None:
        assert disposition == f'attachment; filename="{filename}"'
    return response


def downloaded_rows(browser: Browser, path: str, filename: str | None = None) -> list[list[object]]:
    """The rows of the CSV or XLSX export at ``path`` (see :func:`download`)."""
    content = download(browser, path, filename).content
    return csv_rows(content) if path.split("?")[0].endswith(".csv") else xlsx_rows(content)


def xlsx_sheet(content: bytes) -> Worksheet:
    """The workbook's first sheet, for what rows do not show: number formats, cell types."""
    sheet = load_workbook(BytesIO(content)).active
    assert isinstance(sheet, Worksheet)
    return sheet


def xlsx_rows(content: bytes) -> list[list[object]]:
    return [[cell.value for cell in row] for row in xlsx_sheet(content).iter_rows()]


def csv_rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(StringIO(content.decode("utf-8-sig"))))


def pdf_pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf))


def pdf_characters(pdf: bytes) -> set[str]:
    """The characters the embedded fonts' ToUnicode maps give glyphs for: what prints."""
    found: set[str] = set()
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            text = zlib.decompress(stream)
        except zlib.error:
            continue
        if b"begincmap" not in text:
            continue
        for block in re.findall(rb"beginbfchar(.*?)endbfchar", text, re.S):
            for code in re.findall(rb"<[0-9A-Fa-f]+>\s*<([0-9A-Fa-f]+)>", block):
                found.add(bytes.fromhex(code.decode()).decode("utf-16-be"))
        for block in re.findall(rb"beginbfrange(.*?)endbfrange", text, re.S):
            for low, high, first in re.findall(
                    rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
                start = int(first, 16)
                found.update(chr(start + i) for i in range(int(high, 16) - int(low, 16) + 1))
    return found


def pdf_words(pdf: bytes) -> list[str]:
    """The runs of text a PDF's pages show in single-byte fonts (cairo writes each word of
    Latin text as a literal string, the spaces as kerning), in drawing order: enough to
    find an ASCII title, not a text extractor."""
    words: list[str] = []
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            text = zlib.decompress(stream)
        except zlib.error:
            continue
        for shown in re.findall(rb"BT(.*?)ET", text, re.S):
            for literal in re.findall(rb"\(((?:\\.|[^\\)])*)\)", shown):
                words.append(_unescaped(literal).decode("latin-1"))
    return words


def _unescaped(literal: bytes) -> bytes:
    """A PDF literal string's bytes: ``\\267`` (octal) and ``\\(`` read as what they stand for."""
    return re.sub(rb"\\([0-7]{1,3}|.)", lambda found: bytes([int(found.group(1), 8)])
                  if found.group(1).isdigit() else found.group(1), literal)
