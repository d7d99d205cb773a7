"""Pain-point arithmetic on frames small enough to check by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from kano.analytics.journeys.painpoints import coded, rank_pain_points

DAY = pd.Timestamp("2026-01-01")


def _row(
    customer: int, touchpoint: str, csat: float, day: int, next_order: int | None, comment: str = ""
) -> dict[str, object]:
    return {
        "customer_id": customer,
        "touchpoint": touchpoint,
        "stage": touchpoint.split("-")[0],
        "submitted_at": DAY + pd.Timedelta(days=day),
        "nps": np.nan,
        "csat": csat,
        "ces": np.nan,
        "rating": np.nan,
        "comment": comment,
        "next_order_at": pd.NaT if next_order is None else DAY + pd.Timedelta(days=next_order),
    }


def test_nps_is_coded_so_its_mean_is_the_nps() -> None:
    frame = pd.DataFrame(
        {"nps": [10, 9, 8, 7, 6, 0], "csat": np.nan, "ces": np.nan, "rating": np.nan}
    )
    out = coded(frame)
    assert out["value"].mean() == (2 - 2) / 6 * 100
    assert list(out["poor"]) == [False, False, False, False, True, True]


def test_hand_checked_gap_churn_and_revenue_at_risk() -> None:
    rows = [
        # bad touchpoint: customers 1, 2 poor (one churns), 3, 4 fine (none churns)
        _row(1, "delivery-site", 1, 0, None, "Goods arrived damaged"),
        _row(2, "delivery-site", 2, 0, 30, "damaged pallet"),
        _row(3, "delivery-site", 5, 0, 10),
        _row(4, "delivery-site", 5, 0, 20),
        # good touchpoint: all happy
        _row(5, "support-phone", 5, 0, 10),
        _row(6, "support-phone", 4, 0, 10),
    ]
    frame = pd.DataFrame(rows)
    revenue = {1: 1000.0, 2: 3000.0, 3: 50.0}
    ranked = rank_pain_points(frame, revenue, DAY + pd.Timedelta(days=400))
    top = ranked[0]
    assert (top.touchpoint, top.stage, top.rank) == ("delivery-site", "delivery", 1)
    assert top.score.mean == 13 / 4
    assert top.score.bar == 4.5  # the other touchpoint's mean, not its own
    assert math.isclose(top.score.gap or 0, 13 / 4 - 4.5)
    assert (top.churn.poor_rate, top.churn.other_rate, top.churn.uplift) == (0.5, 0.0, 0.5)
    assert top.revenue_of_poor == 4000.0
    assert top.revenue_at_risk == 2000.0
    ci = top.revenue_at_risk_ci
    assert ci is not None and ci.low < 2000 < ci.high
    assert top.themes[0] == ("damaged", 2)
    assert top.negative_comment_share == 1.0
    assert ranked[1].revenue_at_risk == 0 and ranked[1].priority < top.priority


def test_unripe_churn_windows_are_left_out() -> None:
    frame = pd.DataFrame([_row(1, "a-x", 1, 0, None), _row(2, "a-x", 5, 300, None)])
    [point] = rank_pain_points(frame, {}, DAY + pd.Timedelta(days=200))
    assert (point.churn.poor_customers, point.churn.other_customers) == (1, 0)
    assert point.churn.uplift is None and point.revenue_at_risk == 0


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(1, 5), st.sampled_from(["a-1", "b-2", "c-3"])),
        min_size=3,
        max_size=40,
    )
)
def test_ranks_are_a_permutation_and_priority_is_bounded(answers: list[tuple[int, str]]) -> None:
    frame = pd.DataFrame(
        [
            _row(i, tp, csat, i % 50, None if i % 3 else i + 10)
            for i, (csat, tp) in enumerate(answers)
        ]
    )
    ranked = rank_pain_points(
        frame, {i: 100.0 for i in range(len(answers))}, DAY + pd.Timedelta(days=900)
    )
    assert sorted(p.rank for p in ranked) == list(range(1, len(ranked) + 1))
    assert all(0 <= p.priority <= 1 for p in ranked)
    assert sum(p.priority for p in ranked) <= 1 + 1e-9
