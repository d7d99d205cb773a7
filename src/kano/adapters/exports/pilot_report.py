"""A pilot's evaluation as an A4 PDF for a board: the design (zone and control, KPIs,
baseline and test periods), per KPI the difference-in-differences estimate with its
confidence interval and pre-trend check, a chart of both groups' monthly means with the
test months shaded and the table under it, then the decision and the rollout steps.

The caller (the pilot page's route) hands everything translated and formatted in the
reader's language; only the chart needs the raw means.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from kano.adapters.exports.pdf_pen import (
    BODY_SIZE,
    GROUP_FILL,
    LINE_HEIGHT,
    MARGIN,
    NOTE_LINE,
    NOTE_SIZE,
    RULE,
    SOFT,
    Pen,
    Table,
    a4_document,
)

CHART_HEIGHT = 150.0
PILOT_COLOUR = (0.15, 0.35, 0.75)
CONTROL_COLOUR = (0.85, 0.45, 0.1)
LABEL_WIDTH = 150.0


@dataclass(frozen=True)
class KpiReport:
    name: str
    facts: Sequence[tuple[str, str]]  # effect, interval, p-value, customers, pre-trend
    months: Sequence[str]  # month labels, in time order
    pilot_means: Sequence[float | None]
    control_means: Sequence[float | None]
    first_test_month: int  # index in ``months`` of the first test month
    table_header: Sequence[str]  # month, pilot mean, control mean, pilot n, control n
    table_rows: Sequence[Sequence[str]]


@dataclass(frozen=True)
class PilotReport:
    title: str
    hypothesis: str | None
    facts: Sequence[tuple[str, str]]  # status, groups, KPIs, periods, owner
    evaluation_heading: str
    not_evaluated: str | None  # said instead of results when there are none
    results: Sequence[KpiReport]
    legend: tuple[str, str]  # "Pilot group", "Control group"
    test_note: str  # "The shaded months are the test period."
    decision_heading: str
    decision: str
    rollout_heading: str
    rollout_header: Sequence[str]
    rollout_rows: Sequence[Sequence[str]]
    page: str  # "Page %(number)s"


def _heading(pen: Pen, text: str, size: float = 13) -> None:
    if pen.room_left() < 80:
        pen.new_page()
    pen.y += 14
    pen.title(text, size=size)
    pen.y += 4


def _facts(pen: Pen, facts: Sequence[tuple[str, str]]) -> None:
    """Label–value lines; a long label or value wraps within its column."""
    for label, value in facts:
        pen.font(BODY_SIZE, bold=True)
        labels = pen.wrap(label, LABEL_WIDTH - 10)
        pen.font(BODY_SIZE)
        values = pen.wrap(value, pen.text_width - LABEL_WIDTH)
        height = max(len(labels), len(values))
        if pen.room_left() < LINE_HEIGHT * height + 4:
            pen.new_page()
        pen.y += LINE_HEIGHT + 2
        pen.font(BODY_SIZE, bold=True, colour=SOFT)
        for index, line in enumerate(labels):
            pen.text(MARGIN, pen.y + index * LINE_HEIGHT, line)
        pen.font(BODY_SIZE)
        for index, line in enumerate(values):
            pen.text(MARGIN + LABEL_WIDTH, pen.y + index * LINE_HEIGHT, line)
        pen.y += LINE_HEIGHT * (height - 1)


def _paragraph(pen: Pen, text: str, size: float = BODY_SIZE, colour: tuple[float, ...] = SOFT
               ) -> None:
    pen.font(size, colour=colour)
    for line in pen.wrap(text, pen.text_width):
        if pen.room_left() < LINE_HEIGHT:
            pen.new_page()
            pen.font(size, colour=colour)
        pen.y += LINE_HEIGHT
        pen.text(MARGIN, pen.y, line)


def _scale(values: Sequence[float]) -> tuple[float, float]:
    low, high = min(values), max(values)
    if high == low:
        low, high = low - 1, high + 1
    pad = (high - low) * 0.08
    return low - pad, high + pad


def _chart(pen: Pen, kpi: KpiReport, legend: tuple[str, str],
           number: Callable[[float], str]) -> None:
    """Both groups' monthly means as lines; the test months shaded; three value ticks."""
    values = [v for v in (*kpi.pilot_means, *kpi.control_means) if v is not None]
    if not values or not kpi.months:
        return
    if pen.room_left() < CHART_HEIGHT + 50:
        pen.new_page()
    context = pen.context
    top = pen.y + 16
    left, width = MARGIN + 45, pen.text_width - 45
    bottom = top + CHART_HEIGHT
    low, high = _scale(values)
    count = len(kpi.months)
    step = width / max(count, 1)

    def x_of(index: int) -> float:
        return left + step * (index + 0.5)

    def y_of(value: float) -> float:
        return bottom - (value - low) / (high - low) * CHART_HEIGHT

    if 0 <= kpi.first_test_month < count:
        context.set_source_rgb(*GROUP_FILL)
        context.rectangle(left + step * kpi.first_test_month, top,
                          step * (count - kpi.first_test_month), CHART_HEIGHT)
        context.fill()
    pen.font(NOTE_SIZE, colour=SOFT)
    for fraction in (0.0, 0.5, 1.0):
        tick = low + (high - low) * fraction
        y = y_of(tick)
        context.set_source_rgb(*RULE)
        context.set_line_width(0.3)
        context.move_to(left, y)
        context.line_to(left + width, y)
        context.stroke()
        pen.font(NOTE_SIZE, colour=SOFT)
        pen.text(0, y + 3, number(tick), align_right_at=left - 4)
    every = max(1, -(-count // 12))  # at most a dozen month labels
    for index, month in enumerate(kpi.months):
        if index % every == 0:
            pen.text(x_of(index) - pen.width_of(month) / 2, bottom + 12, month)
    for means, colour in ((kpi.control_means, CONTROL_COLOUR), (kpi.pilot_means, PILOT_COLOUR)):
        context.set_source_rgb(*colour)
        context.set_line_width(1.6)
        drawing = False
        for index, value in enumerate(means):
            if value is None:
                drawing = False
                continue
            if drawing:
                context.line_to(x_of(index), y_of(value))
            else:
                context.move_to(x_of(index), y_of(value))
                drawing = True
        context.stroke()
        for index, value in enumerate(means):
            if value is not None:
                context.arc(x_of(index), y_of(value), 2.0, 0, 6.2832)
                context.fill()
    legend_y = bottom + 28
    x = left
    for label, colour in zip(legend, (PILOT_COLOUR, CONTROL_COLOUR), strict=True):
        context.set_source_rgb(*colour)
        context.rectangle(x, legend_y - 7, 14, 3)
        context.fill()
        pen.font(NOTE_SIZE, colour=SOFT)
        pen.text(x + 18, legend_y - 3, label)
        x += 18 + pen.width_of(label) + 24
    pen.y = legend_y + NOTE_LINE


def pilot_report_pdf(report: PilotReport, number: Callable[[float], str]) -> bytes:
    """``number`` writes the chart's value ticks in the reader's language."""
    with a4_document(report.page) as (pen, output):
        pen.title(report.title)
        if report.hypothesis:
            _paragraph(pen, report.hypothesis, BODY_SIZE + 1)
        pen.y += 6
        _facts(pen, report.facts)
        _heading(pen, report.evaluation_heading, 15)
        if report.not_evaluated:
            _paragraph(pen, report.not_evaluated)
        for kpi in report.results:
            _heading(pen, kpi.name)
            _facts(pen, kpi.facts)
            _chart(pen, kpi, report.legend, number)
            _paragraph(pen, report.test_note, NOTE_SIZE)
            pen.y += 8
            widths = _widths(pen.text_width, len(kpi.table_header))
            table = Table(widths, list(kpi.table_header), left=1)
            table.draw_header(pen)
            for row in kpi.table_rows:
                table.row(pen, list(row))
        _heading(pen, report.decision_heading, 15)
        _paragraph(pen, report.decision, BODY_SIZE, colour=(0.07, 0.09, 0.15))
        _heading(pen, report.rollout_heading, 15)
        if report.rollout_rows:
            widths = (pen.text_width * 0.34, pen.text_width * 0.18, pen.text_width * 0.16,
                      pen.text_width * 0.32)
            table = Table(widths, list(report.rollout_header), left=4)
            table.draw_header(pen)
            for row in report.rollout_rows:
                table.row(pen, list(row))
        else:
            _paragraph(pen, "–")
    return output.getvalue()


def _widths(total: float, columns: int) -> tuple[float, ...]:
    first = total * 0.28
    rest = (total - first) / max(columns - 1, 1)
    return (first, *([rest] * (columns - 1)))
