"""Profit formula and attribution: contributions add up exactly to the change."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kano.analytics.value.profit import (
    LEVERS,
    ProfitInputs,
    lever_labels,
    log_attribution,
    profit_of,
    shapley_attribution,
)

positive = st.floats(0.01, 1e5, allow_nan=False)
inputs = st.builds(
    ProfitInputs,
    leads=positive,
    conversion=st.floats(0.001, 1.0),
    value_per_period=positive,
    lifetime=st.floats(0.1, 120.0),
    margin=st.floats(0.01, 1.0),
    costs=st.floats(0.0, 1e7),
)


def exact_profit(values: ProfitInputs) -> Fraction:
    return Fraction(profit_of({name: Fraction(getattr(values, name)) for name in LEVERS}))


@given(inputs, inputs)
def test_shapley_contributions_add_up_exactly(before: ProfitInputs, after: ProfitInputs) -> None:
    attribution = shapley_attribution(before, after)
    assert attribution.change == exact_profit(after) - exact_profit(before)
    # The float profits themselves carry rounding of the order of their size.
    scale = max(abs(before.profit), abs(after.profit), 1.0)
    assert float(attribution.change) == pytest.approx(
        after.profit - before.profit, abs=1e-9 * scale
    )


@given(inputs, inputs)
def test_log_contributions_add_up_exactly(before: ProfitInputs, after: ProfitInputs) -> None:
    attribution = log_attribution(before, after)
    gross = Fraction(after.profit + after.costs) - Fraction(before.profit + before.costs)
    assert attribution.change == gross - (Fraction(after.costs) - Fraction(before.costs))


def test_two_levers_by_hand() -> None:
    before = ProfitInputs(100, 0.1, 50, 10, 0.5, 1000)  # 100·0.1·50·10·0.5 − 1000 = 1500
    after = ProfitInputs(200, 0.1, 50, 10, 0.5, 1500)  # leads doubled, costs +500 → 3500
    attribution = shapley_attribution(before, after)
    assert before.profit == 1500 and after.profit == 3500
    # Costs enter additively, so each lever keeps its own effect (0.1 is not exact in binary).
    assert float(attribution.contributions["leads"]) == pytest.approx(2500, rel=1e-12)
    assert attribution.contributions["costs"] == -500
    assert all(attribution.contributions[n] == 0 for n in ("conversion", "lifetime", "margin"))


def test_interaction_is_shared_equally() -> None:
    before = ProfitInputs(100, 0.1, 10, 1, 1, 0)  # 100
    after = ProfitInputs(200, 0.2, 10, 1, 1, 0)  # 400: each lever alone → +100, together +300
    contributions = shapley_attribution(before, after).contributions
    assert float(contributions["leads"]) == pytest.approx(150, rel=1e-12)
    assert float(contributions["conversion"]) == pytest.approx(150, rel=1e-12)


def test_industry_labels_and_bad_input() -> None:
    assert lever_labels("hospitality")["value_per_period"] == "Average price per night"
    assert lever_labels("saas")["margin"] == "Margin"
    with pytest.raises(ValueError, match="industry"):
        lever_labels("mining")
    with pytest.raises(ValueError, match="conversion"):
        ProfitInputs(1, 1.5, 1, 1, 1, 0)
    with pytest.raises(ValueError, match="lifetime: must be > 0"):
        log_attribution(ProfitInputs(1, 1, 1, 0, 1, 0), ProfitInputs(1, 1, 1, 1, 1, 0))
