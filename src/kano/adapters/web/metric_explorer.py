"""What the metric explorer shows: labels in the reader's language, figures written the
language's way, the result table and its Vega-Lite chart.

Values carry the metric's own number of decimals (its format spec, ``.1f`` → one);
percentages get the language's percent sign ("61.2%", "61,2 %"), money the workspace's
currency ("€9,650,000", "9 650 000 Ft") and its code in the heading ("Value (HUF)"), other
units go in the column heading, so no number has to agree grammatically with a unit word.
The chart is a line per series with the 95 % interval as a band when the slices include a period,
else bars with error bars; the table under it is its text alternative.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from babel import Locale
from babel.dates import format_date, format_skeleton
from babel.numbers import format_decimal

from kano.adapters.web.charts import VEGA_LITE_SCHEMA, d3_number_locale, money_axis
from kano.adapters.web.formatting import MINUS, NumberFormats
from kano.adapters.web.routes.navigation import N_
from kano.domain.shared.currency import DEFAULT_CURRENCY
from kano.metrics import Layer, Metric, MetricRow
from kano.metrics.periods import GRAINS, Grain

LAYER_LABELS: dict[Layer, str] = {
    Layer.CX: N_("CX: what customers say"),
    Layer.TX: N_("TX: what customers do"),
    Layer.FINANCIAL: N_("Financial results"),
    Layer.OX: N_("OX: how operations perform"),
    Layer.EX: N_("EX: how employees fare"),
}
MONEY = "money"  # the catalogue's unit of revenue, costs, CLV: the workspace's currency
UNIT_LABELS: dict[str, str] = {
    "points": N_("points"),
    "money": N_("money"),
    "orders": N_("orders"),
    "days": N_("days"),
    "hours": N_("hours"),
    "minutes": N_("minutes"),
    "seconds": N_("seconds"),
    "months": N_("months"),
}
SLICE_LABELS: dict[str, str] = {
    "day": N_("Day"),
    "week": N_("Week"),
    "month": N_("Month"),
    "quarter": N_("Quarter"),
    "year": N_("Year"),
    "segment": N_("Segment"),
    "stage": N_("Journey stage"),
    "touchpoint": N_("Touchpoint"),
    "channel": N_("Channel"),
    "team": N_("Team"),
    "team_function": N_("Team function"),
    "region": N_("Region"),
    "industry": N_("Industry"),
    "kind": N_("Customer type"),
    "product": N_("Product"),
    "survey": N_("Survey"),
    "language": N_("Language"),
    "process": N_("Process"),
    "measure": N_("Measure"),
    "role_title": N_("Job title"),
    "consent_contact": N_("Consent to contact"),
    "customer": N_("Customer"),
    # Filter-only slices (NOT_OFFERED as checkboxes): the filter list named them by key.
    "name": N_("Name"),
    "created_on": N_("Created on"),
    "wallet_estimate": N_("Wallet estimate"),
    "nps": N_("NPS answer (0–10)"),
    "csat": N_("CSAT answer (1–5)"),
    "ces": N_("CES answer (1–7)"),
    "rating": N_("Rating answer"),
    "enps": N_("eNPS answer (0–10)"),
}
# Slices a metric's table allows that make no sense as a checkbox (one row per customer,
# per person or per answer value); the API still accepts them.
NOT_OFFERED = frozenset({"customer", "name", "created_on", "wallet_estimate", "nps", "csat",
                         "ces", "rating", "enps"})
COLUMN_TITLES: dict[str, str] = {
    "value": N_("Value"),
    "ci_low": N_("Interval from"),
    "ci_high": N_("Interval to"),
    "n": "n",
    "previous_value": N_("Previous period"),
    "change": N_("Change"),
}
MAX_TABLE_ROWS = 500
MAX_SERIES = 12
MAX_BARS = 40
LINE_COLOUR = "#3867c9"
_DIGITS = re.compile(r"\.(\d+)")

Translate = Callable[[str], str]
SliceNames = Mapping[str, Mapping[str, str]]
"""Per slice, key → the name a page shows for it (see ``slice_names``)."""


def slice_label(name: str, _: Translate) -> str:
    return _(SLICE_LABELS[name]) if name in SLICE_LABELS else name


def unit_label(unit: str, _: Translate, currency: str | None = None) -> str:
    """The unit in the reader's language; money as the workspace's ``currency`` code."""
    if unit == MONEY and currency:
        return currency
    if unit in UNIT_LABELS:
        return _(UNIT_LABELS[unit])
    return unit


@dataclass(frozen=True)
class MetricFormats:
    """One metric's figures in one language (money in the workspace's ``currency``)."""

    metric: Metric
    language: str
    currency: str = DEFAULT_CURRENCY

    @property
    def money(self) -> bool:
        return self.metric.unit == MONEY

    @property
    def digits(self) -> int:
        match = _DIGITS.search(self.metric.format)
        return int(match.group(1)) if match else 0

    def _plain(self, value: float) -> str:
        pattern = "#,##0." + "0" * self.digits if self.digits else "#,##0"
        return format_decimal(value, format=pattern, locale=self.language)

    def value(self, value: float | None) -> str:
        """``61.2%`` / ``61,2 %`` for percentages, else the number alone (unit in the
        heading); a true minus sign for negative values."""
        if value is None:
            return "–"
        if self.metric.unit == "%":
            locale = Locale.parse(self.language)
            pattern = copy.copy(locale.percent_formats[None])
            pattern.frac_prec = (self.digits, self.digits)
            text = pattern.apply(value / 100, locale)
        elif self.money:
            return NumberFormats(self.language).money(value, self.currency, self.digits)
        else:
            text = self._plain(value)
        return text.replace("-", MINUS)

    def interval(self, low: float | None, high: float | None) -> str:
        if low is None or high is None:
            return "–"
        return f"{self.value(low)} – {self.value(high)}"

    def change(self, value: float | None) -> str:
        """A difference, always signed (percentage points for a percentage)."""
        if value is None:
            return "–"
        text = (NumberFormats(self.language).money(abs(value), self.currency, self.digits)
                if self.money else self._plain(abs(value)))
        if round(value, self.digits) == 0:
            return text
        return ("+" if value > 0 else MINUS) + text

    def count(self, value: int) -> str:
        return format_decimal(value, locale=self.language)


def value_heading(
    metric: Metric, _: Translate, *, percent_sign: bool = False,
    currency: str = DEFAULT_CURRENCY,
) -> str:
    """"Value" with the unit where a unit word applies: "Value (points)", "Value (HUF)"; a
    percentage's cells carry their sign, a chart axis needs it in the title
    (``percent_sign``)."""
    percent = "%" if percent_sign else ""
    unit = percent if metric.unit == "%" else unit_label(metric.unit, _, currency)
    return f"{_('Value')} ({unit})" if unit else _("Value")


@dataclass(frozen=True)
class ResultRow:
    keys: tuple[str, ...]
    value: str
    interval: str
    n: str
    previous: str
    change: str


@dataclass(frozen=True)
class ResultTable:
    """The rows as the page shows them, at most ``MAX_TABLE_ROWS`` of ``total``."""

    key_headings: tuple[str, ...]
    value_heading: str
    compared: bool
    rows: tuple[ResultRow, ...]
    total: int

    @property
    def cut(self) -> bool:
        return self.total > len(self.rows)


def key_text(value: object, names: Mapping[str, str] | None = None) -> str:
    """A slice key as shown: its name when ``names`` has one, "–" for none."""
    if value is None:
        return "–"
    return (names or {}).get(str(value)) or str(value)


# How a period is written for a reader; weeks and years keep their key ("2025-W48", "2025").
_PERIOD_FORMATS: dict[str, Callable[[Any, str], str]] = {
    Grain.DAY: lambda day, language: format_date(day, "medium", locale=language),
    Grain.MONTH: lambda day, language: format_skeleton("yMMM", day, locale=language),
    Grain.QUARTER: lambda day, language: format_skeleton("yQQQ", day, locale=language),
}


def period_names(
    by: Sequence[str], rows: Sequence[MetricRow], language: str
) -> dict[str, dict[str, str]]:
    """The periods of the rows as the language writes them ("нояб. 2025 г.", "Q4 2025",
    "2025. IV. n.év"), for the period slice of ``by``: the keys sort as text ("2025-11"),
    which the QA pass of the Russian demo found on the CX trend's axis beside the home
    chart's "нояб. 2025 г."."""
    grain = next((name for name in by if name in GRAINS), None)
    if grain is None or grain not in _PERIOD_FORMATS:
        return {}
    write, start_of = _PERIOD_FORMATS[grain], Grain(grain).start_of_label
    labels = {str(row.key(grain)) for row in rows if row.key(grain) is not None}
    return {grain: {label: write(start_of(label), language) for label in labels}}


