"""Vega-Lite specifications of the charts, built on the server with translated labels.

The page embeds the spec as JSON data and ``static/js/kano.js`` draws it with the vendored
vega-embed. Month names and tooltip values are formatted by Babel here, so the chart speaks
the page's language; axis numbers use a d3 number locale taken from the same CLDR data.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from babel import Locale
from babel.numbers import format_compact_decimal, get_decimal_symbol, get_group_symbol

from kano.adapters.db.views.home import MonthFigures
from kano.adapters.web.formatting import MINUS, NumberFormats, currency_affixes
from kano.domain.shared.currency import DEFAULT_CURRENCY

VEGA_LITE_SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"  # an identifier, never fetched
REVENUE_COLOUR = "#93b4f5"
NPS_COLOUR = "#0b7a6f"


def d3_number_locale(language: str, currency: str = DEFAULT_CURRENCY) -> dict[str, Any]:
    """Decimal and grouping marks of the language, in the shape ``vega.formatLocale`` wants,
    with the workspace's currency where the language writes it, so a money axis formatted
    ``"$~s"`` reads "€10M" (see :func:`money_axis` for a symbol after the number), and
    its percent sign as CLDR writes it ("5%", Russian "5 %" with a non-breaking space)."""
    return {
        "decimal": get_decimal_symbol(language),
        "thousands": get_group_symbol(language),
        "grouping": [3],
        "currency": list(currency_affixes(language, currency)),
        "minus": MINUS,
        "percent": Locale.parse(language).percent_formats[None].suffix[0],
    }


def compact_suffixes(language: str) -> dict[str, str]:
    """What the language writes after a short number for d3's SI prefixes k, M and G, as
    CLDR has it (Russian " тыс.", " млн", " млрд"; Hungarian " E", " M",
    " Mrd"): the page's own figures are written so ("16,6 млн €"), and an axis
    reading "1,8M €" beside them spoke another language."""
    return {
        prefix: format_compact_decimal(10**power, format_type="short", locale=language)[1:]
        for prefix, power in (("k", 3), ("M", 6), ("G", 9))
    }


def money_axis(language: str, currency: str = DEFAULT_CURRENCY) -> dict[str, str]:
    """Axis labels for money, short ("€1.2M", "1,2 млн €", "1,2 M Ft"): d3's
    ``$`` format with the locale's currency where the symbol goes first. Where it goes
    after the number, d3 writes the SI prefix after the symbol ("20 Ftk", seen in
    Chromium), so the label is d3's short number with the language's word for the prefix
    (:func:`compact_suffixes`) and the symbol appended."""
    before, after = currency_affixes(language, currency)
    if before or not after:
        # d3 gives zero the ticks' prefix here too ("€0M" on the English home page).
        zero = json.dumps(before + "0", ensure_ascii=False)
        return {"format": "$~s", "labelExpr": f"datum.value == 0 ? {zero} : datum.label"}
    label = "datum.label"
    for prefix, suffix in compact_suffixes(language).items():
        label = f"replace({label}, {json.dumps(prefix)}, {json.dumps(suffix, ensure_ascii=False)})"
    # d3 gives zero the ticks' prefix ("0M"), which read "0 млн €".
    label = f'(datum.value == 0 ? "0" : {label})'
    return {"format": "~s", "labelExpr": f"{label} + {json.dumps(after, ensure_ascii=False)}"}


def revenue_and_nps_chart(
    months: tuple[MonthFigures, ...], language: str, gettext: Callable[[str], str],
    currency: str = DEFAULT_CURRENCY,
) -> dict[str, Any]:
    """Monthly revenue as bars and NPS as a line on its own axis, oldest month first; the
    NPS line sits in its 95 % interval band (as the CX overview draws it), so a month's
    swing can be read against its noise. Revenue is in the workspace's ``currency``: the
    axis labels ("€10M", "10M Ft") and the tooltip carry its symbol."""
    formats = NumberFormats(language)
    month_title, revenue_title, nps_title = gettext("Month"), gettext("Revenue"), gettext("NPS")
    answers_title, interval_title = gettext("Answers"), gettext("Interval (95%)")
    values = []
    for month in months:
        estimate = month.nps.estimate
        values.append({
            "month": formats.month(month.month),
            "revenue": round(month.revenue, 2),
            "revenue_text": formats.money(month.revenue, currency),
            "nps": None if estimate.value is None else round(estimate.value, 1),
            "nps_low": None if estimate.low is None else round(estimate.low, 1),
            "nps_high": None if estimate.high is None else round(estimate.high, 1),
            "nps_text": formats.signed(estimate.value),
            "interval_text": "–" if estimate.low is None or estimate.high is None
            else f"{formats.signed(estimate.low)} – {formats.signed(estimate.high)}",
            "answered": month.nps.answered,
        })
    tooltip = [
        {"field": "month", "title": month_title},
        {"field": "revenue_text", "title": revenue_title},
        {"field": "nps_text", "title": nps_title},
        {"field": "interval_text", "title": interval_title},
        {"field": "answered", "title": answers_title, "format": ","},
    ]
    x = {"field": "month", "type": "ordinal", "sort": None, "title": None,
         "axis": {"labelAngle": -40, "labelOverlap": True}}
    nps_axis = {"titleColor": NPS_COLOUR}
    return {
        "$schema": VEGA_LITE_SCHEMA,
        "description": gettext("Revenue and NPS by month, last 12 months"),
        "width": "container",
        "height": 260,
        "autosize": {"type": "fit-x", "contains": "padding"},
        "data": {"values": values},
        "layer": [
            {
                "mark": {"type": "bar", "color": REVENUE_COLOUR, "cornerRadiusEnd": 3,
                         "tooltip": True},
                "encoding": {
                    "x": x,
                    "y": {"field": "revenue", "type": "quantitative", "title": revenue_title,
                          "axis": {**money_axis(language, currency),
                                   "titleColor": "#3867c9"}},
                    "tooltip": tooltip,
                },
            },
            {   # the band and the line share one NPS scale (the outer layers do not)
                "layer": [
                    {
                        "transform": [{"filter": "isValid(datum.nps_low) && "
                                                 "isValid(datum.nps_high)"}],
                        "mark": {"type": "area", "color": NPS_COLOUR, "opacity": 0.16,
                                 "tooltip": True},
                        "encoding": {
                            "x": x,
                            "y": {"field": "nps_low", "type": "quantitative", "stack": None,
                                  "title": nps_title, "axis": nps_axis},
                            "y2": {"field": "nps_high"},
                            "tooltip": tooltip,
                        },
                    },
                    {
                        "mark": {"type": "line", "color": NPS_COLOUR, "strokeWidth": 2.5,
                                 "point": {"filled": True, "size": 50, "color": NPS_COLOUR},
                                 "tooltip": True},
                        "encoding": {
                            "x": x,
                            "y": {"field": "nps", "type": "quantitative", "title": nps_title,
                                  "scale": {"zero": True}, "axis": nps_axis},
                            "tooltip": tooltip,
                        },
                    },
                ],
            },
        ],
        "resolve": {"scale": {"y": "independent"}},
        "config": {
            "font": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
            "view": {"stroke": None},
            "axis": {"labelColor": "#4b5563", "titleColor": "#374151", "gridColor": "#eceff3",
                     "domainColor": "#d1d5db", "tickColor": "#d1d5db", "labelFontSize": 11,
                     "titleFontSize": 12},
        },
        "usermeta": {"embedOptions": {"formatLocale": d3_number_locale(language, currency)}},
    }
