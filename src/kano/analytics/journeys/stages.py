"""The journey map's columns: per stage, how customers felt (CX), what they did next (TX).

* **Emotion** is the stage's mean standardised answer: each response minus its measure's
  journey mean, over the measure's journey SD -- so NPS, CSAT and CES stages share one
  axis (0 = the journey's average experience, below 0 = worse) and can be drawn as one
  curve.
* **Reached next stage** is the share of the stage's respondents who also answered at the
  next stage -- the only stage-to-stage trace the feedback carries (a proxy, labelled so).
* **Repurchase** is the share of respondents with an order within ``CHURN_WINDOW_DAYS``
  of their first answer at the stage (windows not yet over are left out), and
  **revenue** their revenue in the period.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from kano.analytics.journeys.painpoints import CHURN_WINDOW_DAYS, Interval, _mean_ci, coded


@dataclass(frozen=True)
class TouchpointScore:
    touchpoint: str
    measure: str
    mean: float
    n: int
    ci: Interval | None


@dataclass(frozen=True)
class StageSummary:
    stage: str
    emotion: float | None
    emotion_ci: Interval | None
    responses: int
    touchpoints: tuple[TouchpointScore, ...]
    customers: int
    reached_next: float | None
    repurchase: float | None
    revenue: float


def stage_summaries(
    responses: pd.DataFrame,
    revenue_by_customer: Mapping[int, float] | pd.Series,
    data_end: pd.Timestamp,
    stage_order: Sequence[str],
) -> list[StageSummary]:
    rows = coded(responses)
    stats = rows.groupby("measure")["value"].agg(["mean", "std"])
    sd = stats["std"].where(stats["std"] > 0)
    rows = rows.assign(
        standardised=(rows["value"] - rows["measure"].map(stats["mean"])) / rows["measure"].map(sd)
    )
    revenue = pd.Series(revenue_by_customer, dtype="float64")
    window = pd.Timedelta(days=CHURN_WINDOW_DAYS)
    customers_at = {s: set(rows.loc[rows["stage"] == s, "customer_id"]) for s in stage_order}
    out = []
    for i, stage in enumerate(stage_order):
        here = rows[rows["stage"] == stage]
        if here.empty:
            out.append(StageSummary(stage, None, None, 0, (), 0, None, None, 0.0))
            continue
        # A measure answered only once here (or all alike) has no spread to standardise
        # by: with no other measure in the stage, the stage has no emotion ("NaN.00" on
        # the journey map's key-accounts row of a three-month window, before).
        standardised = here["standardised"].dropna()
        emotion, emotion_ci = _mean_ci(standardised) if len(standardised) else (None, None)
        scores = []
        for (touchpoint, measure), own in here.groupby(["touchpoint", "measure"], sort=True):
            mean, ci = _mean_ci(own["value"])
            scores.append(TouchpointScore(str(touchpoint), str(measure), mean, len(own), ci))
        who = customers_at[stage]
        following = customers_at[stage_order[i + 1]] if i + 1 < len(stage_order) else None
        first = here.sort_values("submitted_at").groupby("customer_id").head(1)
        ripe = first[first["submitted_at"] + window <= data_end]
        bought = ripe["next_order_at"].notna() & (
            ripe["next_order_at"] <= ripe["submitted_at"] + window
        )
        out.append(
            StageSummary(
                stage=stage,
                emotion=emotion,
                emotion_ci=emotion_ci,
                responses=len(here),
                touchpoints=tuple(scores),
                customers=len(who),
                reached_next=None if following is None else len(who & following) / len(who),
                repurchase=float(bought.mean()) if len(ripe) else None,
                revenue=float(revenue.reindex(list(who)).fillna(0.0).sum()),
            )
        )
    return out