def result_table(
    metric: Metric, by: Sequence[str], rows: Sequence[MetricRow], language: str, _: Translate,
    currency: str = DEFAULT_CURRENCY, names: SliceNames | None = None,
) -> ResultTable:
    formats = MetricFormats(metric, language, currency)
    names = {**(names or {}), **period_names(by, rows, language)}
    shown = [
        ResultRow(
            keys=tuple(key_text(value, (names or {}).get(name)) for name, value in row.keys),
            value=formats.value(row.value),
            interval=formats.interval(row.ci_low, row.ci_high),
            n=formats.count(row.n),
            previous=formats.value(row.previous_value),
            change=formats.change(row.change),
        )
        for row in rows[:MAX_TABLE_ROWS]
    ]
    return ResultTable(
        key_headings=tuple(slice_label(name, _) for name in by),
        value_heading=value_heading(metric, _, currency=currency),
        compared=bool(rows) and rows[0].compared,
        rows=tuple(shown),
        total=len(rows),
    )


def file_titles(
    metric: Metric, columns: Sequence[str], _: Translate, currency: str = DEFAULT_CURRENCY
) -> dict[str, str]:
    """Column headings of a downloaded file in the reader's language; a money metric's
    value column names the currency ("Value (EUR)"), its cells stay plain numbers."""
    titles = {name: slice_label(name, _) for name in columns}
    titles.update({name: _(title) if title != "n" else title
                   for name, title in COLUMN_TITLES.items()})
    titles["value"] = value_heading(metric, _, percent_sign=True, currency=currency)
    if metric.unit == MONEY:
        for name in ("ci_low", "ci_high", "previous_value", "change"):
            titles[name] = f"{titles[name]} ({currency})"
    return titles


