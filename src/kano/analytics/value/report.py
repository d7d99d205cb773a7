"""Customer-value results as plain records: one shape for the CLI, the API and the pages.

Each function takes what the warehouse gave (``inputs``) and returns JSON-ready rows, so
every interface shows the same numbers. Errors are ``ValueError`` (or
``CannotFitError``) with the offending field first; interfaces map them to their own.
"""

from __future__ import annotations

import math
from datetime import date
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from kano.analytics.value import clv as model
from kano.analytics.value.client_matrix import ClientMatrix, Criterion, client_matrix
from kano.analytics.value.inputs import ValueReader, churn_features, profit_levers
from kano.analytics.value.profit import (
    LEVERS,
    ProfitInputs,
    lever_labels,
    log_attribution,
    shapley_attribution,
)
from kano.analytics.value.profit_periods import profit_periods
from kano.analytics.value.rfm import DEFAULT_SEGMENTS, SegmentRule, rfm_scores
from kano.analytics.value.transactions import CustomerSummary

if TYPE_CHECKING:  # the churn model loads scikit-learn (~2 s): only churn_report needs it
    from kano.analytics.value.churn import ChurnModel

Record = dict[str, Any]

#: The client matrix on the warehouse's per-customer columns (kano.analytics.value.inputs).
MATRIX_ATTRACTIVENESS = (
    Criterion("revenue_365d", 0.4),
    Criterion("margin_365d", 0.35),
    Criterion("growth", 0.25),
)
MATRIX_RELATIONSHIP = (
    Criterion("tenure_days", 0.25),
    Criterion("share_of_wallet", 0.2),
    Criterion("last_nps", 0.3),
    Criterion("touchpoints", 0.1),
    Criterion("support_contacts", 0.15, higher_is_better=False),
)


def plain(value: Any) -> Any:
    """numpy scalars to Python; NaN and infinities to None (JSON has neither)."""
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def rfm_records(
    inputs: pd.DataFrame, segments: tuple[SegmentRule, ...] = DEFAULT_SEGMENTS
) -> list[Record]:
    """Scores and segment per customer from ``rfm_inputs``."""
    scores = rfm_scores(inputs["recency_days"], inputs["frequency"], inputs["monetary"],
                        segments=segments)  # fmt: skip
    columns = zip(
        inputs["customer_id"], inputs["recency_days"], inputs["frequency"], inputs["monetary"],
        scores.recency, scores.frequency, scores.monetary, scores.segment, strict=True,
    )  # fmt: skip
    return [
        {
            "customer_id": plain(c),
            "recency_days": round(float(rd), 2),
            "frequency": plain(f),
            "monetary": plain(m),
            "r": plain(r),
            "f": plain(fs),
            "m": plain(ms),
            "segment": s,
        }
        for c, rd, f, m, r, fs, ms, s in columns
    ]


def matrix_records(features: pd.DataFrame) -> tuple[list[Record], ClientMatrix]:
    """Each row of ``customer_features`` placed in the client matrix, with its strategy."""
    if features.empty:
        raise ValueError("matrix: no account ordered in the year before")
    columns = {name: features[name].to_numpy(dtype=float) for name in features.columns
               if name != "kind"}  # fmt: skip
    placed = client_matrix(
        columns, attractiveness=MATRIX_ATTRACTIVENESS, relationship=MATRIX_RELATIONSHIP
    )
    rows = zip(
        features.index, placed.attractiveness, placed.relationship, placed.attractiveness_level,
        placed.relationship_level, placed.strategy, features["revenue_365d"], strict=True,
    )  # fmt: skip
    records = [
        {
            "customer_id": int(c),
            "attractiveness": round(float(a), 4),
            "relationship": round(float(r), 4),
            "attractiveness_level": al,
            "relationship_level": rl,
            "strategy": s,
            "revenue_365d": float(rev),
        }
        for c, a, r, al, rl, s, rev in rows
    ]
    return records, placed


def profit_report(
    reader: ValueReader,
    *,
    months: int = 3,
    costs_before: float = 0.0,
    costs_after: float = 0.0,
    industry: str = "generic",
    method: str = "shapley",
    window: tuple[date, date] | None = None,
    start: date | None = None,
) -> Record:
    """Two periods of ``months`` months and the attribution of the change: from ``start``
    when given, else the last two complete ones inside the data ``window``
    (:func:`kano.analytics.value.profit_periods.profit_periods`)."""
    labels = lever_labels(industry)
    if method not in ("shapley", "log"):
        raise ValueError("method: choose shapley or log")
    periods = profit_periods(reader.data_end().date(), months, window=window, start=start)
    begin, middle, end = periods.start, periods.middle, periods.end
    before = ProfitInputs(**profit_levers(reader, start=begin, end=middle), costs=costs_before)
    after = ProfitInputs(**profit_levers(reader, start=middle, end=end), costs=costs_after)
    attribute = shapley_attribution if method == "shapley" else log_attribution
    attribution = attribute(before, after)
    levers = [
        {
            "lever": name,
            "label": labels[name],
            "before": getattr(before, name),
            "after": getattr(after, name),
            "contribution": float(attribution.contributions[name]),
        }
        for name in LEVERS
    ]
    return {
        "segment": reader.segment, "method": method, "industry": industry,
        "before_period": [f"{begin:%Y-%m-%d}", f"{middle:%Y-%m-%d}"],
        "after_period": [f"{middle:%Y-%m-%d}", f"{end:%Y-%m-%d}"],
        "months": periods.months, "months_asked": periods.asked, "windowed": periods.windowed,
        "profit_before": before.profit, "profit_after": after.profit,
        "change": float(attribution.change), "levers": levers,
    }  # fmt: skip


