"""The key-driver chart: points on each driver's own 0–100 % scale, names kept apart."""

from __future__ import annotations

from typing import Any

import pytest

from kano.adapters.web.driver_chart import quadrant_chart


def _row(driver: str, share: float, performance: float) -> dict[str, Any]:
    return {"driver": driver, "share": share, "performance": performance * 4 + 1,
            "performance_share": performance, "basis_text": "the 1–5 scale"}


def test_names_of_drivers_close_together_take_turns_on_two_lines() -> None:
    rows = [_row("a csat", 0.80, 0.50), _row("b csat", 0.10, 0.70), _row("c csat", 0.09, 0.72),
            _row("d csat", 0.01, 0.74)]

    spec = quadrant_chart(rows, str, {}, "en")

    lines = {p["driver"]: p["label_row"] for p in spec["data"]["values"]}
    assert lines == {"a: CSAT": 0, "b: CSAT": 0, "c: CSAT": 1, "d: CSAT": 0}
    texts = [layer for layer in spec["layer"] if layer["mark"]["type"] == "text"
             and layer.get("transform")]  # fmt: skip
    assert [layer["mark"]["dy"] for layer in texts] == [-12, -26]


def test_two_drivers_keep_their_own_performance_and_the_lines_sit_at_the_stated_marks() -> None:
    spec = quadrant_chart([_row("a csat", 0.7, 0.8), _row("b csat", 0.3, 0.55)], str, {}, "en")

    assert [p["performance"] for p in spec["data"]["values"]] == [0.8, 0.55]
    rules = [v for layer in spec["layer"] if layer["mark"]["type"] == "rule"
             for v in layer["data"]["values"]]  # fmt: skip
    assert rules == [{"performance": pytest.approx(2 / 3)}, {"importance": 0.5}]