# --- the chart -----------------------------------------------------------------------------


def _series_label(row: MetricRow, slices: Sequence[str], names: SliceNames) -> str:
    return " · ".join(key_text(row.key(name), names.get(name)) for name in slices)


def chart_spec(
    metric: Metric, by: Sequence[str], rows: Sequence[MetricRow], language: str, _: Translate,
    currency: str = DEFAULT_CURRENCY, names: SliceNames | None = None,
) -> dict[str, Any] | None:
    """A line chart with the interval band over a period grain, else bars with error bars;
    None when there is nothing to draw or too much for a readable chart. A money metric's
    axis carries the currency's symbol (d3's ``$`` format with the workspace's currency)."""
    grain = next((name for name in by if name in GRAINS), None)
    others = [name for name in by if name != grain]
    formats = MetricFormats(metric, language, currency)
    drawn = [row for row in rows if row.value is not None]
    if not drawn:
        return None
    periods = period_names(by, drawn, language).get(grain or "", {})
    values = [
        {
            "period": key_text(row.key(grain)) if grain else None,
            "period_label": key_text(row.key(grain), periods) if grain else None,
            "series": _series_label(row, others, names or {}) if others
            else metric.name(language),
            "category": _series_label(row, others, names or {}) if others else _("All"),
            "value": row.value,
            "low": row.ci_low,
            "high": row.ci_high,
            "value_text": formats.value(row.value),
            "interval_text": formats.interval(row.ci_low, row.ci_high),
            "n": row.n,
        }
        for row in drawn
    ]
    series = {value["series"] for value in values}
    if (grain and len(series) > MAX_SERIES) or (not grain and len(values) > MAX_BARS):
        return None
    value_title = value_heading(metric, _, percent_sign=True, currency=currency)
    axis = money_axis(language, currency) if metric.unit == MONEY else {}
    tooltip = [
        {"field": "value_text", "title": value_title},
        {"field": "interval_text", "title": _("Interval (95%)")},
        {"field": "n", "title": "n", "format": ","},
    ]
    if others:
        tooltip.insert(0, {"field": "series", "title": ", ".join(
            slice_label(name, _) for name in others)})
    with_band = [value for value in values if value["low"] is not None
                 and value["high"] is not None]
    if grain:
        layers = _line_layers(values, with_band, grain, others, value_title, tooltip, _, axis)
        height: int = 280
    else:
        layers = _bar_layers(values, with_band, others, value_title, tooltip, _, axis)
        height = 30 * len(values) + 20
    return {
        "$schema": VEGA_LITE_SCHEMA,
        "description": chart_description(metric, by, language, _),
        "width": "container",
        "height": height,
        "autosize": {"type": "fit-x", "contains": "padding"},
        "layer": layers,
        "config": {
            "font": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
            "view": {"stroke": None},
            "axis": {"labelColor": "#4b5563", "titleColor": "#374151", "gridColor": "#eceff3",
                     "domainColor": "#d1d5db", "tickColor": "#d1d5db", "labelFontSize": 11,
                     "titleFontSize": 12},
            "legend": {"orient": "bottom", "labelLimit": 260},
        },
        "usermeta": {"embedOptions": {"formatLocale": d3_number_locale(language, currency)}},
    }


