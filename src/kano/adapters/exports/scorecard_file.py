"""The executive scorecard as a file: CSV, XLSX (one flat table) or an A4 PDF.

Rows follow the page: the overall score, then each perspective, its objectives and their
measures, every level with its rolled-up score and status. A measure's row holds its kind
(what customers say / do), unit, baseline, target (the latest period's own target if it has
one, as the page shows), latest actual and its period, score and weight, then how it is
judged: its direction (higher / lower is better, within a band) and its thresholds as
stored (where it turns amber and green; for a band, the green band and the amber tolerance
either side), in the measure's unit; the PDF writes the direction as the thresholds' sign
(≥, ≤, ±). The texts arrive translated and the numbers formatted by the caller (the web
route knows the reader's language and the workspace's currency).
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
    owner_team: str  # "Owner team" (a fact of the PDF when the scorecard has one)
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
    direction: str
    amber_from: str
    green_from: str
    band_low: str  # "Green band from"
    band_high: str  # "Green band to"
    tolerance: str  # "Amber tolerance (±)"
    page: str  # "Page %(number)s"
    kinds: Mapping[str, str]  # say / do / other, translated
    statuses: Mapping[str, str]  # green / amber / red / no_data, translated
    directions: Mapping[str, str]  # higher / lower / band, translated
    currency_of: Callable[[str | None], str | None]  # a unit's currency, None if not money
    # "9 650 000 Ft", "61%"; with the measure's decimals (``measure_digits``) when given
    measure_text: Callable[[float | None, str | None, int | None], str]
    score_text: Callable[[float | None], str]  # "6,7"
    number_text: Callable[[float | None], str]
    month_text: Callable[[date], str]
    # the decimals of all one measure's figures (its metric's declared format), as the pages
    measure_digits: Callable[[MeasureLine], int | None] = lambda _measure: None


THRESHOLD_COLUMNS = 6  # direction, amber from, green from, band from, band to, tolerance
SCORE_FORMATS: tuple[str | None, ...] = (*[None] * 11, "0.00", *[None] * (1 + THRESHOLD_COLUMNS))


def columns(texts: ScorecardTexts) -> list[str]:
    return [texts.perspective, texts.objective, texts.measure, texts.kind, texts.owner,
            texts.unit, texts.baseline, texts.target, texts.actual, texts.period,
            texts.status, texts.score, texts.weight, texts.direction, texts.amber_from,
            texts.green_from, texts.band_low, texts.band_high, texts.tolerance]


def _no_thresholds() -> list[object]:
    return [None] * THRESHOLD_COLUMNS


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
         texts.statuses[measure.status.value], _score(measure.score), measure.weight,
         texts.directions.get(measure.direction, measure.direction), measure.amber_from,
         measure.green_from, measure.band_low, measure.band_high, measure.tolerance],
        [None] * 6 + [figure] * 3 + [None, None, "0.00", None, None] + [figure] * 5,
    )


def scorecard_lines(view: ScorecardView, texts: ScorecardTexts) -> list[Line]:
    lines = [Line([texts.overall, *[None] * 9, texts.statuses[view.status.value],
                   _score(view.score), None, *_no_thresholds()], SCORE_FORMATS, bold=True)]
    for perspective in view.perspectives:
        lines.append(Line(
            [perspective.name, None, None, None, None, None, None, None, None, None,
             texts.statuses[perspective.status.value], _score(perspective.score), None,
             *_no_thresholds()],
            SCORE_FORMATS, bold=True))
        for objective in perspective.objectives:
            lines.append(Line(
                [perspective.name, objective.title, None, None, objective.owner, None, None,
                 None, None, None, texts.statuses[objective.status.value],
                 _score(objective.score), None, *_no_thresholds()],
                SCORE_FORMATS))
            lines += [_measure_line(texts, perspective.name, objective.title, measure)
                      for measure in objective.measures]
    return lines


XLSX_WIDTHS = (24, 36, 32, 22, 20, 9, 14, 14, 14, 12, 14, 8, 8, 20, 14, 14, 14, 14, 14)
# Landscape A4: name (indented by level), kind, status | baseline, target, actual, amber
# from, green from, score, weight; widths in points, summing to the text width
# (841.89 - 2 × 50).
PDF_COLUMNS = (170.89, 95.0, 80.0, 68.0, 68.0, 68.0, 58.0, 58.0, 38.0, 38.0)


def _pdf_thresholds(texts: ScorecardTexts, measure: MeasureLine) -> tuple[str, str]:
    """The amber and green cells of a measure's PDF row, the direction in their sign:
    "≥ 30" / "≥ 36" when higher is better, "≤ 2.5" / "≤ 2" when lower is, "± 3%" / "38% –
    45%" (the tolerance either side of the green band) within a band; "–" where none is
    stored, as for a missing baseline. Percentages and money keep their sign; another
    unit ("points", "days") is left to the baseline's and target's cells, so the narrow
    columns hold the numbers on one line."""
    kept = measure.unit if measure.unit == "%" or texts.currency_of(measure.unit) else None

    digits = texts.measure_digits(measure)

    def text(value: float | None) -> str:
        return texts.measure_text(value, kept, digits)

    if measure.direction == "band":
        band = (f"{text(measure.band_low)} – {text(measure.band_high)}"
                if measure.band_low is not None and measure.band_high is not None
                else text(None))
        tolerance = f"± {text(measure.tolerance)}" if measure.tolerance is not None else text(None)
        return tolerance, band
    sign = "≤" if measure.direction == "lower" else "≥"

    def bound(value: float | None) -> str:
        return text(None) if value is None else f"{sign} {text(value)}"

    return bound(measure.amber_from), bound(measure.green_from)


def scorecard_pdf(view: ScorecardView, texts: ScorecardTexts) -> bytes:
    table = Table(PDF_COLUMNS, [
        f"{texts.perspective} / {texts.objective} / {texts.measure}", texts.kind,
        texts.status, texts.baseline, texts.target, texts.actual, texts.amber_from,
        texts.green_from, texts.score, texts.weight,
    ], left=3)
    score = texts.score_text
    with a4_document(texts.page, landscape=True) as (pen, output):
        pen.title(f"{texts.title}: {view.scorecard.name}")
        pen.y += 6
        team = view.scorecard.owner_team
        pen.facts([(texts.level, texts.level_value),
                   *([(texts.owner_team, team)] if team else []),
                   (texts.overall, f"{score(view.score)} · {texts.statuses[view.status.value]}")])
        pen.y += 14
        table.draw_header(pen)
        for perspective in view.perspectives:
            table.row(pen, [perspective.name, "", texts.statuses[perspective.status.value],
                            "", "", "", "", "", score(perspective.score), ""],
                      bold=True, fill=GROUP_FILL)
            for objective in perspective.objectives:
                table.row(pen, [objective.title, "", texts.statuses[objective.status.value],
                                "", "", "", "", "", score(objective.score), ""], bold=True,
                          indent=10,
                          note=f"{texts.owner}: {objective.owner}" if objective.owner
                          else None)
                for measure in objective.measures:
                    latest = measure.latest
                    unit, digits = measure.unit, texts.measure_digits(measure)
                    table.row(pen, [
                        measure.name, texts.kinds.get(measure.kind, measure.kind),
                        texts.statuses[measure.status.value],
                        texts.measure_text(measure.baseline, unit, digits),
                        texts.measure_text(measure.latest_target, unit, digits),
                        texts.measure_text(latest.actual if latest else None, unit, digits),
                        *_pdf_thresholds(texts, measure),
                        score(measure.score), texts.number_text(measure.weight),
                    ], indent=20, note=f"{texts.period}: {texts.month_text(latest.period)}"
                        if latest else None)
    return output.getvalue()
