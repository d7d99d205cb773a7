"""The key-driver page's chart and words: importance (share of R²) against performance on
each driver's own scale, the quadrants named, and what each driver's performance is
measured against, in the reader's language.

Not in the route module: ``kano analyze drivers`` words the performance basis the same way.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable
from typing import Any

from kano.adapters.web.charts import VEGA_LITE_SCHEMA, d3_number_locale
from kano.adapters.web.count_units import Plural, count_phrase
from kano.adapters.web.formatting import NumberFormats
from kano.adapters.web.measure_labels import driver_name
from kano.domain.shared.scores import GREEN_FROM, SCORE_MAX

PERFORMANCE_MARK = GREEN_FROM / SCORE_MAX
"""Where the chart splits good from poor performance (two thirds): where a scorecard
measure turns green; the analytics' ``performance.PERFORMANCE_MARK``, not imported from
there because that loads statsmodels at start-up."""


def _place_labels(data: list[dict[str, Any]], top: float) -> None:
    """Lift a driver's name one line higher when it would overwrite the name of a driver
    close by (drivers of little importance and similar performance crowd the bottom of
    the chart); the next close one goes back to the first line."""
    placed: list[dict[str, Any]] = []
    for point in sorted(data, key=lambda p: (-p["importance"], p["performance"])):
        near = [other for other in placed
                if abs(other["performance"] - point["performance"]) < 0.15
                and abs(other["importance"] - point["importance"]) < 0.08 * top]  # fmt: skip
        point["label_row"] = 1 - near[-1]["label_row"] if near else 0
        placed.append(point)


def _corner(label: str, performance: float, importance: float, align: str,
            baseline: str) -> dict[str, Any]:
    """A quadrant's name, written in its corner of the chart."""
    return {"data": {"values": [{"performance": performance, "importance": importance,
                                 "label": label}]},
            "mark": {"type": "text", "color": "#6b7280", "fontStyle": "italic",
                     "align": align, "baseline": baseline, "dy": 4 if baseline == "top" else -4},
            "encoding": {"x": {"field": "performance", "type": "quantitative"},
                         "y": {"field": "importance", "type": "quantitative"},
                         "text": {"field": "label"}}}  # fmt: skip


def performance_basis_text(
    row: dict[str, Any], gettext: Callable[[str], str], formats: NumberFormats,
    ngettext: Plural | None = None,
) -> str:
    """What a driver's performance is measured against, in the reader's language: "the
    1–5 scale", "scorecard target 0.5 days (Mean delivery delay)", "the respondents'
    range: worst 3, best 1" (a row of ``DriverWeights.rows``). With the page's
    ``ngettext``, a target's unit that is one of the metric catalogue's ("days",
    "minutes" …) is written in the reader's language too ("0,5 nap", not "0,5 days")."""
    def number(value: Any) -> str:
        return formats.significant(None if value is None else float(value), 3)

    basis = row.get("performance_basis")
    if basis == "scale":
        return gettext("the %(low)s–%(high)s scale") % {
            "low": number(row["performance_low"]), "high": number(row["performance_high"])}
    if basis == "target":
        target = number(row["performance_target"])
        unit = row.get("performance_unit")
        phrase = count_phrase(float(row["performance_target"]), target, unit, ngettext) if (
            unit and ngettext is not None) else None
        return gettext("scorecard target %(target)s (%(measure)s)") % {
            "target": phrase or (f"{target} {unit}" if unit else target),
            "measure": row.get("performance_measure_name") or row.get("performance_measure")}
    if basis == "range" and row.get("performance_direction_known", True):
        return gettext("the respondents' range: worst %(worst)s, best %(best)s") % {
            "worst": number(row["performance_low"]), "best": number(row["performance_high"])}
    return gettext("the respondents' range, %(low)s to %(high)s (direction unknown: higher "
                   "taken as better)") % {"low": number(row.get("performance_low")),
                                          "high": number(row.get("performance_high"))}


def quadrant_chart(rows: list[dict[str, Any]], gettext: Callable[[str], str],
                    stage_names: dict[str, str], language: str) -> dict[str, Any]:  # fmt: skip
    """Importance (share of R²) against performance, each driver on its own scale (0–100 %,
    ``kano.analytics.linkage.performance``), so the x of one driver means the same as
    another's. The lines split the drivers at the median importance and at the stated
    performance mark (where a scorecard measure turns green); each driver named and every
    number written in the page's language."""
    data = [{"driver": driver_name(r["driver"], gettext, stage_names),
             "importance": float(r["share"]),
             "performance": float(r["performance_share"]),
             "mean": float(r["performance"]),
             "basis": r.get("basis_text", "")}
            for r in rows]  # fmt: skip
    middle = float(statistics.median(point["importance"] for point in data))
    importance, performance = gettext("Importance (share of R²)"), gettext(
        "Performance on its own scale")
    top = min(1.0, max(point["importance"] for point in data) * 1.15) or 1.0
    _place_labels(data, top)
    # The four quadrants named in their corners (importance–performance analysis).
    corners = [
        _corner(gettext("Fix first"), 0.01, top, "left", "top"),
        _corner(gettext("Keep it up"), 0.99, top, "right", "top"),
        _corner(gettext("Lower priority"), 0.01, 0.0, "left", "bottom"),
        _corner(gettext("More than needed?"), 0.99, 0.0, "right", "bottom"),
    ]
    x = {"field": "performance", "type": "quantitative", "title": performance,
         "scale": {"domain": [0, 1], "nice": False},
         "axis": {"format": ".0%", "values": [0, 0.25, 0.5, 0.75, 1]}}
    y = {"field": "importance", "type": "quantitative", "title": importance,
         "scale": {"domain": [0, top], "nice": False}, "axis": {"format": ".0%"}}
    return {
        "$schema": VEGA_LITE_SCHEMA,
        "width": "container", "height": 320, "data": {"values": data},
        "usermeta": {"embedOptions": {"formatLocale": d3_number_locale(language)}},
        "layer": [  # the lines and corners bring their own data; the drivers are the chart's
            {"data": {"values": [{"performance": PERFORMANCE_MARK}]},
             "mark": {"type": "rule", "strokeDash": [4, 4], "color": "#888"},
             "encoding": {"x": {"field": "performance", "type": "quantitative"}}},
            {"data": {"values": [{"importance": middle}]},
             "mark": {"type": "rule", "strokeDash": [4, 4], "color": "#888"},
             "encoding": {"y": {"field": "importance", "type": "quantitative"}}},
            *corners,
            {"mark": {"type": "point", "filled": True, "size": 120},
             "encoding": {
                 "x": x, "y": y,
                 "tooltip": [{"field": "driver", "title": gettext("Driver")},
                             {"field": "importance", "format": ".1%", "title": importance},
                             {"field": "performance", "format": ".0%", "title": performance},
                             {"field": "mean", "format": ".3~r", "title": gettext("Mean")},
                             {"field": "basis", "title": gettext("Measured against")}]}},
            *({"transform": [{"filter": f"datum.label_row == {row}"}],
               "mark": {"type": "text", "dy": -12 - 14 * row},
               "encoding": {"x": {"field": "performance", "type": "quantitative"},
                            "y": {"field": "importance", "type": "quantitative"},
                            "text": {"field": "driver"}}} for row in (0, 1)),
        ],
    }  # fmt: skip
