"""The pilot page's chart: each group's mean KPI per month, the test months shaded."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from kano.adapters.web.charts import VEGA_LITE_SCHEMA, d3_number_locale
from kano.adapters.web.formatting import NumberFormats

SCHEMA = VEGA_LITE_SCHEMA  # the vendored library's version: v5 made it warn in the console
PILOT_COLOUR = "#d9480f"
CONTROL_COLOUR = "#5c7cfa"


def group_means_chart(
    means: Sequence[dict[str, Any]],
    test_start: date,
    language: str,
    gettext: Callable[[str], str],
    value_title: str | None = None,
) -> dict[str, Any]:
    """Lines of the pilot and the control group's monthly means; test months shaded. The
    value axis says ``value_title`` (the KPI and its unit), else just "Mean"."""
    formats = NumberFormats(language)
    pilot, control = gettext("Pilot group"), gettext("Control group")
    first_test = f"{test_start.year}-{test_start.month:02d}"
    values = []
    for row in sorted(means, key=lambda row: str(row["period"])):
        year, month = (int(part) for part in str(row["period"]).split("-")[:2])
        values.append({
            "month": formats.month(date(year, month, 1)),
            "group": pilot if row["group"] == "pilot" else control,
            "pilot": row["group"] == "pilot",
            "mean": row["mean"],
            "mean_text": formats.decimal(row["mean"], 2),
            "n": row["n"],
            "test": str(row["period"]) >= first_test,
        })  # fmt: skip
    # The months in time order, given outright: with "sort": None the shading layer,
    # drawn first, put the test months before the baseline's.
    months = list(dict.fromkeys(value["month"] for value in values))
    x = {"field": "month", "type": "ordinal", "sort": months, "title": None,
         "axis": {"labelAngle": -40, "labelOverlap": True}}  # fmt: skip
    month_title, mean_title = gettext("Month"), value_title or gettext("Mean")
    return {
        "$schema": SCHEMA,
        "description": gettext("Mean per month of the pilot and the control group"),
        "width": "container",
        "height": 260,
        "autosize": {"type": "fit-x", "contains": "padding"},
        "data": {"values": values},
        "layer": [
            {
                "transform": [{"filter": "datum.test && datum.pilot"}],
                "mark": {"type": "bar", "color": "#adb5bd", "opacity": 0.18},
                "encoding": {"x": x},
            },
            {
                "mark": {"type": "line", "strokeWidth": 2.5, "point": {"filled": True},
                         "tooltip": True},
                "encoding": {
                    "x": x,
                    "y": {"field": "mean", "type": "quantitative", "title": mean_title,
                          "scale": {"zero": False}},
                    "color": {"field": "group", "type": "nominal", "title": None,
                              "scale": {"domain": [pilot, control],
                                        "range": [PILOT_COLOUR, CONTROL_COLOUR]},
                              "legend": {"orient": "top"}},
                    "tooltip": [
                        {"field": "month", "title": month_title},
                        {"field": "group", "title": gettext("Group")},
                        {"field": "mean_text", "title": mean_title},
                        {"field": "n", "title": gettext("Customers"), "format": ","},
                    ],
                },
            },
        ],
        "config": {"view": {"stroke": None}},
        "usermeta": {"embedOptions": {"formatLocale": d3_number_locale(language)}},
    }  # fmt: skip
