"""Measure scores from thresholds, and the roll-up measure → objective → perspective.

Higher- or lower-is-better measures score on a piecewise-linear scale through three
anchors: the amber threshold scores 3.33, the green threshold 6.67 and the target 10;
below the amber threshold the amber band's slope continues down to 0. Band measures are
on target (10) inside the band and lose score with the distance outside it, amber within
the tolerance and red beyond.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from kano.domain.shared.errors import InvalidInput
from kano.domain.shared.scores import GREEN_FROM, RED_BELOW, SCORE_MAX, Status, weighted_mean


class Direction(StrEnum):
    HIGHER_IS_BETTER = "higher"
    LOWER_IS_BETTER = "lower"
    WITHIN_BAND = "band"


@dataclass(frozen=True)
class Thresholds:
    """Where a measure turns amber and green, and its target.

    For ``higher``: ``amber_from < green_from <= target``. For ``lower`` the same numbers
    descend: ``amber_from > green_from >= target``. For ``band``: ``band_low <= band_high``
    and an amber ``tolerance`` > 0 on either side.
    """

    direction: Direction
    amber_from: float | None = None
    green_from: float | None = None
    target: float | None = None
    band_low: float | None = None
    band_high: float | None = None
    tolerance: float | None = None

    def __post_init__(self) -> None:
        if self.direction is Direction.WITHIN_BAND:
            if self.band_low is None or self.band_high is None or self.tolerance is None:
                raise InvalidInput("thresholds", "a band needs band_low, band_high and tolerance")
            if self.band_low > self.band_high:
                raise InvalidInput("band_low", "must not exceed band_high")
            if self.tolerance <= 0:
                raise InvalidInput("tolerance", "must be positive")
            return
        if self.amber_from is None or self.green_from is None or self.target is None:
            raise InvalidInput("thresholds", "needs amber_from, green_from and target")
        sign = 1 if self.direction is Direction.HIGHER_IS_BETTER else -1
        if not sign * self.amber_from < sign * self.green_from <= sign * self.target:
            order = "<" if sign == 1 else ">"
            raise InvalidInput(
                "thresholds",
                f"for '{self.direction.value}' is better, need amber_from {order} green_from "
                f"{order}= target (got {self.amber_from}, {self.green_from}, {self.target})",
            )


@dataclass(frozen=True)
class MeasureScore:
    score: float | None
    status: Status


def score_measure(value: float | None, thresholds: Thresholds) -> MeasureScore:
    if value is None:
        return MeasureScore(None, Status.NO_DATA)
    if thresholds.direction is Direction.WITHIN_BAND:
        return _score_band(value, thresholds)
    sign = 1.0 if thresholds.direction is Direction.HIGHER_IS_BETTER else -1.0
    x = sign * value
    amber, green = sign * thresholds.amber_from, sign * thresholds.green_from  # type: ignore[operator]
    target = sign * thresholds.target  # type: ignore[operator]
    if x < amber:
        score = RED_BELOW - (amber - x) * (GREEN_FROM - RED_BELOW) / (green - amber)
        status = Status.RED
    elif x < green:
        score = RED_BELOW + (x - amber) * (GREEN_FROM - RED_BELOW) / (green - amber)
        status = Status.AMBER
    elif x < target:
        score = GREEN_FROM + (x - green) * (SCORE_MAX - GREEN_FROM) / (target - green)
        status = Status.GREEN
    else:
        score, status = SCORE_MAX, Status.GREEN
    return MeasureScore(min(SCORE_MAX, max(0.0, score)), status)


def _score_band(value: float, thresholds: Thresholds) -> MeasureScore:
    low, high, tolerance = thresholds.band_low, thresholds.band_high, thresholds.tolerance
    assert low is not None and high is not None and tolerance is not None
    distance = max(low - value, value - high, 0.0)
    if distance == 0:
        return MeasureScore(SCORE_MAX, Status.GREEN)
    if distance <= tolerance:
        return MeasureScore(
            GREEN_FROM - distance / tolerance * (GREEN_FROM - RED_BELOW), Status.AMBER
        )
    beyond = (distance - tolerance) / tolerance
    return MeasureScore(max(0.0, RED_BELOW * (1 - beyond)), Status.RED)


def roll_up(children: list[tuple[float | None, float]]) -> float | None:
    """Weighted score of (score, weight) children: measure → objective → perspective → card."""
    return weighted_mean(children)
