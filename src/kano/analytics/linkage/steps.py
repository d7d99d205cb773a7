"""A link's effect per meaningful step of its cause, in the effect's own unit.

A slope per unit of the cause is what the regression gives, but not what a CX lead reads:
"0.04258" for NPS → repurchase is a probability (0–1) per point of one customer's 0–10
answer, i.e. +4.3 percentage points; "0.0006497" for call waiting → CSAT is CSAT points per
*second*. Each linkage variable therefore has a unit and a step a person thinks in (1 day of
delay, 10 minutes to first response, 60 seconds on hold, 1 point on a score's answer scale,
10 percentage points of a share, 1,000 of the currency), and the effect is stated per step
in its own unit: percentage points for a 0/1 behaviour or a share, percent for spend (which
the model takes as the log of the amount), the currency for money, points for a score, days
and minutes for process measures.

The step is fixed per variable, not read off the data, so the same link reads the same way
on every workspace and in every period. Scores are per response on their answer scale:
the cause "NPS" of a response-grain link is one customer's 0–10 answer, so its step is
1 point of that answer -- not 10 points of the -100..100 Net Promoter Score, which is not a
linear function of the answers and cannot be moved by a step of one of them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

POINTS, DAYS, MINUTES, SECONDS, HOURS = "points", "days", "minutes", "seconds", "hours"
SHARE, DEFECTS, ORDERS, MONEY, LOG_MONEY = "share", "defects", "orders", "money", "log money"
PERCENTAGE_POINTS, PERCENT = "percentage points", "percent"


@dataclass(frozen=True)
class Variable:
    """How one linkage variable is measured: its ``unit``, the answer scale of a score
    (``low``–``high``; None when open-ended) and the step of it a person thinks in."""

    unit: str
    step: float
    low: float | None = None
    high: float | None = None


VARIABLES: dict[str, Variable] = {
    # EX: pulse items, as a team's monthly mean.
    "engagement": Variable(POINTS, 1, 1, 5),
    "enps": Variable(POINTS, 1, 0, 10),  # the pulse's 0–10 "would you recommend working here"
    "competency": Variable(SHARE, 0.1),  # share of the role's required skills held, 0–1
    "training_hours": Variable(HOURS, 1),
    # OX: process measures, per order, ticket or call (or a team's monthly mean of them).
    "delivery_delay_days": Variable(DAYS, 1),
    "first_response_minutes": Variable(MINUTES, 10),  # per minute, effects read as 0.007
    "first_contact_resolution": Variable(SHARE, 0.1),  # 0/1 per contact
    "defects": Variable(DEFECTS, 1),
    "onboarding_days": Variable(DAYS, 1),
    "call_wait_seconds": Variable(SECONDS, 60),
    # CX: one response's answer on its question's scale.
    "nps": Variable(POINTS, 1, 0, 10),
    "csat": Variable(POINTS, 1, 1, 5),
    "ces": Variable(POINTS, 1, 1, 7),
    "rating": Variable(POINTS, 1, 1, 5),
    # TX: what the customer did in the window after answering (0/1, or the log amount of
    # the first order), and money per customer-quarter.
    "repurchase_rate": Variable(SHARE, 0.1),
    "churn_rate": Variable(SHARE, 0.1),
    "spend": Variable(LOG_MONEY, 1),
    "orders": Variable(ORDERS, 1),
    "revenue": Variable(MONEY, 1000),
}

EFFECT_UNITS = {SHARE: PERCENTAGE_POINTS, LOG_MONEY: PERCENT}
"""The unit an effect is stated in, where it is not the variable's own: a share's change in
percentage points, spend's (a log amount) in percent of the amount."""


@dataclass(frozen=True)
class EffectPerStep:
    """A link's slope and interval per ``step`` of the cause (in ``cause_unit``), stated in
    ``effect_unit``; None where the link has no estimate (too few observations)."""

    step: float
    cause_unit: str
    effect_unit: str
    estimate: float | None
    ci_low: float | None
    ci_high: float | None


def effect_unit(effect: str) -> str:
    unit = VARIABLES[effect].unit
    return EFFECT_UNITS.get(unit, unit)


def _in_effect_unit(effect: str, change: float | None) -> float | None:
    """A change of the effect in its raw unit (a probability, log points, days) stated in
    its reading unit (percentage points, percent, days)."""
    if change is None:
        return None
    unit = VARIABLES[effect].unit
    if unit == SHARE:
        return change * 100
    if unit == LOG_MONEY:
        return math.expm1(change) * 100
    return change


def effect_per_step(
    cause: str, effect: str, estimate: float | None, ci_low: float | None,
    ci_high: float | None,
) -> EffectPerStep:
    """The effect of one step of ``cause`` on ``effect``: the slope and both bounds times
    the step, in the effect's reading unit. The bounds map one to one (times a positive
    step; percent of spend through exp, which is increasing), so the interval stays the
    95 % interval of the stated effect."""
    cause_variable = VARIABLES[cause]
    step = cause_variable.step

    def scaled(value: float | None) -> float | None:
        return _in_effect_unit(effect, None if value is None else value * step)

    return EffectPerStep(step, cause_variable.unit, effect_unit(effect), scaled(estimate),
                         scaled(ci_low), scaled(ci_high))  # fmt: skip
