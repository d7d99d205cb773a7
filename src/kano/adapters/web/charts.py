"""Vega-Lite specifications of the charts, built on the server with translated labels.

The page embeds the spec as JSON data and ``static/js/kano.js`` draws it with the vendored
vega-embed. Month names and tooltip values are formatted by Babel here, so the chart speaks
the page's language; axis numbers use a d3 number locale taken from the same CLDR data.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from babel.numbers import get_decimal_symbol, get_group_symbol

from kano.adapters.db.views.home import MonthFigures
from kano.adapters.web.formatting import NumberFormats

VEGA_LITE_SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"  # an identifier, never fetched
REVENUE_COLOUR = "#93b4f5"
NPS_COLOUR = "#0b7a6f"


def d3_number_locale(language: str) -> dict[str, Any]:
    """Decimal and grouping marks of the language, in the shape ``vega.formatLocale`` wants."""
    return {
        "decimal": get_decimal_symbol(language),
        "thousands": get_group_symbol(language),
        "grouping": [3],
        "currency": ["", ""],
        "minus": "\u2212",
    }


def revenue_and_nps_chart(
    months: tuple[MonthFigures, ...], language: str, gettext: Callable[[str], str]
) -> dict[str, Any]:
    """Monthly revenue as bars and NPS as a line on its own axis, oldest month first."""
    formats = NumberFormats(language)
    month_title, revenue_title, nps_title = gettext("Month"), gettext("Revenue"), gettext("NPS")
    answers_title = gettext("Answers")
    values = [
        {
            "month": formats.month(month.month),
            "revenue": round(month.revenue, 2),
            "revenue_text": formats.integer(month.revenue),
            "nps": None if month.nps.score is None else round(month.nps.score, 1),
            "nps_text": formats.signed(month.nps.score),
            "answered": month.nps.answered,
        }
        for month in months
    ]
    tooltip = [
        {"field": "month", "title": month_title},
        {"field": "revenue_text", "title": revenue_title},
        {"field": "nps_text", "title": nps_title},
        {"field": "answered", "title": answers_title, "format": ","},
    ]
    x = {"field": "month", "type": "ordinal", "sort": None, "title": None,
         "axis": {"labelAngle": -40, "labelOverlap": True}}
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
                          "axis": {"format": "~s", "titleColor": "#3867c9"}},
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
                          "scale": {"zero": True}, "axis": {"titleColor": NPS_COLOUR}},
                    "tooltip": tooltip,
                },
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
        "usermeta": {"embedOptions": {"formatLocale": d3_number_locale(language)}},
    }
