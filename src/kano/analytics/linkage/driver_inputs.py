"""The frame for key-driver analysis of an outcome score: one row per answered response.

Candidate drivers are what the customer lived through in the window before answering:
the mean of each process measure on their own orders and tickets (OX) and their mean
CSAT / CES / rating at each journey stage (CX). A driver that most respondents never met
(coverage below ``min_coverage``) is left out rather than imputed, and rows missing any
kept driver are dropped; the result says which drivers were kept, which were left out,
each candidate's coverage and how many rows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import ibis
import ibis.expr.types as ir
import pandas as pd

from kano.analytics.linkage.frames import WarehouseReader, only_customers, restrict
from kano.analytics.linkage.specs import SCORES
from kano.domain.shared.errors import InvalidInput


@dataclass(frozen=True)
class DriverFrame:
    outcome: str
    data: pd.DataFrame  # one column per kept driver plus the outcome
    drivers: tuple[str, ...]
    left_out: tuple[str, ...]  # candidates below the coverage threshold
    coverage: Mapping[str, float] = field(default_factory=dict)
    """Every candidate's share of the responses that have a value for it (0–1)."""
    min_coverage: float = 0.3

    @property
    def n(self) -> int:
        """The rows kept: responses with a value for every kept driver."""
        return len(self.data)

    def left_out_coverage(self) -> list[tuple[str, float]]:
        """The candidates left out with their coverage, the best covered first."""
        return sorted(((name, self.coverage[name]) for name in self.left_out),
                      key=lambda item: (-item[1], item[0]))  # fmt: skip


OUTCOMES = (*SCORES, "churn", "revenue")
"""A score of the response itself, or what the customer did in ``horizon_days`` after it:
``churn`` (1 when no order followed) and ``revenue`` (what they spent)."""


def driver_frame(
    reader: WarehouseReader,
    outcome: str = "nps",
    survey: str | None = "relationship-nps",
    window_days: int = 180,
    min_coverage: float = 0.3,
    only: Sequence[str] = (),
    segment: str | None = None,
    horizon_days: int = 180,
) -> DriverFrame:
    if outcome not in OUTCOMES:
        raise InvalidInput("outcome", f"choose one of {', '.join(OUTCOMES)}")
    if not 0 <= min_coverage <= 1:
        raise InvalidInput("min_coverage", "a share of respondents between 0 and 1")
    responses = reader.table("responses")
    if outcome in SCORES:
        responses = responses.filter(responses[outcome].notnull())
    responses = restrict(responses, "survey_id", reader.survey_ids([survey] if survey else []))
    responses = only_customers(responses, reader.customers_in([segment] if segment else []))
    if outcome in SCORES:
        answers = responses.select(
            "response_id", "customer_id", "submitted_at",
            outcome=responses[outcome].cast("float64"),
        )  # fmt: skip
    else:
        answers = _behaviour_after(reader, responses, outcome, horizon_days)
    outcomes = answers.select("response_id", "outcome").to_pandas().set_index("response_id")
    if outcomes.empty:
        raise InvalidInput("outcome", f"no {outcome} answers in this workspace{_of(survey)}")
    index = outcomes.index
    process = _process_means(reader, answers, window_days, index)
    stages = _stage_scores(reader, answers, window_days, index)
    candidates = pd.concat([process, stages], axis=1)
    candidates = candidates.dropna(axis=1, how="all")
    if only:
        unknown = sorted(set(only) - set(candidates.columns))
        if unknown:
            raise InvalidInput("drivers", f"unknown {', '.join(unknown)}; candidates: "
                               + ", ".join(sorted(candidates.columns)))
        candidates = candidates[list(only)]
    coverage = candidates.notna().mean()
    kept = [c for c in candidates.columns if coverage[c] >= min_coverage] if not only else list(
        candidates.columns)  # fmt: skip
    # In response order: the warehouse returns rows in no fixed order (DuckDB's threads), and
    # the bootstrap's resamples (a fixed seed) index rows, so the intervals changed from one
    # computation to the next (a warm page differed from a cold one in the fourth decimal).
    frame = candidates[kept].assign(outcome=outcomes["outcome"]).sort_index()
    return DriverFrame(
        outcome, frame.dropna().reset_index(drop=True), tuple(kept),
        tuple(c for c in candidates.columns if c not in kept),
        {str(c): float(coverage[c]) for c in candidates.columns}, min_coverage,
    )  # fmt: skip


