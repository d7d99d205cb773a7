"""Scores 0–10 and traffic-light status, shared by scorecards, OKRs and MBO."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

SCORE_MAX = 10.0
# The 0–10 scale is cut in thirds: red below 3.33, amber below 6.67, green above — the
# convention of Spider Impact and ClearPoint that our users already read.
RED_BELOW = SCORE_MAX / 3
GREEN_FROM = 2 * SCORE_MAX / 3


class Status(StrEnum):
    RED = "red"
    AMBER = "amber"
    GREEN = "green"
    NO_DATA = "no_data"


def status_of_score(score: float | None) -> Status:
    if score is None:
        return Status.NO_DATA
    if score < RED_BELOW:
        return Status.RED
    if score < GREEN_FROM:
        return Status.AMBER
    return Status.GREEN


def weighted_mean(pairs: Iterable[tuple[float | None, float]]) -> float | None:
    """Mean of values weighted by weights, skipping missing values (None when none remain).

    A child without data does not count as zero: it is left out and the other weights are
    renormalised, so one late measure does not turn its whole objective red.
    """
    total_weight = 0.0
    total = 0.0
    for value, weight in pairs:
        if value is None or weight <= 0:
            continue
        total += value * weight
        total_weight += weight
    return total / total_weight if total_weight > 0 else None
