"""The CX overview's figures: NPS, CSAT, CES and responses for a period, against the
previous period of equal length, by month, and by segment, journey stage, channel and
touchpoint, all computed by the metric engine from the catalogue's definitions (never
recomputed here), so every figure equals the metric explorer's for the same question.

The page is one GET form (period and optional filters), so a view can be bookmarked.
Without a period it shows the last three calendar months that hold responses.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from starlette.datastructures import QueryParams

from kano.adapters.warehouse.reading import checked_period, field_of
from kano.domain.shared.errors import InvalidInput
from kano.domain.strategy.scoring import Direction
from kano.metrics import Metric, MetricRow
from kano.metrics.periods import Grain, previous_range

if TYPE_CHECKING:
    from kano.metrics import Catalogue

DIMENSIONS = ("segment", "stage", "channel", "touchpoint")
SCORES = ("nps", "csat", "ces")
HEADLINE = (*SCORES, "responses")
DEFAULT_MONTHS = 3
TREND_MONTHS = 12
MONTH = Grain.MONTH

Translate = Callable[[str], str]


def _day(field_name: str, text: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(field_name, f"{text!r} is not a date (YYYY-MM-DD)") from None


@dataclass(frozen=True)
class CxForm:
    """The page's GET form as submitted: texts as typed, so they can be shown again."""

    date_from: str = ""
    date_to: str = ""
    filters: tuple[tuple[str, str], ...] = ()  # (dimension, value), DIMENSIONS order
    trend: str = "nps"

    @classmethod
    def from_params(cls, params: QueryParams) -> CxForm:
        trend = params.get("trend", "nps")
        return cls(
            date_from=params.get("from", "").strip(),
            date_to=params.get("to", "").strip(),
            filters=tuple((name, params.get(name, "").strip()) for name in DIMENSIONS
                          if params.get(name, "").strip()),
            trend=trend if trend in SCORES else "nps",
        )

    def chosen(self, name: str) -> str:
        return dict(self.filters).get(name, "")

    def period(self) -> tuple[date, date] | None:
        """The period typed in, or None for the default; errors name ``from`` or ``to``."""
        return checked_period(_day("from", self.date_from), _day("to", self.date_to))

    def filter_map(self) -> dict[str, list[str]]:
        return {name: [value] for name, value in self.filters}

    def pairs(self, period: tuple[date, date] | None = None) -> list[tuple[str, str]]:
        """The form as query pairs, with ``period`` written out when given."""
        start, end = ((period[0].isoformat(), period[1].isoformat()) if period
                      else (self.date_from, self.date_to))
        pairs = [(key, value) for key, value in (("from", start), ("to", end)) if value]
        return pairs + list(self.filters)

    def query_string(self, period: tuple[date, date] | None = None, **extra: str) -> str:
        return urlencode(self.pairs(period) + list(extra.items()))


@dataclass(frozen=True)
class Breakdown:
    """One dimension's rows: each key with its row per score, worst NPS first."""

    dimension: str
    rows: tuple[tuple[str, Mapping[str, MetricRow]], ...]


@dataclass
class CxFigures:
    period: tuple[date, date]
    previous: tuple[date, date]
    headline: dict[str, MetricRow | None] = field(default_factory=dict)
    before: dict[str, MetricRow | None] = field(default_factory=dict)
    trend: list[MetricRow] = field(default_factory=list)
    breakdowns: list[Breakdown] = field(default_factory=list)
    choices: dict[str, list[str]] = field(default_factory=dict)


def cx_metrics(catalogue: Catalogue) -> dict[str, Metric]:
    return {metric_id: catalogue.get(metric_id) for metric_id in HEADLINE}


def _compute(backend: Any, metrics: Sequence[Metric], workspace_id: int,
             **request: Any) -> dict[str, list[MetricRow]]:
    """The engine's rows for each metric; input errors name the form's field."""
    from kano.metrics import compute_metrics  # the compiler (Ibis): not at start-up

    try:
        return compute_metrics(backend, metrics, workspace_id=workspace_id, **request)
    except InvalidInput as error:
        name, message = field_of(error)
        raise InvalidInput(name, message) from error


def default_period(backend: Any, responses: Metric, workspace_id: int,
                   today: date) -> tuple[date, date]:
    """The last ``DEFAULT_MONTHS`` calendar months up to the latest month with responses
    (the 90 days to ``today`` when there are none)."""
    rows = _compute(backend, [responses], workspace_id, by=["month"])["responses"]
    labels = [str(row.key("month")) for row in rows if row.n and row.key("month")]
    if not labels:
        return today - timedelta(days=89), today
    last = MONTH.start_of_label(max(labels))
    return MONTH.shift(last, 1 - DEFAULT_MONTHS), MONTH.end_of(last)


def trend_period(period: tuple[date, date]) -> tuple[date, date]:
    """Whole months: at least ``TREND_MONTHS`` of them, ending with the period's last."""
    last = MONTH.start_of(period[1])
    first = min(MONTH.start_of(period[0]), MONTH.shift(last, 1 - TREND_MONTHS))
    return first, MONTH.end_of(last)


