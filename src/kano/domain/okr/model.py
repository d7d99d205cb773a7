"""Key-result progress and objective grading (SPEC §2.8).

Progress of a metric KR is (current − start) / (target − start), clamped to [0, 1]; the
same formula handles targets below the start (reduce churn from 8 % to 5 %) because the
denominator is then negative. When the KR follows a metric whose direction is known and
its start already meets the target (on-time delivery 85.9 % at the start, target 85 %),
the formula would read a fall as progress; such a KR asks to hold the target, so it is
done (1.0) while the current value meets the target and not (0.0) while it does not.
Grading follows Google's 0.0–1.0 convention: 0.7 counts as success for aspirational
objectives, only 1.0 for committed ones.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from kano.domain.shared.errors import InvalidInput
from kano.domain.shared.scores import weighted_mean

ASPIRATIONAL_SUCCESS = 0.7
COMMITTED_SUCCESS = 1.0


class KeyResultKind(StrEnum):
    METRIC = "metric"  # from a start value to a target value
    BAND = "band"  # keep a value within [band_low, band_high]
    MILESTONE = "milestone"  # n of m milestones done
    YES_NO = "yes_no"  # done or not


class Commitment(StrEnum):
    COMMITTED = "committed"
    ASPIRATIONAL = "aspirational"


def due_on_or_cycle_end(due_on: date | None, cycle_ends_on: date) -> date:
    """The day a key result is due: the one it names, else the last day of its cycle. One
    rule for every way a key result is written (API, OKR page, strategy as code), so a key
    result never lacks a due date because of how it was created."""
    return cycle_ends_on if due_on is None else due_on


def clamp01(value: float) -> float:
    return min(1.0, max(0.0, value))


@dataclass(frozen=True)
class KeyResult:
    kind: KeyResultKind
    weight: float = 1.0
    start: float | None = None
    target: float | None = None
    current: float | None = None
    band_low: float | None = None
    band_high: float | None = None
    milestones_done: int = 0
    milestones_total: int = 0
    done: bool = False
    higher_is_better: bool | None = None  # the followed metric's direction, if known

    def __post_init__(self) -> None:
        if self.weight < 0:
            raise InvalidInput("weight", "must not be negative")
        if self.kind is KeyResultKind.METRIC and (self.start is None or self.target is None):
            raise InvalidInput("target", "a metric key result needs a start and a target")
        if self.kind is KeyResultKind.BAND and (
            self.band_low is None or self.band_high is None or self.band_low > self.band_high
        ):
            raise InvalidInput("band_low", "a band key result needs band_low <= band_high")
        if self.kind is KeyResultKind.MILESTONE and not 0 <= self.milestones_done <= max(
            self.milestones_total, 0
        ):
            raise InvalidInput("milestones_done", "must be between 0 and milestones_total")

    def progress(self) -> float:
        """Share of the way to the target, 0.0–1.0 (0 before the first check-in)."""
        if self.kind is KeyResultKind.YES_NO:
            return 1.0 if self.done else 0.0
        if self.kind is KeyResultKind.MILESTONE:
            return self.milestones_done / self.milestones_total if self.milestones_total else 0.0
        if self.current is None:
            return 0.0
        if self.kind is KeyResultKind.BAND:
            assert self.band_low is not None and self.band_high is not None
            return 1.0 if self.band_low <= self.current <= self.band_high else 0.0
        assert self.start is not None and self.target is not None
        if self.higher_is_better is not None and self._start_meets_target():
            return 1.0 if self._meets_target(self.current) else 0.0
        if self.target == self.start:
            return 1.0 if self.current == self.target else 0.0
        return clamp01((self.current - self.start) / (self.target - self.start))


    def _meets_target(self, value: float) -> bool:
        assert self.target is not None
        return value >= self.target if self.higher_is_better else value <= self.target

    def _start_meets_target(self) -> bool:
        assert self.start is not None
        return self._meets_target(self.start)


def objective_progress(key_results: Sequence[KeyResult]) -> float:
    """Weighted mean of key-result progress (0.0 for an objective without key results)."""
    value = weighted_mean((kr.progress(), kr.weight) for kr in key_results)
    return 0.0 if value is None else value


@dataclass(frozen=True)
class Grade:
    score: float  # 0.0–1.0, rounded to one decimal as OKR grades are reported
    success: bool


def is_success(score: float, commitment: Commitment) -> bool:
    """Whether a grade counts as success: 1.0 for committed objectives, 0.7 for aspirational."""
    bar = COMMITTED_SUCCESS if commitment is Commitment.COMMITTED else ASPIRATIONAL_SUCCESS
    return score >= bar


def grade_of(progress: float) -> float:
    """Progress as a grade of one decimal, halves rounded up as people grade: 25 % is 0.3
    (``round`` rounds a half to the even digit and read 25 % as 0.2 beside a bar at 25 %).
    The decimal is taken from the shortest text of the float, so 0.35 is 0.4."""
    exact = Decimal(repr(progress)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return float(exact)


def grade_objective(key_results: Sequence[KeyResult], commitment: Commitment) -> Grade:
    score = grade_of(objective_progress(key_results))
    return Grade(score=score, success=is_success(score, commitment))


class Confidence(StrEnum):
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    OFF_TRACK = "off_track"


def confidence_band(confidence: int) -> Confidence:
    """Check-in confidence 0–10: 7+ on track, 4–6 at risk, 0–3 off track."""
    if not 0 <= confidence <= 10:
        raise InvalidInput("confidence", "must be between 0 and 10")
    if confidence >= 7:
        return Confidence.ON_TRACK
    if confidence >= 4:
        return Confidence.AT_RISK
    return Confidence.OFF_TRACK


def net_confidence(latest_confidences: Sequence[int]) -> float | None:
    """% of key results on track minus % off track (−100…100); None without check-ins."""
    if not latest_confidences:
        return None
    bands = [confidence_band(c) for c in latest_confidences]
    on = sum(b is Confidence.ON_TRACK for b in bands)
    off = sum(b is Confidence.OFF_TRACK for b in bands)
    return 100.0 * (on - off) / len(bands)
