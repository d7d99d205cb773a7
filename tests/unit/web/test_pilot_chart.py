"""The pilot page's chart runs in time order, whatever order the means come in."""

from __future__ import annotations

from datetime import date

from kano.adapters.web.pilot_charts import group_means_chart


def test_months_run_in_time_order_with_the_test_months_last() -> None:
    periods = ["2026-03", "2026-04", "2025-09", "2025-12", "2026-01", "2025-10"]
    means = [
        {"period": period, "group": group, "mean": 80.0, "n": 10}
        for group in ("pilot", "control") for period in periods
    ]  # fmt: skip
    spec = group_means_chart(means, date(2026, 3, 1), "en", lambda text: text)

    shading, lines = spec["layer"]
    order = lines["encoding"]["x"]["sort"]
    assert order == ["Sep 2025", "Oct 2025", "Dec 2025", "Jan 2026", "Mar 2026", "Apr 2026"]
    assert shading["encoding"]["x"]["sort"] == order
    tested = {v["month"] for v in spec["data"]["values"] if v["test"]}
    assert tested == {"Mar 2026", "Apr 2026"}


def test_the_value_axis_names_the_kpi_and_its_unit() -> None:
    means = [{"period": "2026-03", "group": group, "mean": 80.0, "n": 10}
             for group in ("pilot", "control")]  # fmt: skip
    spec = group_means_chart(means, date(2026, 3, 1), "en", lambda text: text,
                             "On-time delivery (%)")  # fmt: skip
    y = spec["layer"][1]["encoding"]["y"]
    assert y["title"] == "On-time delivery (%)"
    assert {"field": "mean_text", "title": "On-time delivery (%)"} in (
        spec["layer"][1]["encoding"]["tooltip"])
    untitled = group_means_chart(means, date(2026, 3, 1), "en", lambda text: text)
    assert untitled["layer"][1]["encoding"]["y"]["title"] == "Mean"
