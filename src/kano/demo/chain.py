"""The planted causal chain EX -> OX -> CX -> TX -> financial, and its decoys.

Every planted link is *exactly linear* in its cause over the simulated range, so that a
plain OLS or linear probability model recovers its size: outcomes are drawn as
``offset + Binomial(n, p)`` (or a Bernoulli, or a mean-one multiplicative noise) with
``p`` linear in the cause, and the parameters keep ``p`` strictly inside (0, 1) for every
value the cause can take (see :func:`probability_bounds_hold`). Nothing is clipped.

Confounding is avoided by construction: a cause never shares a driver with its effect's
other inputs (delivery delay does not depend on segment or touchpoint; the bad touchpoint
is bad through *defects*, which are independent of delay), and the NPS shift from delay is
centred so that average NPS is the same in every segment.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kano.demo.arrays import FloatArray, IntArray
from kano.demo.company import SEGMENTS
from kano.demo.team_months import (
    FIRST_RESPONSE_SHOCK_SD,
    LATE_SHARE_SHOCK_SD,
    SHOCK_LIMIT_IN_SD,
)


@dataclass(frozen=True)
class PlantedChain:
    # EX -> OX: last month's team engagement (mean of pulses, 1-5) ...
    engagement_pivot: float = 3.5
    # ... sets the share of late orders; a late order is 1 + Binomial(9, 1/3) days late.
    late_share_at_pivot: float = 0.20
    late_share_per_engagement_point: float = -0.075
    late_extra_day_trials: int = 9
    late_extra_day_probability: float = 1.0 / 3.0
    # ... and the support hub's first response time: mean x (3 * Beta(2, 4)), mean one.
    first_response_minutes_at_pivot: float = 120.0
    first_response_minutes_per_engagement_point: float = -20.0
    # OX -> CX: CSAT = 1 + Binomial(4, p) at the delivery touchpoints.
    csat_probability_on_time: float = 0.92
    csat_probability_per_delay_day: float = -0.05
    csat_probability_per_defect: float = -0.12
    # OX -> CX: relationship NPS = Binomial(10, p); p = customer's baseline + shift from the
    # delay of the last delivery in the 90 days before the response (centred on the mean).
    nps_baseline_low: float = 0.60
    nps_baseline_high: float = 0.95
    nps_probability_per_delay_day: float = -0.04
    nps_delay_centre: float = 0.8
    nps_delay_window_days: float = 90.0
    # OX -> CX: support e-mail CES = 1 + Binomial(6, p).
    ces_probability_at_zero_minutes: float = 0.90
    ces_probability_per_minute: float = -0.0012
    # CX -> TX: at every relationship check-in (surveyed or not) the customer's NPS sets
    # P(churn within 180 days) and P(at least one order within 90 days).
    repurchase_intercept_by_segment: tuple[float, ...] = (0.58, 0.45, 0.25)
    repurchase_per_nps_point: float = 0.04
    churn_intercept_by_segment: tuple[float, ...] = (0.15, 0.20, 0.30)
    churn_per_nps_point: float = -0.015
    repurchase_window_days: float = 90.0
    churn_window_days: float = 180.0
    # CX -> TX: an account's first order after a check-in is exp(0.05 (NPS - 7)) larger.
    spend_log_per_nps_point: float = 0.05
    spend_nps_pivot: float = 7.0

    @property
    def late_days_mean(self) -> float:
        return 1.0 + self.late_extra_day_trials * self.late_extra_day_probability

    @property
    def max_delay_days(self) -> int:
        return 1 + self.late_extra_day_trials

    @property
    def delay_days_per_engagement_point(self) -> float:
        return self.late_share_per_engagement_point * self.late_days_mean

    @property
    def csat_per_delay_day(self) -> float:
        return 4 * self.csat_probability_per_delay_day

    @property
    def nps_per_delay_day(self) -> float:
        return 10 * self.nps_probability_per_delay_day

    @property
    def ces_per_minute(self) -> float:
        return 6 * self.ces_probability_per_minute

    def late_share(self, engagement: FloatArray) -> FloatArray:
        return self.late_share_at_pivot + self.late_share_per_engagement_point * (
            engagement - self.engagement_pivot
        )

    def first_response_mean_minutes(self, engagement: FloatArray) -> FloatArray:
        return self.first_response_minutes_at_pivot + (
            self.first_response_minutes_per_engagement_point * (engagement - self.engagement_pivot)
        )

    def csat_probability(self, delay_days: FloatArray, defects: IntArray) -> FloatArray:
        return (
            self.csat_probability_on_time
            + self.csat_probability_per_delay_day * delay_days
            + self.csat_probability_per_defect * defects
        )

    def nps_probability(
        self, baseline: FloatArray, delay_days: FloatArray, exposed: FloatArray
    ) -> FloatArray:
        shift = self.nps_probability_per_delay_day * (delay_days - self.nps_delay_centre)
        return baseline + shift * exposed

    def ces_probability(self, first_response_minutes: FloatArray) -> FloatArray:
        return self.ces_probability_at_zero_minutes + (
            self.ces_probability_per_minute * first_response_minutes
        )

    def repurchase_probability(self, segment: IntArray, nps: FloatArray) -> FloatArray:
        intercept = np.asarray(self.repurchase_intercept_by_segment)[segment]
        return intercept + self.repurchase_per_nps_point * nps

    def churn_probability(self, segment: IntArray, nps: FloatArray) -> FloatArray:
        intercept = np.asarray(self.churn_intercept_by_segment)[segment]
        return intercept + self.churn_per_nps_point * nps

    def spend_log_shift(self, nps: FloatArray) -> FloatArray:
        return self.spend_log_per_nps_point * (nps - self.spend_nps_pivot)


CHAIN = PlantedChain()

# Decoys: causes that vary realistically and influence nothing in the chain.
WEB_CES_BETA = (6.0, 2.0)
"""Web shop CES = 1 + Binomial(6, p), p ~ Beta(6, 2) per response, independent of all."""
PHONE_CSAT_PROBABILITY = (0.74, 0.16)
"""Hotline CSAT = 1 + Binomial(4, 0.74 + 0.16 * first-contact resolution); no call wait."""
FIRST_RESPONSE_NOISE_BETA = (2.0, 4.0)
FIRST_RESPONSE_NOISE_SCALE = 3.0
"""3 * Beta(2, 4) has mean one and lies in [0, 3]: the mean stays linear in engagement."""


def probability_bounds_hold(chain: PlantedChain = CHAIN) -> bool:
    """True when every planted probability stays inside (0, 1) over the simulated range:
    engagement anywhere in 1-5, the largest monthly shocks, every delay and defect count."""
    engagement = np.array([1.0, 5.0])
    late_limit = SHOCK_LIMIT_IN_SD * LATE_SHARE_SHOCK_SD
    minutes_limit = SHOCK_LIMIT_IN_SD * FIRST_RESPONSE_SHOCK_SD
    delays = np.array([0.0, float(chain.max_delay_days)])
    mean_minutes = chain.first_response_mean_minutes(engagement)
    worst_minutes = FIRST_RESPONSE_NOISE_SCALE * (mean_minutes + minutes_limit)
    nps = np.array([0.0, 10.0])
    checks = [
        chain.late_share(engagement) - late_limit,
        chain.late_share(engagement) + late_limit,
        (mean_minutes - minutes_limit) / 1000.0,
        chain.csat_probability(delays, np.array([0, 0])),
        chain.csat_probability(delays, np.array([3, 3])),
        chain.ces_probability(np.array([0.0, worst_minutes.max()])),
    ]
    for baseline in (chain.nps_baseline_low, chain.nps_baseline_high):
        checks.append(chain.nps_probability(np.full(2, baseline), delays, np.ones(2)))
    for segment in range(len(SEGMENTS)):
        seg = np.full(2, segment)
        repurchase = chain.repurchase_probability(seg, nps)
        churn = chain.churn_probability(seg, nps)
        checks += [repurchase, churn + 1e-9, 1.0 - repurchase - churn + 1e-9]
    return all(bool(np.all((c > 0.0) & (c < 1.0))) for c in checks)
