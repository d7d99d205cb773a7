"""How well each key driver performs, on the driver's own scale (the x of importance ×
performance).

A driver's raw mean says nothing next to another's: a 4.2 on a 1–5 CSAT, 0.8 days of
delivery delay and 115 minutes to a first answer share no scale, and scaling the means
min–max across the drivers put one driver at 0 and another at 1 whatever they were. Each
driver is placed on a 0–1 scale of its own instead, on the first basis that applies:

``scale``
    A survey score (``nps``, ``csat``, ``ces``, ``rating``, or a journey stage's, such as
    ``delivery csat``): the mean's position on the question's scale (the scales every
    channel checks answers against, :data:`kano.domain.feedback.answers.SCALES`). CSAT
    1–5 with mean 4.2 is (4.2 − 1) / (5 − 1) = 80 %; NPS 0–10 is mean / 10.
``target``
    A process measure (OX) that the workspace's scorecard measures against a target:
    the scorecard's own score of the mean on that measure's thresholds, out of 10
    (:func:`kano.domain.strategy.scoring.score_measure`): 100 % at or beyond the target,
    67 % at the green threshold, 33 % at the amber one. The measure must be bound, with
    no slice, to a metric that is the plain mean of the same process measure (as
    ``delivery_delay_mean`` is of ``delivery_delay_days``), so that its target speaks of
    the same quantity as the driver.
``range``
    Any other process measure: the mean's position between the worst and the best
    respondent's value, with the measure's direction (lower is better for delays, waits
    and defects), so 100 % is the best respondent's experience. It says how the average
    compares with what the respondents lived through, not with a goal.

:data:`PERFORMANCE_MARK` is where the chart splits good from poor performance.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from kano.analytics.linkage.drivers import DriverWeights
from kano.analytics.linkage.specs import LOWER_IS_BETTER, PROCESS_MEASURES
from kano.domain.feedback.answers import SCALES
from kano.domain.shared.scores import GREEN_FROM, SCORE_MAX
from kano.domain.strategy.scoring import Direction, Thresholds, score_measure

BASES = ("scale", "target", "range")

PERFORMANCE_MARK = GREEN_FROM / SCORE_MAX
"""Two thirds: right of it a driver performs well. It is where a scorecard measure turns
green, and about a 3.7 on a 1–5 scale, a 5 on a 1–7 one."""

_MEASURE_FILTER = re.compile(r"\s*measure\s*=\s*'([^']+)'\s*")


@dataclass(frozen=True)
class ScorecardTarget:
    """A scorecard measure that sets a target for a process measure's mean."""

    measure: str  # the scorecard measure's key
    name: str
    thresholds: Thresholds
    metric: str = ""  # the metric it is bound to
    unit: str | None = None


@dataclass(frozen=True)
class DriverPerformance:
    """One driver's performance: ``share`` (0–1) of the way from its worst to its best."""

    driver: str
    mean: float
    share: float
    basis: str  # one of BASES
    direction: str  # "higher", "lower" or (a scorecard band) "band"
    low: float | None = None  # the value at 0 % (scale and range; none for a target)
    high: float | None = None  # the value at 100 %
    target: ScorecardTarget | None = None
    direction_known: bool = True  # False: a measure Kano has no direction for (higher taken)

    def fields(self) -> dict[str, Any]:
        """The performance columns of a driver's row (the API's ``performance_*``)."""
        target = self.target
        return {
            "performance_share": self.share,
            "performance_basis": self.basis,
            "performance_direction": self.direction,
            "performance_low": self.low,
            "performance_high": self.high,
            "performance_target": target.thresholds.target if target else None,
            "performance_measure": target.measure if target else None,
            "performance_measure_name": target.name if target else None,
            "performance_unit": target.unit if target else None,
            "performance_direction_known": self.direction_known,
        }


def score_scale(driver: str) -> tuple[int, int] | None:
    """The answer scale of a survey-score driver (``csat``, ``delivery csat``), else None."""
    score = driver.rpartition(" ")[2]
    return SCALES.get(score)


def process_mean_metrics(metrics: Iterable[Any]) -> dict[str, str]:
    """Process measure → the first metric that is the plain mean of its values.

    ``metrics`` are :class:`kano.metrics.Metric` (a catalogue): a metric on
    ``process_events`` filtered to one ``measure`` whose aggregation is ``Mean("value")``
    speaks of the same quantity as the driver, so a scorecard target on it applies."""
    found: dict[str, str] = {}
    for metric in metrics:
        aggregation = metric.aggregation
        if metric.source != "process_events" or getattr(aggregation, "kind", None) != "mean":
            continue
        if getattr(aggregation, "value", None) != "value":
            continue
        matched = _MEASURE_FILTER.fullmatch(metric.filter or "")
        if matched:
            found.setdefault(matched.group(1), metric.id)
    return found


def driver_performance(
    weights: DriverWeights, targets: Mapping[str, ScorecardTarget] | None = None
) -> dict[str, DriverPerformance]:
    """Each driver of ``weights`` placed on its own scale; ``targets`` are the scorecard's
    targets by process measure (see :func:`process_mean_metrics`)."""
    targets = targets or {}
    lows = weights.observed_min or weights.performance
    highs = weights.observed_max or weights.performance
    return {
        driver: _performance(driver, mean, low, high, targets.get(driver))
        for driver, mean, low, high in zip(weights.drivers, weights.performance, lows, highs,
                                           strict=True)
    }  # fmt: skip


def _performance(
    driver: str, mean: float, observed_min: float, observed_max: float,
    target: ScorecardTarget | None,
) -> DriverPerformance:  # fmt: skip
    scale = score_scale(driver)
    if scale is not None:
        low, high = scale
        return DriverPerformance(driver, mean, _clamped((mean - low) / (high - low)), "scale",
                                 "higher", float(low), float(high))  # fmt: skip
    if target is not None:
        scored = score_measure(mean, target.thresholds)
        if scored.score is not None:
            return DriverPerformance(driver, mean, scored.score / SCORE_MAX, "target",
                                     target.thresholds.direction.value, target=target)  # fmt: skip
    known = driver in PROCESS_MEASURES
    lower = driver in LOWER_IS_BETTER
    worst, best = (observed_max, observed_min) if lower else (observed_min, observed_max)
    share = 0.5 if best == worst else _clamped((mean - worst) / (best - worst))
    direction = Direction.LOWER_IS_BETTER if lower else Direction.HIGHER_IS_BETTER
    return DriverPerformance(driver, mean, share, "range", direction.value, worst, best,
                             direction_known=known)  # fmt: skip


def _clamped(share: float) -> float:
    return min(1.0, max(0.0, share))
