"""Effects per step of the cause (``kano.analytics.linkage.steps``): every linkable id has a
unit and a step, and the slope and its interval are scaled by the step and stated in the
effect's reading unit, the interval still around the estimate."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kano.analytics.linkage.specs import KNOWN_IDS, SERVICE_PROFIT_CHAIN
from kano.analytics.linkage.steps import VARIABLES, effect_per_step


def test_every_linkable_id_has_a_unit_and_a_step() -> None:
    assert set(VARIABLES) == set(KNOWN_IDS)
    assert all(variable.step > 0 for variable in VARIABLES.values())
    scored = {key for key, variable in VARIABLES.items() if variable.low is not None}
    assert scored == {"engagement", "enps", "nps", "csat", "ces", "rating"}


@pytest.mark.parametrize(("cause", "effect", "raw", "step", "units", "per_step"), [
    # a probability per point of the 0–10 answer: percentage points per point
    ("nps", "repurchase_rate", (0.04258, 0.02352, 0.06164), 1,
     ("points", "percentage points"), (4.258, 2.352, 6.164)),
    # CSAT points per second on hold: per minute
    ("call_wait_seconds", "csat", (0.0006497, -0.0007024, 0.002002), 60,
     ("seconds", "points"), (0.038982, -0.042144, 0.12012)),
    ("first_response_minutes", "ces", (-0.006901, -0.009324, -0.004479), 10,
     ("minutes", "points"), (-0.06901, -0.09324, -0.04479)),
    ("delivery_delay_days", "csat", (-0.1969, -0.2191, -0.1747), 1,
     ("days", "points"), (-0.1969, -0.2191, -0.1747)),
    # spend is a log amount: a change of e^(b) − 1 of the amount, in percent
    ("nps", "spend", (0.04809, -0.03236, 0.1285), 1, ("points", "percent"),
     (100 * (math.e ** 0.04809 - 1), 100 * (math.e ** -0.03236 - 1),
      100 * (math.e ** 0.1285 - 1))),
    ("orders", "revenue", (88.67, 81.76, 95.57), 1, ("orders", "money"), (88.67, 81.76, 95.57)),
    ("revenue", "orders", (0.002, 0.001, 0.003), 1000, ("money", "orders"), (2.0, 1.0, 3.0)),
    # a share as the cause moves by 10 percentage points (0.1 of 0–1)
    ("competency", "delivery_delay_days", (-2.0, -3.0, -1.0), 0.1, ("share", "days"),
     (-0.2, -0.3, -0.1)),
])  # fmt: skip
def test_effect_per_step(
    cause: str, effect: str, raw: tuple[float, float, float], step: float,
    units: tuple[str, str], per_step: tuple[float, float, float],
) -> None:
    found = effect_per_step(cause, effect, *raw)

    assert found.step == step and (found.cause_unit, found.effect_unit) == units
    assert (found.estimate, found.ci_low, found.ci_high) == pytest.approx(per_step)


def test_a_link_without_an_estimate_has_none_per_step() -> None:
    found = effect_per_step("nps", "churn_rate", None, None, None)

    assert (found.estimate, found.ci_low, found.ci_high) == (None, None, None)
    assert found.step == 1 and found.effect_unit == "percentage points"


@given(st.sampled_from([(spec.cause, spec.effect) for spec in SERVICE_PROFIT_CHAIN]),
       st.floats(-5, 5), st.floats(0, 3))  # fmt: skip
def test_the_interval_stays_around_the_estimate(
    link: tuple[str, str], estimate: float, half: float
) -> None:
    cause, effect = link
    found = effect_per_step(cause, effect, estimate, estimate - half, estimate + half)

    assert found.ci_low is not None and found.ci_high is not None
    assert found.estimate is not None
    assert found.ci_low <= found.estimate <= found.ci_high