def _line_layers(
    values: list[dict[str, Any]], with_band: list[dict[str, Any]], grain: str,
    others: list[str], value_title: str, tooltip: list[dict[str, Any]], _: Translate,
    axis: dict[str, str],
) -> list[dict[str, Any]]:
    # Drawn by the period's name, in the order of its key (which sorts as text).
    order = [label for _key, label in sorted({(v["period"], v["period_label"]) for v in values})]
    x = {"field": "period_label", "type": "ordinal", "sort": order,
         "title": _(SLICE_LABELS[grain]), "axis": {"labelAngle": -40, "labelOverlap": True}}
    colour: dict[str, Any] = (
        {"color": {"field": "series", "type": "nominal", "title": ", ".join(
            slice_label(name, _) for name in others), "scale": {"scheme": "tableau10"}}}
        if others else {}
    )
    fixed = {} if others else {"color": LINE_COLOUR}
    layers: list[dict[str, Any]] = []
    if with_band:
        layers.append({
            "data": {"values": with_band},
            "mark": {"type": "area", "opacity": 0.16, **fixed},
            "encoding": {"x": x, "y": {"field": "low", "type": "quantitative", "stack": None,
                                       "title": value_title, "axis": axis},
                         "y2": {"field": "high"}, **colour},
        })
    layers.append({
        "data": {"values": values},
        "mark": {"type": "line", "strokeWidth": 2.2, "tooltip": True,
                 "point": {"filled": True, "size": 40}, **fixed},
        "encoding": {"x": x, "y": {"field": "value", "type": "quantitative",
                                   "title": value_title, "scale": {"zero": False},
                                   "axis": axis},
                     "tooltip": tooltip, **colour},
    })
    return layers


def _bar_layers(
    values: list[dict[str, Any]], with_band: list[dict[str, Any]], others: list[str],
    value_title: str, tooltip: list[dict[str, Any]], _: Translate, axis: dict[str, str],
) -> list[dict[str, Any]]:
    y = {"field": "category", "type": "nominal", "sort": None,
         "title": ", ".join(slice_label(name, _) for name in others) or None,
         "axis": {"labelLimit": 240}}
    layers: list[dict[str, Any]] = [{
        "data": {"values": values},
        "mark": {"type": "bar", "color": "#93b4f5", "cornerRadiusEnd": 3, "tooltip": True},
        "encoding": {"y": y, "x": {"field": "value", "type": "quantitative",
                                   "title": value_title, "axis": axis}, "tooltip": tooltip},
    }]
    if with_band:
        layers.append({
            "data": {"values": with_band},
            "mark": {"type": "rule", "color": "#1f2937", "strokeWidth": 1.5},
            "encoding": {"y": y, "x": {"field": "low", "type": "quantitative"},
                         "x2": {"field": "high"}},
        })
    return layers


def chart_description(metric: Metric, by: Sequence[str], language: str, _: Translate) -> str:
    """The chart in words, for screen readers (its figures are in the table)."""
    name = metric.name(language)
    if not by:
        return _("%(metric)s with its 95%% interval; the table below holds the figures.") % {
            "metric": name}
    slices = ", ".join(slice_label(slice_name, _) for slice_name in by)
    if any(slice_name in GRAINS for slice_name in by):
        text = _("%(metric)s by %(slices)s: a line for each series with its 95%% interval "
                 "as a band; the table below holds the figures.")
    else:
        text = _("%(metric)s by %(slices)s: bars with the 95%% interval as error bars; "
                 "the table below holds the figures.")
    return text % {"metric": name, "slices": slices}
