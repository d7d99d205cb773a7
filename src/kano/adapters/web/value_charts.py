"""Vega-Lite charts of the customer-value pages (rendered by the vendored vega-embed).

Each function takes the rows of :mod:`kano.analytics.value.views`, the page's gettext and
language, and returns a spec; the numbers are computed in Python (the waterfall's running
totals too) so that the chart shows exactly what the tables beside it say. Every spec
carries the language's d3 number locale (decimal sign, grouping, true minus) for vega-embed,
and every axis and tooltip line a translated title, so no field name or English number
format shows on a Russian or Hungarian page.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from statistics import median
from typing import Any

from kano.adapters.web.chart_sample import ChartSample, representative_sample
from kano.adapters.web.charts import VEGA_LITE_SCHEMA, d3_number_locale, money_axis
from kano.adapters.web.formatting import NumberFormats
from kano.adapters.web.money_bins import money_bins
from kano.domain.shared.currency import DEFAULT_CURRENCY

Spec = dict[str, Any]
Gettext = Callable[[str], str]
SCHEMA = VEGA_LITE_SCHEMA  # the vendored library's version: v5 made it warn in the console
CELL_COLOURS = {"low": "#9aa5b1", "medium": "#d9a441", "high": "#2f7d4f"}
SEGMENT_COLOURS = ("#4a6fa5", "#d9a441", "#2f7d4f", "#b3412f", "#7b5ea7", "#0b7a6f", "#9aa5b1")
# The most accounts the client matrix's scatter draws (a sample past it: chart_sample). Read
# at each call, so a test can lower it. At most value_figures.MANY_IDS, so that the
# tooltips' names are asked for by id rather than by reading every customer.
MATRIX_POINTS = 2_000


def _word(gettext: Gettext, text: str) -> str:
    """A word the analyses return (a segment or lever name) in the page's language; a call
    of its own so that the catalogue extractor does not take the dictionary keys for texts."""
    return gettext(text)


def _spec(
    data: list[dict[str, Any]],
    language: str,
    height: int = 300,
    currency: str = DEFAULT_CURRENCY,
    **parts: Any,
) -> Spec:
    return {
        "$schema": SCHEMA,
        "width": "container",
        "height": height,
        "data": {"values": data},
        **parts,
        "usermeta": {"embedOptions": {"formatLocale": d3_number_locale(language, currency)}},
    }


def rfm_segments(
    segments: Sequence[dict[str, Any]],
    _: Gettext,
    language: str,
    currency: str = DEFAULT_CURRENCY,
) -> Spec:
    """Revenue of each RFM segment (bars, in the workspace's currency), customers in the
    tooltip."""
    data = [
        {"segment": _word(_, s["segment"]), "revenue": s["revenue"], "customers": s["customers"]}
        for s in segments
    ]
    return _spec(
        data,
        language,
        currency=currency,
        mark={"type": "bar"},
        encoding={
            "y": {"field": "segment", "type": "nominal", "sort": "-x", "title": None},
            "x": {
                "field": "revenue",
                "type": "quantitative",
                "title": _("Revenue"),
                "axis": money_axis(language, currency),
            },
            "tooltip": [
                {"field": "segment", "title": _("Segment")},
                {"field": "revenue", "title": _("Revenue"), "format": "$,.0f"},
                {"field": "customers", "title": _("Customers"), "format": ","},
            ],
        },
    )


def rfm_transitions(moves: Sequence[dict[str, Any]], _: Gettext, language: str) -> Spec:
    """A flow chart of customers between RFM segments: the segments before on the left, now
    on the right, each a bar as tall as its customers, joined by bands as thick as the
    customers who moved that way (a parallel-sets chart; the layout is computed here)."""
    height, gap = 360, 0.012
    total = sum(int(m["customers"]) for m in moves) or 1
    ordered = sorted(moves, key=lambda m: (str(m["from"]), str(m["to"])))

    def nodes(side: str) -> dict[str, list[float]]:
        sizes: dict[str, int] = {}
        for m in ordered:
            sizes[str(m[side])] = sizes.get(str(m[side]), 0) + int(m["customers"])
        scale = (1.0 - gap * (len(sizes) - 1)) / total
        placed, top = {}, 0.0
        for name in sorted(sizes, key=lambda n: -sizes[n]):
            placed[name] = [top, top + sizes[name] * scale, top, float(sizes[name])]
            top += sizes[name] * scale + gap
        return placed

    left, right = nodes("from"), nodes("to")
    bands = []
    for m in sorted(ordered, key=lambda m: (left[str(m["from"])][0], right[str(m["to"])][0])):
        share = int(m["customers"]) * (1.0 - gap * (len(left) - 1)) / total
        start, end = left[str(m["from"])], right[str(m["to"])]
        out = (1.0 - gap * (len(right) - 1)) / total * int(m["customers"])
        bands.append(
            {
                "from": _word(_, m["from"]),
                "to": _word(_, m["to"]),
                "customers": int(m["customers"]),
                "y": start[2] + share / 2,
                "y2": end[2] + out / 2,
                "width": max(share * height * 0.92, 0.6),
            }
        )
        start[2] += share
        end[2] += out
    bars = [
        {
            "x": x,
            "segment": _word(_, name),
            "y": box[0],
            "y2": box[1],
            "label": f"{_word(_, name)} ({int(box[3])})",
            "side": side,
        }
        for x, side, column in ((0.0, "left", left), (1.0, "right", right))
        for name, box in column.items()
    ]
    y = {"type": "quantitative", "scale": {"domain": [0, 1], "reverse": True}, "axis": None}
    x = {"type": "quantitative", "scale": {"domain": [-0.45, 1.45]}, "axis": None}
    tooltip = [
        {"field": "from", "title": _("Segment before")},
        {"field": "to", "title": _("Segment now")},
        {"field": "customers", "title": _("Customers"), "format": ","},
    ]
    return _spec(
        [],
        language,
        height=height,
        layer=[
            {
                "data": {"values": bands},
                "mark": {"type": "rule", "opacity": 0.35, "color": "#4a6fa5"},
                "encoding": {
                    "x": {"datum": 0.02, **x},
                    "x2": {"datum": 0.98},
                    "y": {"field": "y", **y},
                    "y2": {"field": "y2"},
                    "strokeWidth": {"field": "width", "type": "quantitative", "scale": None},
                    "tooltip": tooltip,
                },
            },
            {
                "data": {"values": bars},
                "mark": {"type": "bar", "width": 10, "color": "#2f4a6d"},
                "encoding": {
                    "x": {"field": "x", **x},
                    "y": {"field": "y", **y},
                    "y2": {"field": "y2"},
                    "tooltip": [{"field": "label", "title": _("Segment")}],
                },
            },
            {
                "data": {"values": [b for b in bars if b["side"] == "left"]},
                "mark": {"type": "text", "align": "right", "dx": -10},
                "encoding": {
                    "x": {"field": "x", **x},
                    "y": {"field": "mid", **y},
                    "text": {"field": "label"},
                },
                "transform": [{"calculate": "(datum.y + datum.y2) / 2", "as": "mid"}],
            },
            {
                "data": {"values": [b for b in bars if b["side"] == "right"]},
                "mark": {"type": "text", "align": "left", "dx": 10},
                "encoding": {
                    "x": {"field": "x", **x},
                    "y": {"field": "mid", **y},
                    "text": {"field": "label"},
                },
                "transform": [{"calculate": "(datum.y + datum.y2) / 2", "as": "mid"}],
            },
        ],
    )


def matrix_points(accounts: Sequence[dict[str, Any]]) -> ChartSample[dict[str, Any]]:
    """The accounts the scatter draws: all of them up to ``MATRIX_POINTS``, past it a
    representative sample (every cell in proportion, each cell's highest revenue kept)."""
    return representative_sample(
        accounts,
        MATRIX_POINTS,
        group=lambda a: (a["attractiveness_level"], a["relationship_level"]),
        weight=lambda a: float(a["revenue_365d"] or 0.0),
        identity=lambda a: int(a["customer_id"]),
    )


def matrix_scatter(
    accounts: Sequence[dict[str, Any]],
    _: Gettext,
    language: str,
    names: dict[int, str],
    currency: str = DEFAULT_CURRENCY,
) -> Spec:
    """Each account by relationship (x) and attractiveness (y), coloured by its
    attractiveness level (the axis that sets the strategy); the tooltip names the account
    (``names``: customer id → name; the number where it has none). ``accounts`` are the
    points to draw: :func:`matrix_points` of the matrix's accounts."""
    data = [
        {
            "customer": names.get(int(a["customer_id"]), str(a["customer_id"])),
            "relationship": a["relationship"],
            "attractiveness": a["attractiveness"],
            "level": _word(_, a["attractiveness_level"]),
            "cell": f"{_word(_, a['attractiveness_level'])} × {_word(_, a['relationship_level'])}",
            "revenue": a["revenue_365d"],
        }
        for a in accounts
    ]
    levels = [_("low"), _("medium"), _("high")]
    return _spec(
        data,
        language,
        height=380,
        currency=currency,
        mark={"type": "point", "filled": True, "opacity": 0.75},
        encoding={
            "x": {
                "field": "relationship",
                "type": "quantitative",
                "title": _("Relationship strength"),
                "scale": {"domain": [0, 1]},
            },
            "y": {
                "field": "attractiveness",
                "type": "quantitative",
                "title": _("Customer attractiveness"),
                "scale": {"domain": [0, 1]},
            },
            "size": {
                "field": "revenue",
                "type": "quantitative",
                "title": _("Revenue, last 365 days"),
                "legend": None,
            },
            "color": {
                "field": "level",
                "type": "nominal",
                "title": _("Attractiveness"),
                "scale": {"domain": levels, "range": list(CELL_COLOURS.values())},
            },
            "tooltip": [
                {"field": "customer", "title": _("Customer")},
                {"field": "cell", "title": _("Cell")},
                {"field": "revenue", "title": _("Revenue, last 365 days"), "format": "$,.0f"},
            ],
        },
    )


def profit_waterfall(
    report: dict[str, Any], _: Gettext, language: str, currency: str = DEFAULT_CURRENCY
) -> Spec:
    """Profit before, each lever's contribution stacked on the running total, profit after."""
    before, after = _("Profit before"), _("Profit after")
    data = [
        {
            "step": before,
            "start": 0.0,
            "end": report["profit_before"],
            "kind": "total",
            "amount": report["profit_before"],
        }
    ]
    running = report["profit_before"]
    for lever in report["levers"]:
        change = lever["contribution"]
        data.append(
            {
                "step": _word(_, lever["label"]),
                "start": running,
                "end": running + change,
                "kind": "up" if change >= 0 else "down",
                "amount": change,
            }
        )
        running += change
    data.append(
        {
            "step": after,
            "start": 0.0,
            "end": report["profit_after"],
            "kind": "total",
            "amount": report["profit_after"],
        }
    )
    order = [row["step"] for row in data]
    return _spec(
        data,
        language,
        height=340,
        currency=currency,
        mark={"type": "bar"},
        encoding={
            "x": {
                "field": "step",
                "type": "nominal",
                "sort": order,
                "title": None,
                "axis": {"labelAngle": -30},
            },
            "y": {
                "field": "start",
                "type": "quantitative",
                "title": _("Profit"),
                "axis": money_axis(language, currency),
            },
            "y2": {"field": "end"},
            "color": {
                "field": "kind",
                "type": "nominal",
                "legend": None,
                "scale": {
                    "domain": ["total", "up", "down"],
                    "range": ["#4a6fa5", "#2f7d4f", "#b3412f"],
                },
            },
            "tooltip": [
                {"field": "step", "title": _("Lever")},
                {"field": "amount", "title": _("Amount"), "format": "$,.0f"},
            ],
        },
    )


def _share_text(formats: NumberFormats, part: float, total: float) -> str:
    """A share of the total CLV to a tenth of a percent; "< 0.1%" for a sliver of it."""
    if not total:
        return "–"
    if 0 < part / total < 0.0005:
        return "< " + formats.percent(0.001, 1)
    return formats.percent(part / total, 1)


def clv_distribution(
    customers: Sequence[dict[str, Any]],
    _: Gettext,
    language: str,
    currency: str = DEFAULT_CURRENCY,
    segments: dict[str, str] | None = None,
) -> Spec:
    """How CLV (in the workspace's currency) is spread over the customers: a histogram on
    1-2-5 money bins of a logarithmic axis (:mod:`~kano.adapters.web.money_bins`), each
    segment a colour of its own, stacked from the segment of least median CLV up. On a
    linear axis the demo's key accounts (up to €1.3M) put every consumer (€10 – €1,000)
    and most businesses in one bar; on a log axis each segment shows its own shape. The
    tooltip says each bar's range, customers, the CLV they hold and its share of the total,
    written in the page's language; ``segments`` names the segments (key → name)."""
    formats = NumberFormats(language)
    names = segments or {}
    bins = money_bins(float(c["clv"]) for c in customers)
    by_segment: dict[str, list[float]] = {}
    for c in customers:
        key = c.get("segment") or ""
        by_segment.setdefault(key, []).append(float(c["clv"]))
    order = sorted(by_segment, key=lambda key: (median(by_segment[key]), key))
    total = sum(sum(values) for values in by_segment.values())
    stacked = [0] * (len(bins.edges) - 1)
    data = []
    for key in order:
        counts, held = [0] * len(stacked), [0.0] * len(stacked)
        for value in by_segment[key]:
            counts[bins.index(value)] += 1
            held[bins.index(value)] += value
        for i, (low, high) in enumerate(itertools.pairwise(bins.edges)):
            if not counts[i]:
                continue
            upper = formats.money(high, currency)
            name = names.get(key, key) if key else _("All customers")
            written = (_("under %(amount)s") % {"amount": upper}
                       if i == 0 and bins.first_holds_less
                       else f"{formats.money(low, currency)} – {upper}")
            data.append({
                "segment": name,
                "low": low,
                "high": high,
                "bottom": stacked[i],
                "top": stacked[i] + counts[i],
                "customers": counts[i],
                "range": written,
                "held": formats.money(held[i], currency),
                "share": _share_text(formats, held[i], total),
                # what a screen reader says of the bar (Vega's default names the fields)
                "about": f"{name}, {written}: {_('Customers')} {formats.integer(counts[i])}",
            })  # fmt: skip
            stacked[i] += counts[i]
    shown = [names.get(key, key) if key else _("All customers") for key in order]
    return _spec(
        data,
        language,
        height=280,
        currency=currency,
        mark={"type": "bar", "stroke": "#ffffff", "strokeWidth": 1},
        encoding={
            "x": {
                "field": "low",
                "type": "quantitative",
                "title": _("CLV"),
                "scale": {"type": "log", "domain": [bins.edges[0], bins.edges[-1]],
                          "nice": False},
                "axis": {**money_axis(language, currency), "values": bins.ticks(),
                         "labelOverlap": True},
            },
            "x2": {"field": "high"},
            "y": {
                "field": "bottom",
                "type": "quantitative",
                "title": _("Customers"),
                "axis": {"tickMinStep": 1},
            },
            "y2": {"field": "top"},
            "color": {
                "field": "segment",
                "type": "nominal",
                "title": _("Segment"),
                "sort": shown,
                "scale": {"domain": shown,
                          "range": [SEGMENT_COLOURS[i % len(SEGMENT_COLOURS)]
                                    for i in range(len(shown))]},
                "legend": {"orient": "top", "direction": "vertical"},
            },
            "description": {"field": "about"},
            "tooltip": [
                {"field": "segment", "title": _("Segment")},
                {"field": "range", "title": _("CLV")},
                {"field": "customers", "title": _("Customers"), "format": ","},
                {"field": "held", "title": _("CLV of these customers")},
                {"field": "share", "title": _("Share of the total CLV")},
            ],
        },
    )


def clv_by_segment(customers: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Where the CLV sits: each segment's customers, median and total CLV and its share of
    the total, in the chart's order (least median CLV first); the chart's table, and what
    a reader of the page without the chart gets."""
    by_segment: dict[str | None, list[float]] = {}
    for c in customers:
        by_segment.setdefault(c.get("segment") or None, []).append(float(c["clv"]))
    total = sum(sum(values) for values in by_segment.values())
    rows = [
        {
            "segment": key,
            "customers": len(values),
            "median": median(values),
            "total": sum(values),
            "share": sum(values) / total if total else None,
        }
        for key, values in by_segment.items()
    ]
    return sorted(rows, key=lambda row: (row["median"], row["segment"] or ""))


def clv_holdout(
    buckets: Sequence[dict[str, Any]], _: Gettext, language: str, segments: dict[str, str]
) -> Spec:
    """Predicted against actual purchases in the holdout, by calibration frequency; each
    segment under its workspace name (``segments``: key → name)."""
    actual, predicted = _("Actual"), _("Predicted")
    data = []
    for b in buckets:
        segment = segments.get(b["segment"], b["segment"]) if b["segment"] else None
        for series, purchases in ((actual, b["actual"]), (predicted, b["predicted"])):
            data.append(
                {
                    "frequency": b["frequency"],
                    "segment": segment or _("All customers"),
                    "series": series,
                    "purchases": purchases,
                    "actual": b["actual"],
                    "predicted": b["predicted"],
                }
            )
    return _spec(
        data,
        language,
        height=260,
        mark={"type": "line", "point": True},
        encoding={
            "x": {"field": "frequency", "type": "ordinal", "title": _("Repeat purchases before")},
            "y": {
                "field": "purchases",
                "type": "quantitative",
                "title": _("Mean purchases in the holdout"),
            },
            "color": {"field": "series", "type": "nominal", "title": None},
            "strokeDash": {"field": "segment", "type": "nominal", "title": _("Segment")},
            "tooltip": [
                {"field": "segment", "title": _("Segment")},
                {"field": "frequency", "title": _("Repeat purchases before")},
                {"field": "actual", "title": actual, "format": ".3f"},
                {"field": "predicted", "title": predicted, "format": ".3f"},
            ],
        },
    )


def churn_drivers(drivers: Sequence[dict[str, Any]], _: Gettext, language: str) -> Spec:
    """Drop in holdout AUC when each feature is shuffled."""
    data = [{"feature": _word(_, d["feature"]), "importance": d["importance"]} for d in drivers]
    title = _("Drop in holdout AUC when shuffled")
    return _spec(
        data,
        language,
        height=280,
        mark={"type": "bar"},
        encoding={
            "y": {"field": "feature", "type": "nominal", "sort": "-x", "title": None},
            "x": {
                "field": "importance",
                "type": "quantitative",
                "title": title,
                # AUC drops are thousandths: d3's default of ~20 ticks wrote "−0,004−0,002
                # 0,000 0,002 …" into one another on the Hungarian and Russian pages.
                "axis": {"tickCount": 6, "labelOverlap": True},
            },
            "tooltip": [
                {"field": "feature", "title": _("Feature")},
                {"field": "importance", "title": title, "format": ".4f"},
            ],
        },
    )


def churn_reliability(bins: Sequence[dict[str, Any]], _: Gettext, language: str) -> Spec:
    """Predicted against observed churn on the holdout, with the diagonal of a perfect fit."""
    data = [{"predicted": b["predicted"], "observed": b["observed"]} for b in bins]
    scale = {"domain": [0, 1]}
    predicted, observed = _("Predicted churn"), _("Observed churn")
    return _spec(
        data,
        language,
        height=260,
        layer=[
            {
                "mark": {"type": "rule", "strokeDash": [4, 4], "color": "#9aa5b1"},
                "data": {"values": [{"x": 0, "y": 0, "x2": 1, "y2": 1}]},
                "encoding": {  # the line's titles: the layers share the axes
                    "x": {"field": "x", "type": "quantitative", "scale": scale, "title": predicted},
                    "y": {"field": "y", "type": "quantitative", "scale": scale, "title": observed},
                    "x2": {"field": "x2"},
                    "y2": {"field": "y2"},
                },
            },
            {
                "mark": {"type": "line", "point": True},
                "encoding": {
                    "x": {
                        "field": "predicted",
                        "type": "quantitative",
                        "scale": scale,
                        "title": predicted,
                        "axis": {"format": ".0%"},
                    },
                    "y": {
                        "field": "observed",
                        "type": "quantitative",
                        "scale": scale,
                        "title": observed,
                        "axis": {"format": ".0%"},
                    },
                    "tooltip": [
                        {"field": "predicted", "title": predicted, "format": ".1%"},
                        {"field": "observed", "title": observed, "format": ".1%"},
                    ],
                },
            },
        ],
    )
