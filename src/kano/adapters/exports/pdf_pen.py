"""Drawing A4 tables with cairo: the pen and the table that the PDF exports share.

Cairo's PDF surface embeds subsets of the system fonts that fontconfig picks for
"sans-serif", so Russian and Hungarian text print without shipping a font, and text stays
selectable. A :class:`Pen` knows where the next line goes on the current page; a
:class:`Table` draws rows whose cells wrap within their column and moves a row that does not
fit to a new page, which repeats the table's header. Lines break at ordinary spaces only, so
"11 000 000 Ft" (no-break spaces) stays on one line.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from io import BytesIO
from typing import Any

A4_WIDTH, A4_HEIGHT = 595.28, 841.89  # points, portrait
MARGIN = 50.0
FONT = "sans-serif"
BODY_SIZE, LINE_HEIGHT = 10.0, 13.0
NOTE_SIZE, NOTE_LINE = 8.5, 11.0
CELL_PADDING = 5.0
INK, SOFT, RULE, ALERT = (0.07, 0.09, 0.15), (0.29, 0.33, 0.39), (0.6, 0.64, 0.71), (0.7, 0.14, 0.1)
HEADER_FILL = (0.91, 0.93, 0.98)
GROUP_FILL = (0.96, 0.97, 0.99)
FOOTER_ROOM = 20.0


@dataclass
class Pen:
    """A cairo context and where the next line goes, on the current page."""

    context: Any
    page_label: str  # "Page %(number)s", translated
    width: float = A4_WIDTH
    height: float = A4_HEIGHT
    y: float = MARGIN
    page: int = 1

    @property
    def text_width(self) -> float:
        return self.width - 2 * MARGIN

    def font(self, size: float, bold: bool = False, colour: tuple[float, ...] = INK) -> None:
        import cairocffi as cairo

        weight = cairo.FONT_WEIGHT_BOLD if bold else cairo.FONT_WEIGHT_NORMAL
        self.context.select_font_face(FONT, cairo.FONT_SLANT_NORMAL, weight)
        self.context.set_font_size(size)
        self.context.set_source_rgb(*colour)

    def width_of(self, text: str) -> float:
        return float(self.context.text_extents(text)[4])  # x_advance

    def wrap(self, text: str, width: float) -> list[str]:
        """Greedy word wrap to ``width`` in the current font (a long word gets its own
        line); breaks at ordinary spaces, never at no-break ones."""
        lines: list[str] = []
        for paragraph in text.splitlines() or [""]:
            current = ""
            for word in (w for w in paragraph.split(" ") if w):
                candidate = f"{current} {word}" if current else word
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
        self.context.line_to(self.width - MARGIN, y)
        self.context.stroke()

    def room_left(self) -> float:
        return self.height - MARGIN - FOOTER_ROOM - self.y

    def new_page(self) -> None:
        self.footer()
        self.context.show_page()
        self.page += 1
        self.y = MARGIN

    def footer(self) -> None:
        self.font(8, colour=SOFT)
        self.text(MARGIN, self.height - MARGIN + 10, self.page_label % {"number": self.page},
                  align_right_at=self.width - MARGIN)

    def title(self, text: str, size: float = 18) -> None:
        self.font(size, bold=True)
        for line in self.wrap(text, self.text_width):
            self.y += size + 4
            self.text(MARGIN, self.y, line)

    def facts(self, facts: Sequence[tuple[str, str]], label_width: float = 110) -> None:
        """Label–value lines under a title (who, which period, in which state)."""
        for label, value in facts:
            self.y += LINE_HEIGHT + 2
            self.font(BODY_SIZE, bold=True, colour=SOFT)
            self.text(MARGIN, self.y, label)
            self.font(BODY_SIZE)
            self.text(MARGIN + label_width, self.y, value)

    def warning(self, text: str) -> None:
        self.font(BODY_SIZE, bold=True, colour=ALERT)
        for line in self.wrap(text, self.text_width):
            self.y += LINE_HEIGHT + 2
            self.text(MARGIN, self.y, line)


@contextmanager
def a4_document(page_label: str, *, landscape: bool = False) -> Iterator[tuple[Pen, BytesIO]]:
    """A PDF surface on A4 (portrait or landscape) and its pen; the bytes are in the
    BytesIO once the block ends (the last page's footer is drawn then)."""
    import cairocffi as cairo

    width, height = (A4_HEIGHT, A4_WIDTH) if landscape else (A4_WIDTH, A4_HEIGHT)
    output = BytesIO()
    surface = cairo.PDFSurface(output, width, height)
    pen = Pen(cairo.Context(surface), page_label, width, height)
    yield pen, output
    pen.footer()
    surface.finish()


@dataclass(frozen=True)
class Table:
    """Columns of given widths (points) and a header row. The first ``left`` columns are
    text, aligned left; the others numbers, aligned right."""

    widths: Sequence[float]
    header: Sequence[str]
    left: int = 1

    def draw_header(self, pen: Pen) -> None:
        self.row(pen, self.header, bold=True, fill=HEADER_FILL, breakable=False)

    def row(self, pen: Pen, cells: Sequence[str], *, bold: bool = False,
            fill: tuple[float, ...] | None = None, note: str | None = None,
            indent: float = 0.0, breakable: bool = True) -> None:
        """One row: every cell wraps within its column, the first indented by ``indent``
        and with an optional grey note under it. Moves to a new page, repeating the
        header, when the row does not fit."""
        first = self.widths[0] - 2 * CELL_PADDING - indent
        pen.font(BODY_SIZE, bold=bold)
        wrapped = [pen.wrap(cell, (first if column == 0 else width - 2 * CELL_PADDING))
                   for column, (cell, width) in enumerate(zip(cells, self.widths, strict=True))]
        pen.font(NOTE_SIZE)
        note_lines = pen.wrap(note, first) if note else []
        text_lines = max(len(lines) for lines in wrapped)
        height = LINE_HEIGHT * text_lines + NOTE_LINE * len(note_lines) + 2 * CELL_PADDING
        if breakable and height > pen.room_left():
            pen.new_page()
            self.draw_header(pen)
        top = pen.y
        if fill is not None:
            pen.context.set_source_rgb(*fill)
            pen.context.rectangle(MARGIN, top, sum(self.widths), height)
            pen.context.fill()
        pen.font(BODY_SIZE, bold=bold)
        baseline = top + CELL_PADDING + BODY_SIZE
        left = MARGIN
        for column, (lines, width) in enumerate(zip(wrapped, self.widths, strict=True)):
            for index, line in enumerate(lines):
                y = baseline + index * LINE_HEIGHT
                if column == 0:
                    pen.text(left + CELL_PADDING + indent, y, line)
                elif column < self.left:
                    pen.text(left + CELL_PADDING, y, line)
                else:
                    pen.text(0, y, line, align_right_at=left + width - CELL_PADDING)
            left += width
        pen.font(NOTE_SIZE, colour=SOFT)
        for index, line in enumerate(note_lines):
            pen.text(MARGIN + CELL_PADDING + indent,
                     baseline + text_lines * LINE_HEIGHT + index * NOTE_LINE, line)
        pen.y = top + height
        pen.rule(pen.y)
