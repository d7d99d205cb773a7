"""The strategy map's arrows tested on the data, and the strong links the map lacks.

An arrow joins two objectives; objectives hold measures bound to catalogue metrics. Each
pair of bound measures (one on the cause, one on the effect) whose metrics Kano can
observe together at some grain becomes a link spec, tested at the arrow's lag; the arrow
takes the verdict of its best-evidenced pair (the smallest p-value), so one testable pair
is enough and an arrow is "untested" only when none exists. The proposals are the same
scan over pairs of objectives that the map does not join.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from kano.analytics.linkage.assemble import assemble
from kano.analytics.linkage.estimate import SUPPORTED, LinkResult, fit
from kano.analytics.linkage.frames import WarehouseReader
from kano.analytics.linkage.specs import (
    BEHAVIOURS,
    MONEY,
    PROCESS_MEASURES,
    PULSE_ITEMS,
    SCORES,
    WHERE_KEYS,
    LinkSpec,
    link_spec,
)
from kano.domain.shared.errors import InvalidInput

UNTESTED = "untested"
# Catalogue metric → the observable behind it, at the grain where links are tested.
LINKABLE_METRICS: dict[str, str] = {
    "nps": "nps", "csat": "csat", "ces": "ces", "rating_mean": "rating",
    "repurchase_rate": "repurchase_rate", "churn_m1": "churn_rate", "churn_m3": "churn_rate",
    "churn_m12": "churn_rate", "orders": "orders", "revenue": "revenue",
    "delivery_delay_mean": "delivery_delay_days", "delivery_delay_p50": "delivery_delay_days",
    "delivery_delay_p90": "delivery_delay_days", "first_response_mean": "first_response_minutes",
    "first_response_p50": "first_response_minutes",
    "first_response_p90": "first_response_minutes", "call_wait_p90": "call_wait_seconds",
    "fcr_rate": "first_contact_resolution", "defect_rate": "defects",
    "onboarding_days_mean": "onboarding_days", "engagement": "engagement", "enps": "enps",
    "competency_coverage": "competency", "training_hours": "training_hours",
}  # fmt: skip
MIN_PROPOSAL_STRENGTH = 0.1  # |standardised effect| worth a strategist's attention


@dataclass(frozen=True)
class BoundMeasure:
    objective: str  # objective key
    measure: str  # measure key
    metric_id: str
    metric_slice: Mapping[str, Any]


@dataclass(frozen=True)
class MapArrow:
    cause: str  # objective keys
    effect: str
    lag_months: int = 0


@dataclass(frozen=True)
class ArrowTest:
    cause: str
    effect: str
    verdict: str  # supported / not supported / wrong sign / untested
    cause_measure: str | None
    effect_measure: str | None
    result: LinkResult | None
    pairs_tested: int
    proposed: bool = False  # a link the map lacks, found by the scan

    @property
    def strength(self) -> float | None:
        return None if self.result is None else self.result.standardized


def _lag(cause: str, effect: str, months: int) -> tuple[str, str]:
    """The grain and lag at which ``cause`` → ``effect`` is observed for an arrow's lag."""
    if cause in PULSE_ITEMS or (cause in PROCESS_MEASURES and effect in PROCESS_MEASURES):
        return "team-month", f"{max(months, 1)}M"
    if cause in MONEY:
        return "customer-quarter", "0"
    if cause in PROCESS_MEASURES:
        return "response", f"{30 * months}D" if months else "0"
    return "response", f"{max(30 * months, 90)}D"


def _where(*slices: Mapping[str, Any]) -> dict[str, list[str]] | None:
    """The measures' slices as one ``where``; None when they contradict each other."""
    where: dict[str, set[str]] = {}
    for metric_slice in slices:
        for key, value in (metric_slice or {}).items():
            if key not in WHERE_KEYS:
                continue
            values = {str(v) for v in (value if isinstance(value, list | tuple) else [value])}
            where[key] = where[key] & values if key in where else values
            if not where[key]:
                return None
    return {key: sorted(values) for key, values in where.items()}