def fit_clv(summary: CustomerSummary) -> tuple[model.BgNbdParams, model.GammaGammaParams]:
    """BG/NBD on everyone; Gamma-Gamma on repeat buyers whose repeat spend is positive
    (returns can net a customer's spend to zero, which the model cannot take)."""
    spenders = summary.monetary > 0
    return (
        model.fit_bg_nbd(summary.frequency, summary.recency, summary.T),
        model.fit_gamma_gamma(summary.frequency[spenders], summary.monetary[spenders]),
    )


def clv_parameters(
    segment: str | None,
    summary: CustomerSummary,
    bg: model.BgNbdParams,
    gg: model.GammaGammaParams,
    time_unit: str,
) -> Record:
    return {
        "segment": segment, "time_unit": time_unit, "customers": len(summary.frequency),
        "bg_nbd": {"r": bg.r, "alpha": bg.alpha, "a": bg.a, "b": bg.b,
                   "log_likelihood": bg.log_likelihood, "customers": bg.n_customers},
        "gamma_gamma": {"p": plain(gg.p), "q": gg.q,
                        "gamma": None if gg.own_average else gg.gamma,
                        "log_likelihood": gg.log_likelihood, "repeat_buyers": gg.n_customers,
                        "own_average": gg.own_average, "mean_spend_scale": gg.mean_spend_scale,
                        "note": model.OWN_AVERAGE_NOTE if gg.own_average else None},
    }  # fmt: skip


def clv_records(
    segment: str | None,
    s: CustomerSummary,
    bg: model.BgNbdParams,
    gg: model.GammaGammaParams,
    *,
    horizon: float,
    steps: int,
    discount_rate: float,
    margin: float,
) -> list[Record]:
    """P(alive), expected purchases in the horizon, expected spend and discounted CLV."""
    alive = model.probability_alive(bg, s.frequency, s.recency, s.T)
    purchases = model.expected_purchases(bg, s.frequency, s.recency, s.T, horizon)
    spend = model.expected_spend(gg, s.frequency, s.monetary)
    value = model.discounted_clv(bg, gg, s.frequency, s.recency, s.T, s.monetary,
                                 horizon=horizon, steps=steps, discount_rate=discount_rate,
                                 margin=margin)  # fmt: skip
    rows = zip(s.customer, s.frequency, s.recency, s.T, s.monetary, alive, purchases, spend,
               value, strict=True)  # fmt: skip
    return [
        {
            "customer_id": plain(c),
            "segment": segment,
            "frequency": plain(f),
            "recency": round(float(r), 4),
            "T": round(float(t), 4),
            "monetary": round(float(m), 2),
            "p_alive": round(float(p), 4),
            "expected_purchases": round(float(e), 4),
            "expected_spend": round(float(sp), 2),
            "clv": round(float(v), 2),
        }
        for c, f, r, t, m, p, e, sp, v in rows
    ]


def churn_report(
    train: pd.DataFrame, holdout: pd.DataFrame, current: pd.DataFrame, *, method: str,
    window_days: int,
) -> tuple[Record, list[Record], ChurnModel]:  # fmt: skip
    """Model quality (AUC, Brier, reliability, drivers) and each customer's risk and reasons,
    riskiest first."""
    # Imported here: scikit-learn costs the first CLV, RFM or profit page ~2 s it never uses.
    from kano.analytics.value.churn import fit_churn

    if method not in ("logistic", "boosting"):
        raise ValueError("method: choose logistic or boosting")
    fitted = fit_churn(train, holdout, features=churn_features(train),
                       method="logistic" if method == "logistic" else "boosting")  # fmt: skip
    risk = fitted.risk(current)
    reasons = fitted.top_reasons(current, k=3)
    order = np.argsort(-risk, kind="stable")
    records = [
        {
            "customer_id": int(current.index[i]),
            "churn_risk": round(float(risk[i]), 4),
            "reasons": "; ".join(f"{name} (+{effect:.4f})" for name, effect in reasons[i]),
        }
        for i in order
    ]
    quality = {
        "method": fitted.method, "window_days": window_days, "holdout_auc": fitted.holdout_auc,
        "holdout_brier": fitted.holdout_brier, "holdout_base_rate": fitted.holdout_base_rate,
        "drivers": [{"feature": n, "importance": v} for n, v in fitted.drivers],
        "reliability": [{"predicted": p, "observed": o} for p, o in fitted.reliability],
    }  # fmt: skip
    return quality, records, fitted
