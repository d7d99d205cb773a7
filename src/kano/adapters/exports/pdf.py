"""MBO review sheets as A4 PDF, drawn with cairo (cairocffi, which CairoSVG brings along)
through the shared pen and table of :mod:`kano.adapters.exports.pdf_pen`.

Long titles wrap; rows that do not fit move to a new page, which repeats the table header;
the signature block stays in one piece.
"""

from __future__ import annotations

from kano.adapters.db.views.mbo import MboSheetView
from kano.adapters.exports.pdf_pen import (
    BODY_SIZE,
    CELL_PADDING,
    MARGIN,
    SOFT,
    Pen,
    Table,
    a4_document,
)
from kano.adapters.exports.review_sheet import ReviewSheetTexts, line_note, sheet_facts

# Objective, weight, achievement, weighted score: widths in points (sum = the text width).
COLUMNS = (255.28, 80.0, 80.0, 80.0)
SIGNATURE_BLOCK = 70.0
# Right-aligned number headers ("Вес, %" "Достижение, %") ran into each other: each keeps
# this much blank space on its left, and a unit stays on the line of its word.
HEADER_GUTTER = 12.0
NUMBER_COLUMN_MAX = 110.0


def _header(pen: Pen, view: MboSheetView, texts: ReviewSheetTexts) -> None:
    pen.title(texts.title)
    pen.y += 10
    pen.facts(sheet_facts(view, texts))
    if texts.weights_problem:
        pen.warning(texts.weights_problem)
    pen.y += 18


def _sheet_comment(pen: Pen, label: str, comment: str) -> None:
    """The reviewer's comment on the whole sheet, under the table, wrapped; it moves to
    the next page whole when it does not fit."""
    pen.font(BODY_SIZE)
    lines = pen.wrap(comment, pen.text_width)
    if pen.room_left() < (len(lines) + 2) * (BODY_SIZE + 4):
        pen.new_page()
    pen.y += 14
    pen.font(BODY_SIZE, bold=True, colour=SOFT)
    pen.text(MARGIN, pen.y, label)
    pen.font(BODY_SIZE)
    for line in lines:
        pen.y += BODY_SIZE + 4
        pen.text(MARGIN, pen.y, line)


def _signatures(pen: Pen, signatures: tuple[str, ...]) -> None:
    if pen.room_left() < SIGNATURE_BLOCK:
        pen.new_page()
    pen.y += 45
    width = (pen.text_width - 40) / max(len(signatures), 1)
    for index, label in enumerate(signatures):
        left = MARGIN + index * (width + 40)
        pen.context.set_source_rgb(*SOFT)
        pen.context.set_line_width(0.6)
        pen.context.move_to(left, pen.y)
        pen.context.line_to(left + width, pen.y)
        pen.context.stroke()
        pen.font(8.5, colour=SOFT)
        pen.text(left, pen.y + 12, label)


def _number_headers(pen: Pen, headers: list[str]) -> tuple[tuple[float, ...], list[str]]:
    """Columns wide enough for each number header's longest word plus the gutter, and the
    headers wrapped so that a gutter stays between neighbours."""
    pen.font(BODY_SIZE, bold=True)
    kept = [header.replace(", %", ",\u00a0%") for header in headers]
    widths = [min(NUMBER_COLUMN_MAX, max(COLUMNS[1], max(
        pen.width_of(word) for word in header.split(" ")) + 2 * CELL_PADDING + HEADER_GUTTER))
        for header in kept]
    wrapped = ["\n".join(pen.wrap(header, width - 2 * CELL_PADDING - HEADER_GUTTER))
               for header, width in zip(kept, widths, strict=True)]
    return (pen.text_width - sum(widths), *widths), wrapped


def mbo_sheet_pdf(view: MboSheetView, texts: ReviewSheetTexts) -> bytes:
    number = texts.number
    with a4_document(texts.page) as (pen, output):
        widths, headers = _number_headers(pen, [texts.weight, texts.achievement,
                                                texts.weighted])
        table = Table(widths, [texts.objective, *headers])
        _header(pen, view, texts)
        table.draw_header(pen)
        for line in view.lines:
            table.row(pen, [line.title, number(line.weight_percent),
                            number(line.achievement_percent), number(line.weighted)],
                      note=line_note(line, texts))
        table.row(pen, [texts.total, number(view.total_weight), "", number(view.weighted_score)],
                  bold=True)
        if view.comment:
            _sheet_comment(pen, texts.sheet_comment, view.comment)
        _signatures(pen, texts.signatures)
    return output.getvalue()