def _one(rows: list[MetricRow]) -> MetricRow | None:
    return rows[0] if rows else None


def _worst_first(keyed: Mapping[str, MetricRow]) -> tuple[int, float]:
    """By NPS, lowest first; rows without an NPS (the question is not asked at every
    touchpoint) after them by CSAT, then by CES."""
    for rank, metric_id in enumerate(SCORES):
        row = keyed.get(metric_id)
        if row is not None and row.value is not None:
            return (rank, row.value)
    return (len(SCORES), 0.0)


def cx_figures(backend: Any, catalogue: Catalogue, workspace_id: int, form: CxForm,
               today: date) -> CxFigures:
    metrics = cx_metrics(catalogue)
    period = form.period() or default_period(backend, metrics["responses"], workspace_id,
                                             today)
    filters = form.filter_map()
    figures = CxFigures(period, previous_range(period))
    headline = list(metrics.values())
    now = _compute(backend, headline, workspace_id, filters=filters, period=period)
    then = _compute(backend, headline, workspace_id, filters=filters, period=figures.previous)
    figures.headline = {key: _one(rows) for key, rows in now.items()}
    figures.before = {key: _one(rows) for key, rows in then.items()}
    figures.trend = _compute(backend, [metrics[form.trend]], workspace_id, by=["month"],
                             filters=filters, period=trend_period(period))[form.trend]
    # One pass per dimension for the three scores and the response count; the counts
    # name the values to filter by, which must not depend on the filters themselves.
    sliced = [metrics[key] for key in (*SCORES, "responses")]
    for dimension in DIMENSIONS:
        by_metric = _compute(backend, sliced, workspace_id, by=[dimension], filters=filters,
                             period=period)
        counted = by_metric.pop("responses")
        if filters:
            counted = _compute(backend, [metrics["responses"]], workspace_id, by=[dimension],
                               period=period)["responses"]
        keyed: dict[str, dict[str, MetricRow]] = {}
        for metric_id, rows in by_metric.items():
            for row in rows:
                key = row.key(dimension)
                if key is not None:
                    keyed.setdefault(str(key), {})[metric_id] = row
        ordered = sorted(keyed.items(), key=lambda item: (_worst_first(item[1]), item[0]))
        figures.breakdowns.append(Breakdown(dimension, tuple(ordered)))
        values = {str(row.key(dimension)) for row in counted if row.key(dimension) is not None}
        figures.choices[dimension] = sorted(values | {form.chosen(dimension)} - {""})
    return figures


def worse_than(row: MetricRow | None, reference: MetricRow | None, metric: Metric) -> bool:
    """True when the row's whole 95 % interval lies on the worse side of the workspace's
    figure (below it for a metric where higher is better)."""
    if row is None or reference is None or reference.value is None:
        return False
    if metric.direction is Direction.LOWER_IS_BETTER:
        return row.ci_low is not None and row.ci_low > reference.value
    return row.ci_high is not None and row.ci_high < reference.value


def intervals_overlap(current: MetricRow | None, previous: MetricRow | None) -> bool | None:
    """Whether two figures' 95 % intervals overlap (the change is within the noise); None
    when either has no interval."""
    if current is None or previous is None:
        return None
    bounds = (current.ci_low, current.ci_high, previous.ci_low, previous.ci_high)
    if any(bound is None for bound in bounds):
        return None
    low, high, previous_low, previous_high = (float(bound) for bound in bounds)  # type: ignore[arg-type]
    return low <= previous_high and previous_low <= high


# --- the breakdown tables as a file -------------------------------------------------------

EXPORT_COLUMNS = ("dimension", "key", "metric", "value", "ci_low", "ci_high", "n",
                  "worse_than_workspace", "name")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

NameOf = Callable[[str, str], str]
"""A slice's name as the page shows it, from its dimension and key."""


def _guarded(text: str, guard_formulas: bool) -> str:
    return "'" + text if guard_formulas and text.startswith(_FORMULA_START) else text


def export_records(figures: CxFigures, metrics: Mapping[str, Metric], *,
                   guard_formulas: bool, name_of: NameOf | None = None) -> list[dict[str, Any]]:
    """One record per dimension value and score, in the page's order, with the slice's
    key (what the filters take) and its name as the page shows it (``name_of``; the key
    without it). With ``guard_formulas`` (CSV) a key or name that starts like a
    spreadsheet formula gets a leading apostrophe, as the responses export does; the XLSX
    writer stores them as text."""
    records = []
    for breakdown in figures.breakdowns:
        for key, rows in breakdown.rows:
            text = _guarded(key, guard_formulas)
            name = _guarded(name_of(breakdown.dimension, key) if name_of else key,
                            guard_formulas)
            for metric_id in SCORES:
                row = rows.get(metric_id)
                if row is None:
                    continue
                records.append({
                    "dimension": breakdown.dimension, "key": text, "name": name,
                    "metric": metric_id,
                    "value": row.value, "ci_low": row.ci_low, "ci_high": row.ci_high,
                    "n": row.n,
                    "worse_than_workspace": int(worse_than(
                        row, figures.headline.get(metric_id), metrics[metric_id])),
                })
    return records
