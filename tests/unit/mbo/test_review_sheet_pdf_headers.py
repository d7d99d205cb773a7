"""The MBO PDF's number headers keep clear of each other: "Вес, %" ended 6 points before
"Достижение," began and the "%" of "Achievement, %" sat alone on a second line. The test
records where cairo draws each header line (the PDF's own pen, a real cairo surface)."""

from __future__ import annotations

from itertools import pairwise
from typing import Any

import pytest

from kano.adapters.db.views.mbo import LinkedOkr, MboLine, MboSheetView, SheetChoice
from kano.adapters.exports import pdf_pen
from kano.adapters.exports.pdf import HEADER_GUTTER, mbo_sheet_pdf
from kano.adapters.exports.review_sheet import ReviewSheetTexts

HEADERS = {
    "en": ("Objective", "Weight, %", "Achievement, %", "Weighted score"),
    "ru": ("Цель", "Вес, %", "Достижение, %", "Взвешенная оценка"),
    "hu": ("Cél", "Súly, %", "Teljesítés, %", "Súlyozott pontszám"),
}
VIEW = MboSheetView(
    SheetChoice(1, "ana-2026", "Ana Kovács", "2026", "agreed"), "Team lead", "Service",
    (MboLine("a", "Coach every new agent", 40, 75, LinkedOkr(1, "Coach", "2026-q3"), None),
     MboLine("b", "Raise first-contact resolution in my team", 35, None, None, None),
     MboLine("c", "Finish the service academy", 25, 100, None, None)),
    55.0,
)


def _texts(headers: tuple[str, str, str, str]) -> ReviewSheetTexts:
    return ReviewSheetTexts(
        title="MBO", employee="Employee", role="Role", team="Team", period="Period",
        status="Status", status_value="Agreed", objective=headers[0], weight=headers[1],
        achievement=headers[2], weighted=headers[3], linked_to="Serves", total="Total",
        weights_problem=None, signatures=("Employee", "Manager"), page="Page %(number)s",
        number=lambda value: "–" if value is None else f"{value:g}")


@pytest.mark.parametrize("language", sorted(HEADERS))
def test_number_headers_keep_a_gutter_and_their_unit(
    language: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    drawn: list[tuple[float, float, float, str]] = []  # left, right, baseline, text
    original = pdf_pen.Pen.text

    def recording(pen: pdf_pen.Pen, x: float, baseline: float, value: str,
                  align_right_at: float | None = None) -> Any:
        width = pen.width_of(value)
        left = align_right_at - width if align_right_at is not None else x
        drawn.append((left, left + width, baseline, value))
        return original(pen, x, baseline, value, align_right_at)

    monkeypatch.setattr(pdf_pen.Pen, "text", recording)
    headers = HEADERS[language]

    assert mbo_sheet_pdf(VIEW, _texts(headers)).startswith(b"%PDF-")

    words = {word for header in headers for word in header.replace(", %", ",\u00a0%").split()}
    first_row = min(baseline for _l, _r, baseline, text in drawn if text == headers[0])
    lines = sorted((left, right, text) for left, right, baseline, text in drawn
                   if baseline == first_row and set(text.split()) <= words)
    assert len(lines) == 4, lines
    for (_left, right, text), (next_left, _r, next_text) in pairwise(lines):
        assert next_left - right >= HEADER_GUTTER, (text, next_text)
    assert not any(text.strip() == "%" for *_rest, text in drawn)
