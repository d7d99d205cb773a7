"""MBO review sheets as A4 PDF, drawn with cairo (cairocffi, which CairoSVG brings along)
through the shared pen and table of :mod:`kano.adapters.exports.pdf_pen`.

Long titles wrap; rows that do not fit move to a new page, which repeats the table header;
the signature block stays in one piece.
"""

from __future__ import annotations

from kano.adapters.db.views.mbo import MboSheetView
from kano.adapters.exports.pdf_pen import MARGIN, SOFT, Pen, Table, a4_document
from kano.adapters.exports.review_sheet import ReviewSheetTexts, sheet_facts

# Objective, weight, achievement, weighted score: widths in points (sum = the text width).
COLUMNS = (255.28, 80.0, 80.0, 80.0)
SIGNATURE_BLOCK = 70.0


def _header(pen: Pen, view: MboSheetView, texts: ReviewSheetTexts) -> None:
    pen.title(texts.title)
    pen.y += 10
    pen.facts(sheet_facts(view, texts))
    if texts.weights_problem:
        pen.warning(texts.weights_problem)
    pen.y += 18


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


def mbo_sheet_pdf(view: MboSheetView, texts: ReviewSheetTexts) -> bytes:
    table = Table(COLUMNS, [texts.objective, texts.weight, texts.achievement, texts.weighted])
    number = texts.number
    with a4_document(texts.page) as (pen, output):
        _header(pen, view, texts)
        table.draw_header(pen)
        for line in view.lines:
            table.row(pen, [line.title, number(line.weight_percent),
                            number(line.achievement_percent), number(line.weighted)],
                      note=f"{texts.linked_to}: {line.linked_title}" if line.linked_title
                      else None)
        table.row(pen, [texts.total, number(view.total_weight), "", number(view.weighted_score)],
                  bold=True)
        _signatures(pen, texts.signatures)
    return output.getvalue()
