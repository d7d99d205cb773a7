"""MBO review sheets as A4 PDF, drawn with cairo (cairocffi, which CairoSVG brings along).

Cairo's PDF surface embeds subsets of the system fonts that fontconfig picks for
"sans-serif", so Russian and Hungarian text print without shipping a font, and text stays
selectable. Long titles wrap; rows that do not fit move to a new page, which repeats the
table header; the signature block stays in one piece.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from io import BytesIO
from typing import Any

from kano.adapters.db.views.mbo import MboSheetView
from kano.adapters.exports.review_sheet import ReviewSheetTexts, sheet_facts

A4_WIDTH, A4_HEIGHT = 595.28, 841.89  # points
MARGIN = 50.0
FONT = "sans-serif"
BODY_SIZE, LINE_HEIGHT = 10.0, 13.0
CELL_PADDING = 5.0
# Objective, weight, achievement, weighted score: widths in points (sum = the text width).
COLUMNS = (255.28, 80.0, 80.0, 80.0)
INK, SOFT, RULE, ALERT = (0.07, 0.09, 0.15), (0.29, 0.33, 0.39), (0.6, 0.64, 0.71), (0.7, 0.14, 0.1)
HEADER_FILL = (0.91, 0.93, 0.98)
SIGNATURE_BLOCK = 70.0


@dataclass
class _Pen:
    """A cairo context and where the next line goes, on the current page."""

    context: Any
    surface: Any
    texts: ReviewSheetTexts
    y: float = MARGIN
    page: int = 1

    def font(self, size: float, bold: bool = False, colour: tuple[float, ...] = INK) -> None:
        import cairocffi as cairo

        weight = cairo.FONT_WEIGHT_BOLD if bold else cairo.FONT_WEIGHT_NORMAL
        self.context.select_font_face(FONT, cairo.FONT_SLANT_NORMAL, weight)
        self.context.set_font_size(size)
        self.context.set_source_rgb(*colour)

    def width_of(self, text: str) -> float:
        return float(self.context.text_extents(text)[4])  # x_advance

    def wrap(self, text: str, width: float) -> list[str]:
        """Greedy word wrap to ``width`` in the current font (a long word gets its own line)."""
        lines: list[str] = []
        for paragraph in text.splitlines() or [""]:
            current = ""
            for word in paragraph.split():
                candidate = f"{current} {word}".strip()
                if current and self.width_of(candidate) > width:
                    lines.append(current)
                    current = word
                else:
                    current = candidate
            lines.append(current)
        return lines

    def text(self, x: float, baseline: float, value: str, align_right_at: float | None = None
             ) -> None:
        if align_right_at is not None:
            x = align_right_at - self.width_of(value)
        self.context.move_to(x, baseline)
        self.context.show_text(value)

    def rule(self, y: float, colour: tuple[float, ...] = RULE) -> None:
        self.context.set_source_rgb(*colour)
        self.context.set_line_width(0.6)
        self.context.move_to(MARGIN, y)
        self.context.line_to(A4_WIDTH - MARGIN, y)
        self.context.stroke()

    def room_left(self) -> float:
        return A4_HEIGHT - MARGIN - 20 - self.y

    def new_page(self) -> None:
        self.footer()
        self.context.show_page()
        self.page += 1
        self.y = MARGIN

    def footer(self) -> None:
        self.font(8, colour=SOFT)
        self.text(MARGIN, A4_HEIGHT - MARGIN + 10,
                  self.texts.page % {"number": self.page}, align_right_at=A4_WIDTH - MARGIN)


def _header(pen: _Pen, view: MboSheetView) -> None:
    pen.font(18, bold=True)
    for line in pen.wrap(pen.texts.title, A4_WIDTH - 2 * MARGIN):
        pen.y += 22
        pen.text(MARGIN, pen.y, line)
    pen.y += 10
    for label, value in sheet_facts(view, pen.texts):
        pen.y += LINE_HEIGHT + 2
        pen.font(BODY_SIZE, bold=True, colour=SOFT)
        pen.text(MARGIN, pen.y, label)
        pen.font(BODY_SIZE)
        pen.text(MARGIN + 110, pen.y, value)
    if pen.texts.weights_problem:
        pen.font(BODY_SIZE, bold=True, colour=ALERT)
        for line in pen.wrap(pen.texts.weights_problem, A4_WIDTH - 2 * MARGIN):
            pen.y += LINE_HEIGHT + 2
            pen.text(MARGIN, pen.y, line)
    pen.y += 18


def _row(pen: _Pen, cells: Sequence[str], *, bold: bool = False, fill: bool = False,
         note: str | None = None) -> None:
    """One table row: every cell wraps within its column (the first left-aligned, with an
    optional grey note under it; the others right-aligned numbers). Moves to a new page,
    repeating the header, when the row does not fit."""
    pen.font(BODY_SIZE, bold=bold)
    wrapped = [pen.wrap(cell, width - 2 * CELL_PADDING) for cell, width in zip(
        cells, COLUMNS, strict=True)]
    pen.font(8.5)
    note_lines = pen.wrap(note, COLUMNS[0] - 2 * CELL_PADDING) if note else []
    text_lines = max(len(lines) for lines in wrapped)
    height = LINE_HEIGHT * text_lines + 11 * len(note_lines) + 2 * CELL_PADDING
    if height > pen.room_left() and not fill:
        pen.new_page()
        _table_header(pen)
    top = pen.y
    if fill:
        pen.context.set_source_rgb(*HEADER_FILL)
        pen.context.rectangle(MARGIN, top, sum(COLUMNS), height)
        pen.context.fill()
    pen.font(BODY_SIZE, bold=bold)
    baseline = top + CELL_PADDING + BODY_SIZE
    left = MARGIN
    for column, (lines, width) in enumerate(zip(wrapped, COLUMNS, strict=True)):
        for index, line in enumerate(lines):
            y = baseline + index * LINE_HEIGHT
            if column == 0:
                pen.text(left + CELL_PADDING, y, line)
            else:
                pen.text(0, y, line, align_right_at=left + width - CELL_PADDING)
        left += width
    pen.font(8.5, colour=SOFT)
    for index, line in enumerate(note_lines):
        pen.text(MARGIN + CELL_PADDING, baseline + text_lines * LINE_HEIGHT + index * 11, line)
    pen.y = top + height
    pen.rule(pen.y)


def _table_header(pen: _Pen) -> None:
    texts = pen.texts
    _row(pen, [texts.objective, texts.weight, texts.achievement, texts.weighted],
         bold=True, fill=True)


def _signatures(pen: _Pen) -> None:
    if pen.room_left() < SIGNATURE_BLOCK:
        pen.new_page()
    pen.y += 45
    width = (A4_WIDTH - 2 * MARGIN - 40) / max(len(pen.texts.signatures), 1)
    for index, label in enumerate(pen.texts.signatures):
        left = MARGIN + index * (width + 40)
        pen.context.set_source_rgb(*SOFT)
        pen.context.set_line_width(0.6)
        pen.context.move_to(left, pen.y)
        pen.context.line_to(left + width, pen.y)
        pen.context.stroke()
        pen.font(8.5, colour=SOFT)
        pen.text(left, pen.y + 12, label)


def mbo_sheet_pdf(view: MboSheetView, texts: ReviewSheetTexts) -> bytes:
    import cairocffi as cairo

    output = BytesIO()
    surface = cairo.PDFSurface(output, A4_WIDTH, A4_HEIGHT)
    pen = _Pen(cairo.Context(surface), surface, texts)
    _header(pen, view)
    _table_header(pen)
    number = texts.number
    for line in view.lines:
        _row(pen, [line.title, number(line.weight_percent), number(line.achievement_percent),
                   number(line.weighted)],
             note=f"{texts.linked_to}: {line.linked_title}" if line.linked_title else None)
    _row(pen, [texts.total, number(view.total_weight), "", number(view.weighted_score)],
         bold=True)
    _signatures(pen)
    pen.footer()
    surface.finish()
    return output.getvalue()
