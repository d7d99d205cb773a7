"""Every chart the pages draw declares the major version of the Vega-Lite Kano serves: a v5
spec under the vendored v6 made the browser console warn on the value, pilot, linkage and
driver pages (found by the QA pass)."""

from __future__ import annotations

from kano.adapters.web import pilot_charts, value_charts
from kano.adapters.web.driver_chart import quadrant_chart
from kano.adapters.web.vendoring import PACKAGES


def _served_major() -> str:
    (vega_lite,) = [package for package in PACKAGES if package.name == "vega-lite"]
    return vega_lite.version.split(".")[0]


def _same(text: str) -> str:
    return text


def test_the_value_pilot_and_driver_charts_declare_the_served_vega_lite() -> None:
    wanted = f"https://vega.github.io/schema/vega-lite/v{_served_major()}.json"
    quadrant = quadrant_chart([{"driver": "delivery_delay_days", "share": 0.6,
                                 "performance": 1.2, "performance_share": 0.7},
                                {"driver": "first_response_minutes", "share": 0.4,
                                 "performance": 3.4, "performance_share": 0.4}],
                               _same, {}, "en")
    churn = value_charts.churn_reliability([{"predicted": 0.1, "observed": 0.12}], _same,
                                            "en")

    assert quadrant["$schema"] == wanted
    assert churn["$schema"] == wanted
    assert value_charts.SCHEMA == pilot_charts.SCHEMA == wanted
