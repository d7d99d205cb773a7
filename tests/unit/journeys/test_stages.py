"""The journey map's stage columns on a frame small enough to check by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd

from kano.analytics.journeys.stages import stage_summaries

DAY = pd.Timestamp("2026-01-01")


def _row(customer: int, stage: str, csat: float, next_order: int | None) -> dict[str, object]:
    return {
        "customer_id": customer, "touchpoint": f"{stage}-web", "stage": stage,
        "submitted_at": DAY, "nps": np.nan, "csat": csat, "ces": np.nan, "rating": np.nan,
        "comment": None,
        "next_order_at": pd.NaT if next_order is None else DAY + pd.Timedelta(days=next_order),
    }  # fmt: skip


def test_emotion_next_stage_repurchase_and_revenue() -> None:
    frame = pd.DataFrame([
        _row(1, "buy", 5, 10), _row(2, "buy", 5, None), _row(3, "buy", 2, 400),
        _row(1, "use", 2, 10), _row(4, "use", 2, 10),
    ])  # fmt: skip
    buy, use, renew = stage_summaries(
        frame, {1: 100.0, 2: 50.0, 4: 7.0}, DAY + pd.Timedelta(days=500), ["buy", "use", "renew"]
    )
    sd = frame["csat"].std(ddof=1)
    assert np.isclose(buy.emotion or 0, (4 - frame["csat"].mean()) / sd)
    assert np.isclose(use.emotion or 0, (2 - frame["csat"].mean()) / sd)
    assert (buy.customers, buy.reached_next) == (3, 1 / 3)  # customer 1 answered at "use"
    assert buy.repurchase == 1 / 3  # only customer 1 ordered within 180 days
    assert (buy.revenue, use.revenue) == (150.0, 107.0)
    assert [(t.touchpoint, t.mean, t.n) for t in buy.touchpoints] == [("buy-web", 4.0, 3)]
    assert use.reached_next == 0.0 and renew.responses == 0 and renew.emotion is None


def test_a_stage_whose_measure_has_no_spread_has_no_emotion() -> None:
    """One NPS answer in the window: nothing to standardise it by, so no emotion (the
    page writes "–"), where the mean of nothing used to reach the page as "NaN.00"."""
    lone = {**_row(5, "use", np.nan, None), "nps": 3.0}
    frame = pd.DataFrame([_row(1, "buy", 5, None), _row(2, "buy", 2, None), lone])
    buy, use = stage_summaries(frame, {}, DAY + pd.Timedelta(days=500), ["buy", "use"])
    assert buy.emotion is not None and np.isfinite(buy.emotion)
    assert use.responses == 1 and use.emotion is None and use.emotion_ci is None
    assert [(t.measure, t.mean, t.n) for t in use.touchpoints] == [("nps", -100.0, 1)]
