"""Every target of the demo strategy asks for an improvement: a key result's target lies on
the better side of its start, a scorecard measure's on the better side of its baseline, for
the direction the metric catalogue gives the metric it follows.

The demo's "85 % of deliveries on the promised day" started at 85.94 % (the quarter before
the cycle) with a target of 85 % on a higher-is-better metric: the demo showed a goal to
get worse. The starts and baselines come from the generated company (``fill.py``), so the
check runs on the filled document of the demo company (size S, seed 1).
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from kano.demo.strategy import filled_document
from kano.domain.strategy.scoring import Direction
from kano.metrics.catalogue import Catalogue, built_in_catalogue


def _measures(document: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    for card in document["scorecards"]:
        for perspective in card["perspectives"]:
            for objective in perspective.get("objectives") or []:
                yield from objective.get("measures") or []


def _key_results(document: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    for cycle in document.get("okr_cycles") or []:
        for objective in cycle["objectives"]:
            yield from objective.get("key_results") or []


def _better(direction: str, target: float, reference: float) -> bool:
    if direction == Direction.HIGHER_IS_BETTER:
        return target > reference
    return target < reference


def targets_on_the_wrong_side(document: Mapping[str, Any], catalogue: Catalogue) -> list[str]:
    """Every measure and key result whose target is no improvement on its baseline or start
    (for a metric-bound one, in the catalogue's direction of its metric), as a sentence."""
    wrong = []
    for measure in _measures(document):
        metric = (measure.get("metric") or {}).get("id")
        direction = str(measure["direction"])
        if direction == Direction.WITHIN_BAND:
            continue
        if metric is not None and catalogue.get(metric).direction != direction:
            wrong.append(f"measure {measure['key']}: {direction} is better, but {metric} is "
                         f"{catalogue.get(metric).direction.value} is better")
        baseline, target = measure.get("baseline"), measure.get("target")
        if baseline is not None and target is not None \
                and not _better(direction, target, baseline):
            wrong.append(f"measure {measure['key']}: target {target}, baseline {baseline}, "
                         f"{direction} is better")
    for key_result in _key_results(document):
        start, target = key_result.get("start"), key_result.get("target")
        if key_result["kind"] != "metric" or start is None or target is None:
            continue
        metric = (key_result.get("metric") or {}).get("id")
        if metric is None:  # a count of the owner's own (ride-alongs, reviews): from 0 up
            direction = Direction.HIGHER_IS_BETTER.value
        else:
            direction = catalogue.get(metric).direction.value
        if not _better(direction, target, start):
            wrong.append(f"key result {key_result['key']}: target {target}, start {start}, "
                         f"{direction} is better")
    return wrong


@pytest.fixture(scope="module")
def demo_document(demo_data: Path) -> dict[str, Any]:
    return filled_document(demo_data)


def test_every_demo_target_asks_for_an_improvement(demo_document: dict[str, Any]) -> None:
    catalogue = built_in_catalogue()
    starts = [kr for kr in _key_results(demo_document) if kr.get("start") is not None]
    baselines = [m for m in _measures(demo_document) if m.get("baseline") is not None]
    assert len(starts) >= 10 and len(baselines) >= 20  # the check sees the filled numbers

    assert targets_on_the_wrong_side(demo_document, catalogue) == []


def test_the_on_time_key_result_aims_above_its_start(demo_document: dict[str, Any]) -> None:
    on_time = next(kr for kr in _key_results(demo_document) if kr["key"] == "q4-on-time-delivery")
    assert on_time["title"] == "90 % of deliveries on the promised day"
    assert on_time["start"] < on_time["target"] == 90

    # The target it had: below its start on a higher-is-better metric, which the check finds.
    before = copy.deepcopy(demo_document)
    next(kr for kr in _key_results(before) if kr["key"] == "q4-on-time-delivery")["target"] = 85
    assert targets_on_the_wrong_side(before, built_in_catalogue()) == [
        f"key result q4-on-time-delivery: target 85, start {on_time['start']}, higher is better"]


def test_a_measure_against_its_metrics_direction_is_found() -> None:
    document = {"scorecards": [{"perspectives": [{"objectives": [{"measures": [
        {"key": "delay", "direction": "higher", "baseline": 0.8, "target": 1.0,
         "metric": {"id": "delivery_delay_mean"}},
        {"key": "churn", "direction": "lower", "baseline": 60, "target": 65,
         "metric": {"id": "churn_m3"}},
        {"key": "margin", "direction": "band", "baseline": 24, "metric": {"id": "margin_pct"}},
    ]}]}]}]}  # fmt: skip

    assert targets_on_the_wrong_side(document, built_in_catalogue()) == [
        "measure delay: higher is better, but delivery_delay_mean is lower is better",
        "measure churn: target 65, baseline 60, lower is better",
    ]
