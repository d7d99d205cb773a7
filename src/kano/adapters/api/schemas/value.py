"""Shapes of ``/value``: RFM, the client matrix, the profit formula, CLV and churn risk.

The four answers that list customers are pages (:class:`~kano.adapters.api.pagination.Page`:
``items`` in customer id order and ``next_cursor``); their other fields describe the whole
analysis and are the same on every page."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from kano.adapters.api.pagination import Page


class RfmCustomer(BaseModel):
    customer_id: int
    recency_days: float
    frequency: int = Field(description="Orders in the look-back window.")
    monetary: float = Field(description="Revenue in the look-back window.")
    r: int = Field(ge=1, le=5)
    f: int = Field(ge=1, le=5)
    m: int = Field(ge=1, le=5)
    segment: str


class RfmSegment(BaseModel):
    segment: str
    customers: int
    revenue: float = Field(description="Revenue of its customers in the look-back window.")
    revenue_share: float
    nps: float | None = Field(
        description="NPS of its customers' answers in the year before as_of (−100…100)."
    )
    nps_answers: int


class RfmMove(BaseModel):
    from_segment: str = Field(alias="from", description="'(none)': not active on that day.")
    to_segment: str = Field(alias="to")
    customers: int


class RfmReport(Page[RfmCustomer]):
    items: list[RfmCustomer] = Field(
        description="This page's customers, in customer id order."
    )
    as_of: str = Field(description="The scoring day (YYYY-MM-DD).")
    segments: list[RfmSegment] = Field(description="Every segment, over all customers.")
    transitions: list[RfmMove] = Field(
        default_factory=list, description="Moves since transitions_from (when asked)."
    )


class MatrixAccount(BaseModel):
    customer_id: int
    attractiveness: float = Field(description="Weighted percentile rank, 0–1.")
    relationship: float
    attractiveness_level: str = Field(description="low, medium or high.")
    relationship_level: str
    strategy: str
    revenue_365d: float


class MatrixCell(BaseModel):
    attractiveness_level: str
    relationship_level: str
    accounts: int
    strategy: str


class MatrixMove(BaseModel):
    from_attractiveness: str
    from_relationship: str
    to_attractiveness: str
    to_relationship: str
    accounts: int


class MatrixReport(Page[MatrixAccount]):
    items: list[MatrixAccount] = Field(
        description="This page's accounts, in customer id order."
    )
    as_of: str = Field(description="The scoring day (YYYY-MM-DD).")
    cells: list[MatrixCell] = Field(description="Every cell, over all accounts.")
    movements: list[MatrixMove] = Field(
        default_factory=list, description="Moves between cells since movements_from (when asked)."
    )


class ProfitLever(BaseModel):
    lever: str
    label: str = Field(description="The lever's name in the chosen industry's words.")
    before: float
    after: float
    contribution: float = Field(description="Shapley (or log) share of the profit change.")


class ProfitReport(BaseModel):
    segment: str | None
    method: str
    industry: str
    before_period: list[str]
    after_period: list[str]
    months: int = Field(description="Length of each period in months, as compared.")
    months_asked: int = Field(description="Length asked for (`months` is shorter when the "
                              "default periods were shortened to lie in the data window).")
    windowed: bool = Field(description="The default periods were shortened to lie inside "
                           "the data window.")
    profit_before: float
    profit_after: float
    change: float = Field(description="Equals the sum of the contributions exactly.")
    levers: list[ProfitLever]


class BgNbd(BaseModel):
    r: float
    alpha: float
    a: float
    b: float
    log_likelihood: float
    customers: int


class GammaGamma(BaseModel):
    p: float | None = Field(description="Shape of spend per purchase; null when own_average.")
    q: float
    gamma: float | None = Field(description="Null when own_average.")
    log_likelihood: float
    repeat_buyers: int
    own_average: bool = Field(
        False,
        description="The limit p → ∞: the data show no spread per order, so each repeat "
        "buyer's expected spend is their own average order value (customers without a "
        "repeat purchase get the population's mean, mean_spend_scale / (q − 1)).",
    )
    mean_spend_scale: float | None = Field(
        None,
        description="When own_average: the scale of the inverse gamma (shape q) that the "
        "customers' average order values follow (the limit of p·gamma).",
    )
    note: str | None = Field(
        None, description="When own_average: what the spend figures are, in English."
    )


class ClvFit(BaseModel):
    segment: str | None
    time_unit: str
    customers: int
    bg_nbd: BgNbd
    gamma_gamma: GammaGamma


class ClvCustomer(BaseModel):
    customer_id: int
    segment: str | None
    frequency: int
    recency: float
    T: float
    monetary: float
    p_alive: float
    expected_purchases: float
    expected_spend: float
    clv: float


class ClvSegmentStatus(BaseModel):
    segment: str | None
    status: Literal["fitted", "not_fitted"]
    reason: (
        Literal["few_repeat_buyers", "no_spread", "not_converged", "heavy_tail", "data"] | None
    ) = Field(description="Why the segment was not fitted (null when it was).")
    message: str | None = Field(description="The model's own words, with what to change.")
    customers: int
    repeat_buyers: int


class ClvReport(Page[ClvCustomer]):
    items: list[ClvCustomer] = Field(
        description="This page's customers of the fitted segments only, in customer id order."
    )
    fits: list[ClvFit]
    segments: list[ClvSegmentStatus] = Field(
        description="Each segment asked for: fitted, or not and why (its customers are then "
        "missing from fits and items; the others are still answered)."
    )


class ChurnDriver(BaseModel):
    feature: str
    importance: float = Field(description="Drop in holdout AUC when the feature is shuffled.")


class Reliability(BaseModel):
    predicted: float
    observed: float


class ChurnCustomer(BaseModel):
    customer_id: int
    churn_risk: float
    reasons: str


class ChurnReport(Page[ChurnCustomer]):
    items: list[ChurnCustomer] = Field(
        description="This page's active customers, in customer id order."
    )
    method: str
    window_days: int
    holdout_auc: float
    holdout_brier: float
    holdout_base_rate: float
    drivers: list[ChurnDriver]
    reliability: list[Reliability]
