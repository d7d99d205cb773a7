"""Reading the files the web exports hand out, as a user's spreadsheet or PDF reader would:
CSV and XLSX rows, a PDF's page count and the characters its embedded fonts print (no PDF
text extractor is installed, so the fonts' ToUnicode maps stand in for one)."""

from __future__ import annotations

import csv
import re
import zlib
from io import BytesIO, StringIO

from openpyxl import load_workbook


def xlsx_rows(content: bytes) -> list[list[object]]:
    sheet = load_workbook(BytesIO(content)).active
    assert sheet is not None
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


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