def pair_spec(cause: BoundMeasure, effect: BoundMeasure, lag_months: int) -> LinkSpec | None:
    """The link spec testing one measure pair, or None when no grain observes both."""
    cause_id = LINKABLE_METRICS.get(cause.metric_id)
    effect_id = LINKABLE_METRICS.get(effect.metric_id)
    if cause_id is None or effect_id is None or cause_id == effect_id:
        return None
    if not _observable(cause_id, effect_id):
        return None
    where = _where(cause.metric_slice, effect.metric_slice)
    if where is None:
        return None
    grain, lag = _lag(cause_id, effect_id, lag_months)
    try:
        return link_spec({"cause": cause_id, "effect": effect_id, "grain": grain, "lag": lag,
                          "where": where or None})  # fmt: skip
    except InvalidInput:
        return None


def _observable(cause: str, effect: str) -> bool:
    if cause in (*PULSE_ITEMS, *PROCESS_MEASURES) and effect in PROCESS_MEASURES:
        return True
    if cause in PROCESS_MEASURES and effect in SCORES:
        return True
    if cause in SCORES and effect in BEHAVIOURS:
        return True
    return cause in MONEY and effect in MONEY


class _Cache:
    """Each distinct spec is fitted once, however many arrows share it."""

    def __init__(self, reader: WarehouseReader) -> None:
        self.reader = reader
        self.results: dict[str, LinkResult] = {}

    def result(self, spec: LinkSpec) -> LinkResult:
        key = spec.describe()
        if key not in self.results:
            self.results[key] = fit(spec, assemble(self.reader, spec), logistic=False)
        return self.results[key]


def _best(
    cache: _Cache, causes: Sequence[BoundMeasure], effects: Sequence[BoundMeasure], lag: int
) -> tuple[BoundMeasure, BoundMeasure, LinkResult, int] | None:
    tested: list[tuple[BoundMeasure, BoundMeasure, LinkResult]] = []
    for cause in causes:
        for effect in effects:
            spec = pair_spec(cause, effect, lag)
            if spec is not None:
                tested.append((cause, effect, cache.result(spec)))
    fitted = [t for t in tested if t[2].p_value is not None]
    if not fitted:
        return None
    cause, effect, result = min(fitted, key=lambda t: t[2].p_value or 1.0)
    return cause, effect, result, len(tested)


def test_strategy_map(
    backend: Any,
    workspace_id: int,
    arrows: Iterable[MapArrow],
    measures: Iterable[BoundMeasure],
    propose: bool = True,
) -> list[ArrowTest]:
    """Every arrow's test, then (with ``propose``) supported links the map does not have."""
    by_objective: dict[str, list[BoundMeasure]] = {}
    for measure in measures:
        by_objective.setdefault(measure.objective, []).append(measure)
    cache = _Cache(WarehouseReader(backend, workspace_id))
    tests, drawn = [], set()
    for arrow in arrows:
        drawn.add((arrow.cause, arrow.effect))
        best = _best(cache, by_objective.get(arrow.cause, []),
                     by_objective.get(arrow.effect, []), arrow.lag_months)  # fmt: skip
        if best is None:
            tests.append(ArrowTest(arrow.cause, arrow.effect, UNTESTED, None, None, None, 0))
            continue
        cause, effect, result, pairs = best
        tests.append(ArrowTest(arrow.cause, arrow.effect, result.verdict, cause.measure,
                               effect.measure, result, pairs))  # fmt: skip
    if propose:
        tests.extend(_proposals(cache, by_objective, drawn))
    return tests


test_strategy_map.__test__ = False  # type: ignore[attr-defined]  # not a pytest test


def _proposals(
    cache: _Cache, by_objective: Mapping[str, list[BoundMeasure]], drawn: set[tuple[str, str]]
) -> list[ArrowTest]:
    found = []
    for cause_key, causes in by_objective.items():
        for effect_key, effects in by_objective.items():
            if cause_key == effect_key or (cause_key, effect_key) in drawn:
                continue
            best = _best(cache, causes, effects, 0)
            if best is None:
                continue
            cause, effect, result, pairs = best
            strong = abs(result.standardized or 0.0) >= MIN_PROPOSAL_STRENGTH
            if result.verdict == SUPPORTED and strong:
                found.append(ArrowTest(cause_key, effect_key, result.verdict, cause.measure,
                                       effect.measure, result, pairs, proposed=True))  # fmt: skip
    return sorted(found, key=lambda t: -abs(t.strength or 0.0))