def _behaviour_after(
    reader: WarehouseReader, responses: ir.Table, outcome: str, horizon_days: int
) -> ir.Table:
    """Per response whose horizon lies inside the data: churn (no order in the horizon
    after it) or the revenue of the orders in it, counted in the warehouse."""
    horizon = ibis.interval(days=horizon_days)
    end = reader.data_end().to_pydatetime()
    base = responses.filter(responses.submitted_at + horizon <= end).select(
        "response_id", "customer_id", "submitted_at"
    )
    orders = reader.table("transactions")
    orders = orders.select(order_customer=orders.customer_id, at=orders.occurred_at,
                           amount=orders.amount)  # fmt: skip
    joined = base.join(orders, [
        base.customer_id == orders.order_customer,
        orders.at > base.submitted_at,
        orders.at <= base.submitted_at + horizon,
    ])  # fmt: skip
    per_response = joined.group_by(followed="response_id").aggregate(
        orders=joined.count(), spent=joined.amount.sum()
    )
    both = base.left_join(per_response, base.response_id == per_response.followed)
    value = (both.orders.isnull().cast("float64") if outcome == "churn"
             else ibis.coalesce(both.spent, 0.0).cast("float64"))  # fmt: skip
    return both.select("response_id", "customer_id", "submitted_at", outcome=value)


def _of(survey: str | None) -> str:
    return f" for survey {survey}" if survey else ""


def _windowed_means(
    answers: ir.Table, events: ir.Table, key: str, window_days: int, index: pd.Index
) -> pd.DataFrame:
    """Per response and ``key`` value: the mean of the customer's ``value`` in the window
    before the response. The range join runs in the warehouse (DuckDB plans it as an
    interval join); only one mean per response and key comes back."""
    joined = answers.join(
        events,
        [
            answers.customer_id == events.customer_id,
            events.at < answers.submitted_at,
            events.at >= answers.submitted_at - ibis.interval(days=window_days),
        ],
    )
    means = joined.group_by([joined.response_id, joined[key]]).aggregate(
        value=joined.value.mean()
    ).to_pandas()
    return means.pivot(index="response_id", columns=key, values="value").reindex(index)


def _process_means(
    reader: WarehouseReader, answers: ir.Table, window_days: int, index: pd.Index
) -> pd.DataFrame:
    events = reader.table("process_events")
    events = events.filter(events.customer_id.notnull()).select(
        "customer_id", "measure", "value", at=events.occurred_at
    )
    return _windowed_means(answers, events, "measure", window_days, index)


def _stage_scores(
    reader: WarehouseReader, answers: ir.Table, window_days: int, index: pd.Index
) -> pd.DataFrame:
    responses = reader.table("responses")
    stages = reader.table("stages").select("stage_id", stage="key")
    touchpoints = reader.table("touchpoints").select("touchpoint_id", "stage_id")
    located = responses.join(touchpoints, "touchpoint_id").join(stages, "stage_id")
    columns = []
    for score in ("csat", "ces", "rating"):
        scored = located.filter(located[score].notnull())
        events = scored.select(
            "customer_id", at=scored.submitted_at, value=scored[score].cast("float64"),
            stage=scored.stage.concat(f" {score}"),
        )  # fmt: skip
        columns.append(_windowed_means(answers, events, "stage", window_days, index))
    return pd.concat(columns, axis=1)
