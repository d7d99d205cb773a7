"""Fill the demo strategy's numbers from the demo data (see ``demo_strategy.yaml``'s header).

The template names what each number means — a measure or key result bound to a metric —
and this module computes it with ``DemoHistory``, so the strategy always agrees with the
generated company. Numbers are rounded to two decimals: the exported YAML stays readable
and a re-import compares equal.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date, datetime, timedelta
from statistics import fmean
from typing import Any

from kano.demo.strategy.history import DemoHistory, add_months, history_months
from kano.domain.okr.live_window import live_window
from kano.metrics.binding import PeriodValue

BASELINE_MONTHS = 12
"""A measure's baseline is the mean of the first year of the history."""
CHECK_IN_WINDOW = timedelta(days=30)
"""A check-in reports the metric over the 30 days before it."""
DECIMALS = 2


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, DECIMALS)


def _binding(entry: Mapping[str, Any]) -> tuple[str, dict[str, Any] | None] | None:
    metric = entry.get("metric")
    if not metric:
        return None
    return str(metric["id"]), metric.get("slice")


def _measures(document: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    for card in document.get("scorecards") or []:
        for perspective in card.get("perspectives") or []:
            for objective in perspective.get("objectives") or []:
                yield from objective.get("measures") or []


def _key_results(document: Mapping[str, Any]) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    for cycle in document.get("okr_cycles") or []:
        for objective in cycle.get("objectives") or []:
            for key_result in objective.get("key_results") or []:
                yield cycle, key_result


def fill_measures(document: dict[str, Any], history: DemoHistory) -> None:
    """Give every metric-bound measure its monthly ``values`` and its ``baseline``."""
    first_year = set(history_months()[:BASELINE_MONTHS])
    for measure in _measures(document):
        binding = _binding(measure)
        if binding is None:
            continue
        monthly = history.monthly(*binding)
        measure["values"] = [
            _measure_value(month, found) for month, found in sorted(monthly.items())
        ]
        baseline = [
            found.value
            for month, found in monthly.items()
            if month in first_year and found.value is not None
        ]
        measure["baseline"] = _rounded(fmean(baseline)) if baseline else None


def _measure_value(month: date, found: PeriodValue) -> dict[str, Any]:
    value: dict[str, Any] = {"period": month, "actual": _rounded(found.value), "source": "metric"}
    value["n"] = found.n
    if found.ci_low is not None and found.ci_high is not None:
        value.update(ci_low=_rounded(found.ci_low), ci_high=_rounded(found.ci_high))
    return value


def fill_key_results(document: dict[str, Any], history: DemoHistory) -> None:
    """Give every metric-bound key result its ``start`` (the quarter before the cycle),
    ``current`` (over its window up to the end of the data) and its check-ins' values."""
    data_end = add_months(history_months()[-1], 1)
    for cycle, key_result in _key_results(document):
        binding = _binding(key_result)
        if binding is None:
            continue
        starts_on: date = cycle["starts_on"]
        if key_result["kind"] == "metric":
            before = history.monthly(*binding)
            quarter = [add_months(starts_on, offset) for offset in (-3, -2, -1)]
            values = [
                value for month in quarter if (value := _value_of(before.get(month))) is not None
            ]
            key_result["start"] = _rounded(fmean(values)) if values else None
        last_day = data_end - timedelta(days=1)
        window = live_window(key_result.get("per", "cycle"), starts_on, cycle["ends_on"], last_day)
        # The window ``kano compute`` uses (``live_window``), so the demo opens as it refreshes.
        current = None if window is None else history.over(
            *binding, window.start, window.end + timedelta(days=1)
        )
        key_result["current"] = None if current is None else _rounded(current.value)
        for check_in in key_result.get("check_ins") or []:
            at: datetime = check_in["at"]
            found = history.over(*binding, at - CHECK_IN_WINDOW, at)
            check_in["value"] = None if found is None else _rounded(found.value)


def _value_of(found: PeriodValue | None) -> float | None:
    return None if found is None else found.value


def fill_from_data(document: dict[str, Any], history: DemoHistory) -> dict[str, Any]:
    """The template ``document`` (as loaded from YAML) with every data-bound number set."""
    fill_measures(document, history)
    fill_key_results(document, history)
    return document
