"""The executive scorecard as a file: CSV, XLSX (one flat table) or an A4 PDF.

Rows follow the page: the overall score, then each perspective, its objectives and their
measures, every level with its rolled-up score and status. A measure's row holds its kind
(what customers say / do), unit, baseline, target (the latest period's own target if it has
one, as the page shows), latest actual and its period, score and weight. The texts arrive
translated and the numbers formatted by the caller (the web route knows the reader's
language and the workspace's currency).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date

from kano.adapters.db.views.scorecard import MeasureLine, ScorecardView
from kano.adapters.exports.pdf_pen import GROUP_FILL, Table, a4_document
from kano.adapters.exports.table_files import Line, money_format


@dataclass(frozen=True)
class ScorecardTexts:
    title: str  # "Executive scorecard"
    level: str
    level_value: str  # the scorecard's level, translated
    overall: str  # "Overall score"
    perspective: str
    objective: str
    measure: str
    kind: str
    owner: str
    unit: str
    baseline: str
    target: str
    actual: str
    period: str
    status: str
    score: str
    weight: str
    page: str  # "Page %(number)s"
    kinds: Mapping[str, str]  # say / do / other, translated
    statuses: Mapping[str, str]  # green / amber / red / no_data, translated
    currency_of: Callable[[str | None], str | None]  # a unit's currency, None if not money
    measure_text: Callable[[float | None, str | None], str]  # "9 650 000 Ft", "61%"
    score_text: Callable[[float | None], str]  # "6,7"
    number_text: Callable[[float | None], str]
    month_text: Callable[[date], str]


SCORE_FORMATS: tuple[str | None, ...] = (*[None] * 11, "0.00")


def columns(texts: ScorecardTexts) -> list[str]:
    return [texts.perspective, texts.objective, texts.measure, texts.kind, texts.owner,
            texts.unit, texts.baseline, texts.target, texts.actual, texts.period,
            texts.status, texts.score, texts.weight]


def _score(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def _measure_line(texts: ScorecardTexts, perspective: str, objective: str,
                  measure: MeasureLine) -> Line:
    latest = measure.latest
    currency = texts.currency_of(measure.unit)
    unit = currency or measure.unit
    figure = money_format(currency) if currency else None
    return Line(
        [perspective, objective, measure.name, texts.kinds.get(measure.kind, measure.kind),
         None, unit, measure.baseline, measure.latest_target,
         latest.actual if latest else None, latest.period if latest else None,
         texts.statuses[measure.status.value], _score(measure.score), measure.weight],
        [None] * 6 + [figure] * 3 + [None, None, "0.00", None],
    )


def scorecard_lines(view: ScorecardView, texts: ScorecardTexts) -> list[Line]:
    lines = [Line([texts.overall, *[None] * 9, texts.statuses[view.status.value],
                   _score(view.score), None], SCORE_FORMATS, bold=True)]
    for perspective in view.perspectives:
        lines.append(Line(
            [perspective.name, None, None, None, None, None, None, None, None, None,
             texts.statuses[perspective.status.value], _score(perspective.score), None],
            SCORE_FORMATS, bold=True))
        for objective in perspective.objectives:
            lines.append(Line(
                [perspective.name, objective.title, None, None, objective.owner, None, None,
                 None, None, None, texts.statuses[objective.status.value],
                 _score(objective.score), None],
                SCORE_FORMATS))
            lines += [_measure_line(texts, perspective.name, objective.title, measure)
                      for measure in objective.measures]
    return lines


XLSX_WIDTHS = (24, 36, 32, 22, 20, 9, 14, 14, 14, 12, 14, 8, 8)
# Landscape A4: name (indented by level), kind, status | baseline, target, actual, score,
# weight; widths in points, summing to the text width (841.89 - 2 × 50).
PDF_COLUMNS = (246.89, 95.0, 80.0, 80.0, 80.0, 80.0, 40.0, 40.0)


def scorecard_pdf(view: ScorecardView, texts: ScorecardTexts) -> bytes:
    table = Table(PDF_COLUMNS, [
        f"{texts.perspective} / {texts.objective} / {texts.measure}", texts.kind,
        texts.status, texts.baseline, texts.target, texts.actual, texts.score, texts.weight,
    ], left=3)
    score = texts.score_text
    with a4_document(texts.page, landscape=True) as (pen, output):
        pen.title(f"{texts.title}: {view.scorecard.name}")
        pen.y += 6
        pen.facts([(texts.level, texts.level_value),
                   (texts.overall, f"{score(view.score)} · {texts.statuses[view.status.value]}")])
        pen.y += 14
        table.draw_header(pen)
        for perspective in view.perspectives:
            table.row(pen, [perspective.name, "", texts.statuses[perspective.status.value],
                            "", "", "", score(perspective.score), ""],
                      bold=True, fill=GROUP_FILL)
            for objective in perspective.objectives:
                table.row(pen, [objective.title, "", texts.statuses[objective.status.value],
                                "", "", "", score(objective.score), ""], bold=True, indent=10,
                          note=f"{texts.owner}: {objective.owner}" if objective.owner
                          else None)
                for measure in objective.measures:
                    latest = measure.latest
                    unit = measure.unit
                    table.row(pen, [
                        measure.name, texts.kinds.get(measure.kind, measure.kind),
                        texts.statuses[measure.status.value],
                        texts.measure_text(measure.baseline, unit),
                        texts.measure_text(measure.latest_target, unit),
                        texts.measure_text(latest.actual if latest else None, unit),
                        score(measure.score), texts.number_text(measure.weight),
                    ], indent=20, note=f"{texts.period}: {texts.month_text(latest.period)}"
                        if latest else None)
    return output.getvalue()
