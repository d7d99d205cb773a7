"""Plan a pilot: the smallest effect it can detect, and how long or how large it must be.

The estimate is a difference in differences of unit means: for each unit (customer, store)
``d = mean(test period) − mean(baseline period)``, and the effect is the pilot group's mean
``d`` minus the control group's. When a unit's KPI has standard deviation ``σ`` per period
and any two periods of the same unit correlate with ``ρ`` (equicorrelation), then

    Var(d) = σ² (1 − ρ) (1/m_pre + 1/m_post)

for ``m_pre`` baseline and ``m_post`` test periods (McKenzie 2012, "Beyond baseline and
follow-up: the case for more T in experiments", J. Dev. Econ. 99(2), the DiD case). A
correlated baseline therefore *shrinks* the variance: ``ρ = 0`` is the simple two-sample
bound on a single pre and post period. ``ρ`` and ``σ`` can be estimated from the baseline
data (:func:`baseline_parameters`). The power calculation itself is statsmodels' two-sample
t test on ``d`` (``TTestIndPower``), two-sided.

Proportions (conversion, churn) use ``σ = √(p (1 − p))`` with ``p`` the baseline rate
(:func:`proportion_sd`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from statsmodels.stats.power import TTestIndPower

MAX_PERIODS = 10_000


@dataclass(frozen=True)
class Design:
    """What the plan is computed for."""

    pilot_units: int
    control_units: int
    sd: float
    """Standard deviation of the KPI of one unit in one period."""
    rho: float = 0.0
    """Correlation of the same unit's KPI between two periods (0: the simple bound)."""
    baseline_periods: int = 1
    alpha: float = 0.05
    power: float = 0.8

    def __post_init__(self) -> None:
        if self.pilot_units < 2 or self.control_units < 2:
            raise ValueError("pilot_units: each group needs at least 2 units")
        if not self.sd > 0:
            raise ValueError("sd: must be positive")
        if not -1 < self.rho < 1:
            raise ValueError("rho: must be between -1 and 1 (exclusive)")
        if self.baseline_periods < 1:
            raise ValueError("baseline_periods: at least 1")
        if not 0 < self.alpha < 1:
            raise ValueError("alpha: must be between 0 and 1")
        if not 0 < self.power < 1:
            raise ValueError("power: must be between 0 and 1")

    def sd_of_change(self, test_periods: int) -> float:
        """Standard deviation of one unit's change, test mean − baseline mean."""
        return math.sqrt(
            self.sd**2 * (1 - self.rho) * (1 / self.baseline_periods + 1 / test_periods)
        )

    def _standardised_effect(self) -> float:
        """The detectable effect in units of the change's SD (Cohen's d)."""
        return float(
            TTestIndPower().solve_power(
                effect_size=None,
                nobs1=self.pilot_units,
                alpha=self.alpha,
                power=self.power,
                ratio=self.control_units / self.pilot_units,
                alternative="two-sided",
            )
        )


def proportion_sd(rate: float) -> float:
    """σ of a 0/1 KPI with baseline rate ``rate``."""
    if not 0 < rate < 1:
        raise ValueError("baseline_rate: must be between 0 and 1 (exclusive)")
    return math.sqrt(rate * (1 - rate))


def minimum_detectable_effect(design: Design, test_periods: int) -> float:
    """The smallest true effect the pilot finds with ``design.power`` in ``test_periods``."""
    if test_periods < 1:
        raise ValueError("test_periods: at least 1")
    return design._standardised_effect() * design.sd_of_change(test_periods)


def required_test_periods(design: Design, effect: float) -> int | None:
    """How many test periods detect ``effect`` with ``design.power``; None when no duration
    would (the baseline's own noise is already too large for these group sizes)."""
    if not effect > 0:
        raise ValueError("effect: must be positive")
    needed_sd = abs(effect) / design._standardised_effect()
    room = needed_sd**2 / (design.sd**2 * (1 - design.rho)) - 1 / design.baseline_periods
    if room <= 0:
        return None
    periods = math.ceil(1 / room - 1e-9)
    return periods if periods <= MAX_PERIODS else None


def required_units_per_group(design: Design, effect: float, test_periods: int) -> int:
    """Units in the pilot group (the control group in the design's ratio) to detect
    ``effect`` in ``test_periods`` periods."""
    if not effect > 0:
        raise ValueError("effect: must be positive")
    if test_periods < 1:
        raise ValueError("test_periods: at least 1")
    standardised = abs(effect) / design.sd_of_change(test_periods)
    n = TTestIndPower().solve_power(
        effect_size=standardised,
        nobs1=None,
        alpha=design.alpha,
        power=design.power,
        ratio=design.control_units / design.pilot_units,
        alternative="two-sided",
    )
    return max(2, math.ceil(float(n) - 1e-9))


@dataclass(frozen=True)
class BaselineParameters:
    sd: float
    rho: float
    units: int
    periods: int


def baseline_parameters(
    panel: pd.DataFrame, *, unit: str = "unit", period: str = "period", outcome: str = "y"
) -> BaselineParameters:
    """σ and ρ of the KPI estimated from the baseline panel (one row per unit × period).

    ``σ²`` is the total variance around the period means; ``ρ`` is the share of it that is
    between units (the one-way ANOVA intraclass correlation), which is the equicorrelation
    of the same unit's periods. Negative estimates are kept (they widen the bound).
    """
    frame = panel[[unit, period, outcome]].dropna()
    if frame[unit].nunique() < 2 or frame[period].nunique() < 2:
        raise ValueError("baseline: needs at least 2 units and 2 periods")
    centred = frame[outcome] - frame.groupby(period)[outcome].transform("mean")
    by_unit = centred.groupby(frame[unit])
    sizes = by_unit.size()
    k = len(sizes)
    n = int(sizes.sum())
    unit_means = by_unit.mean()
    grand = float(centred.mean())
    ss_between = float((sizes * (unit_means - grand) ** 2).sum())
    ss_within = float(((centred - by_unit.transform("mean")) ** 2).sum())
    if n - k <= 0:
        raise ValueError("baseline: every unit has one period only")
    ms_between = ss_between / (k - 1)
    ms_within = ss_within / (n - k)
    n0 = (n - float((sizes**2).sum()) / n) / (k - 1)
    var_between = max((ms_between - ms_within) / n0, -ms_within * 0.999)
    total = var_between + ms_within
    if not total > 0:
        raise ValueError("baseline: the KPI does not vary")
    rho = float(np.clip(var_between / total, -0.99, 0.99))
    return BaselineParameters(
        sd=math.sqrt(total), rho=rho, units=k, periods=int(frame[period].nunique())
    )
