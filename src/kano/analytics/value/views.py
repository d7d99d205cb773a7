"""Customer-value analyses as whole answers, read from a warehouse backend.

The CLI (``kano value …``), the API (``/api/v1/value/…``), the pages (``/value/…``) and the
customer 360 page all call these functions, so a number is computed one way whichever door
a user comes through. Each takes an Ibis backend holding the warehouse schema and the
workspace id; errors are :class:`InvalidInput` naming the parameter.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, TypeVar, cast

import numpy as np
import pandas as pd

from kano.analytics.value import report
from kano.analytics.value.client_matrix import LEVELS, STRATEGIES, cell_movements
from kano.analytics.value.clv import BgNbdParams, CannotFitError, GammaGammaParams
from kano.analytics.value.inputs import (
    ValueReader,
    churn_datasets,
    clv_summary,
    customer_features,
    rfm_inputs,
)
from kano.analytics.value.rfm import DEFAULT_SEGMENTS, SegmentRule, segment_transitions
from kano.analytics.value.transactions import TIME_UNITS, CustomerSummary, calibration_check
from kano.domain.shared.errors import InvalidInput

Record = dict[str, Any]
T = TypeVar("T")
Memo = Callable[[tuple[Any, ...], Callable[[], Any]], Any]
"""``memo(key, work)``: ``work()``'s result, or the one kept for ``key`` (a cache the caller
owns and keys to the warehouse's state; the analyses here keep nothing themselves)."""


def remembered(
    memo: Memo | None, analysis: Callable[..., T], backend: Any, workspace_id: int, **options: Any
) -> T:
    """``analysis(backend, workspace_id, **options)`` through ``memo`` when one is given."""
    if memo is None:
        return analysis(backend, workspace_id, **options)
    # Options at their defaults are left out, so that equal requests share a key.
    defaults = {name: p.default for name, p in inspect.signature(analysis).parameters.items()}
    given = sorted((k, v) for k, v in options.items() if v is not None and v != defaults.get(k))
    key = (analysis.__name__, *given)
    return cast(T, memo(key, lambda: analysis(backend, workspace_id, **options)))


def checked(name: str, work: Callable[[], T]) -> T:
    """Run ``work``; the analytics' ``ValueError`` becomes :class:`InvalidInput` naming
    ``name`` (they know no option or parameter names)."""
    try:
        return work()
    except InvalidInput:
        raise
    except ValueError as error:
        raise InvalidInput(name, str(error)) from error


def scoring_day(reader: ValueReader, given: date | None) -> datetime:
    """``given`` at midnight, or the day after the last order (all orders counted)."""
    if given is None:
        end = reader.data_end()
        return datetime(end.year, end.month, end.day) + timedelta(days=1)
    return datetime(given.year, given.month, given.day)


# --- RFM ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class RfmView:
    as_of: datetime
    customers: list[Record]
    segments: list[Record]  # name, customers, revenue, share of revenue, mean NPS
    transitions: list[Record] = field(default_factory=list)  # from, to, customers
    transitions_from: datetime | None = None


def _rfm_of(
    reader: ValueReader, day: datetime, lookback_days: int, option: str,
    segments: tuple[SegmentRule, ...],
) -> list[Record]:  # fmt: skip
    inputs = rfm_inputs(reader, as_of=day, lookback_days=lookback_days)
    if inputs.empty:
        raise InvalidInput(option, f"no order in the {lookback_days} days before {day:%Y-%m-%d}")
    return checked("lookback_days", lambda: report.rfm_records(inputs, segments))


def rfm_view(
    backend: Any,
    workspace_id: int,
    *,
    segment: str | None = None,
    as_of: date | None = None,
    lookback_days: int = 365,
    transitions_from: date | None = None,
    segments: tuple[SegmentRule, ...] = DEFAULT_SEGMENTS,
) -> RfmView:
    """Every customer's RFM scores and segment, the segments' revenue and NPS, and (with
    ``transitions_from``) how many customers moved from each segment to each other."""
    reader = ValueReader(backend, workspace_id, segment)
    day = scoring_day(reader, as_of)
    customers = _rfm_of(reader, day, lookback_days, "as_of", segments)
    earlier = None
    moves: list[Record] = []
    if transitions_from is not None:
        earlier = scoring_day(reader, transitions_from)
        if earlier >= day:
            raise InvalidInput("transitions_from", "must be before the scoring day")
        then = _rfm_of(reader, earlier, lookback_days, "transitions_from", segments)
        before = {r["customer_id"]: r["segment"] for r in then}
        after = {r["customer_id"]: r["segment"] for r in customers}
        moves = [{"from": a, "to": b, "customers": n}
                 for (a, b), n in segment_transitions(before, after).items()]  # fmt: skip
    answers = _nps_answers(reader, day)
    return RfmView(day, customers, _segment_summary(customers, answers), moves, earlier)


def _nps_answers(reader: ValueReader, day: datetime) -> pd.DataFrame:
    """Per customer: NPS answers, promoters and detractors in the year before ``day``."""
    responses = reader.facts("responses")
    window = responses.filter((responses.submitted_at < day)
                              & (responses.submitted_at >= day - timedelta(days=365))
                              & responses.nps.notnull())  # fmt: skip
    counts = window.group_by("customer_id").aggregate(
        answers=window.count(), promoters=(window.nps >= 9).sum(),
        detractors=(window.nps <= 6).sum())  # fmt: skip
    return counts.to_pandas().set_index("customer_id").astype("int64")


def _segment_summary(customers: list[Record], answers: pd.DataFrame) -> list[Record]:
    """Customers, revenue and its share, and NPS (100 × (promoters − detractors) / answers)
    of each RFM segment."""
    frame = pd.DataFrame(customers, columns=["customer_id", "segment", "monetary"])
    frame = frame.join(answers, on="customer_id")
    total = float(frame["monetary"].sum()) or 1.0
    rows = []
    for name, part in frame.groupby("segment", sort=False):
        n = int(part["answers"].sum())
        nps = 100.0 * float(part["promoters"].sum() - part["detractors"].sum()) / n if n else None
        rows.append({"segment": str(name), "customers": len(part),
                     "revenue": float(part["monetary"].sum()),
                     "revenue_share": float(part["monetary"].sum()) / total,
                     "nps": nps, "nps_answers": n})  # fmt: skip
    return sorted(rows, key=lambda r: -r["revenue"])


# --- Client matrix -------------------------------------------------------------------------


@dataclass(frozen=True)
class MatrixView:
    as_of: datetime
    accounts: list[Record]
    cells: list[Record]  # attractiveness_level, relationship_level, accounts, strategy
    movements: list[Record] = field(default_factory=list)
    movements_from: datetime | None = None


def matrix_view(
    backend: Any,
    workspace_id: int,
    *,
    segment: str | None = None,
    as_of: date | None = None,
    all_customers: bool = False,
    movements_from: date | None = None,
) -> MatrixView:
    """Each account's cell (attractiveness × relationship) with the cell's strategy, and with
    ``movements_from`` the accounts' moves between cells since that day."""
    reader = ValueReader(backend, workspace_id, segment)
    day = scoring_day(reader, as_of)

    def placed(when: datetime) -> tuple[list[Record], Any]:
        frame = customer_features(reader, as_of=when)
        if not all_customers:
            frame = frame[frame["kind"] == "account"]
        return checked("as_of", lambda: report.matrix_records(frame))

    accounts, matrix = placed(day)
    counts = matrix.cell_counts()
    cells = [{"attractiveness_level": a, "relationship_level": r, "accounts": counts[(a, r)],
              "strategy": STRATEGIES[(a, r)]} for a in LEVELS for r in LEVELS]  # fmt: skip
    moves: list[Record] = []
    earlier = None
    if movements_from is not None:
        earlier = scoring_day(reader, movements_from)
        if earlier >= day:
            raise InvalidInput("movements_from", "must be before the scoring day")
        before = _cells(placed(earlier)[0])
        moved = cell_movements(before, _cells(accounts))
        moves = [{"from_attractiveness": a[0], "from_relationship": a[1],
                  "to_attractiveness": b[0], "to_relationship": b[1], "accounts": n}
                 for (a, b), n in sorted(moved.items())]  # fmt: skip
    return MatrixView(day, accounts, cells, moves, earlier)


def _cells(rows: list[Record]) -> dict[object, tuple[str, str]]:
    return {r["customer_id"]: (r["attractiveness_level"], r["relationship_level"]) for r in rows}


# --- Profit formula ------------------------------------------------------------------------


def profit_view(
    backend: Any,
    workspace_id: int,
    *,
    segment: str | None = None,
    months: int = 3,
    costs_before: float = 0.0,
    costs_after: float = 0.0,
    industry: str = "generic",
    method: str = "shapley",
) -> Record:
    """The profit formula for the last two complete periods and the exact attribution of
    the change to each lever (see :func:`report.profit_report`)."""
    reader = ValueReader(backend, workspace_id, segment)
    return checked("method", lambda: report.profit_report(
        reader, months=months, costs_before=costs_before, costs_after=costs_after,
        industry=industry, method=method))  # fmt: skip


# --- CLV -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClvFit:
    segment: str | None
    summary: CustomerSummary
    bg: BgNbdParams
    gg: GammaGammaParams


@dataclass(frozen=True)
class ClvProblem:
    """A segment the models could not be fitted to: ``reason`` is one of
    :class:`CannotFitError`'s (``few_repeat_buyers``, ``not_converged`` …), ``message``
    the model's own words. Its customers are left out of the answer."""

    segment: str | None
    reason: str
    message: str
    customers: int
    repeat_buyers: int

    def status(self) -> Record:
        return {"segment": self.segment, "status": "not_fitted", "reason": self.reason,
                "message": self.message, "customers": self.customers,
                "repeat_buyers": self.repeat_buyers}  # fmt: skip


@dataclass(frozen=True)
class ClvView:
    time_unit: str
    fits: list[ClvFit]
    customers: list[Record] = field(default_factory=list)
    holdout: list[Record] = field(default_factory=list)  # predicted vs actual by frequency
    problems: list[ClvProblem] = field(default_factory=list)  # segments not fitted

    def parameters(self) -> list[Record]:
        return [report.clv_parameters(f.segment, f.summary, f.bg, f.gg, self.time_unit)
                for f in self.fits]  # fmt: skip

    def statuses(self) -> list[Record]:
        """Every segment asked for, fitted or not (and why not), in segment order."""
        fitted = [{"segment": f.segment, "status": "fitted", "reason": None, "message": None,
                   "customers": len(f.summary.frequency),
                   "repeat_buyers": int(np.count_nonzero(f.summary.frequency))}
                  for f in self.fits]  # fmt: skip
        rows = fitted + [p.status() for p in self.problems]
        return sorted(rows, key=lambda r: str(r["segment"] or ""))


class ClvNotFitted(InvalidInput):
    """No group asked for could be fitted; ``problems`` says why for each."""

    def __init__(self, problems: list[ClvProblem]) -> None:
        only = len(problems) == 1 and problems[0].segment is None
        super().__init__("data" if only else "segment", "; ".join(
            p.message if only else f"{p.segment}: {p.message}" for p in problems))  # fmt: skip
        self.problems = problems


def fit_segments(
    groups: list[tuple[str | None, CustomerSummary]],
) -> tuple[list[ClvFit], list[ClvProblem]]:
    """BG/NBD and Gamma-Gamma per group; the groups that cannot be fitted, and why."""
    fits, problems = [], []
    for name, summary in groups:
        try:
            bg, gg = report.fit_clv(summary)
        except CannotFitError as error:
            repeaters = int(np.count_nonzero(summary.frequency))
            problems.append(ClvProblem(
                name, error.reason, str(error), len(summary.frequency),
                repeaters if error.repeat_buyers is None else error.repeat_buyers))  # fmt: skip
            continue
        fits.append(ClvFit(name, summary, bg, gg))
    return fits, problems


def fit_summaries(groups: list[tuple[str | None, CustomerSummary]]) -> list[ClvFit]:
    """BG/NBD and Gamma-Gamma per group; a group that cannot be fitted is an error."""
    fits, problems = fit_segments(groups)
    if problems:
        raise ClvNotFitted(problems)
    return fits


def clv_view(
    backend: Any,
    workspace_id: int,
    *,
    segment: str | None = None,
    pooled: bool = False,
    calibration_end: date | None = None,
    time_unit: str = "week",
    holdout: float | None = None,
    horizon: float = 52.0,
    steps: int = 12,
    discount_rate: float = 0.01,
    margin: float = 1.0,
) -> ClvView:
    """CLV of every buying customer, fitted per segment (or pooled, or for one segment).

    A segment the models cannot be fitted to is left out and named in ``problems`` (with
    why); only when no group can be fitted is the answer an error (:class:`ClvNotFitted`).
    With ``holdout`` (time units), the fit ends that long before the data's end (or at
    ``calibration_end``) and the answer is the calibration/holdout check instead."""
    if time_unit not in TIME_UNITS:
        raise InvalidInput("time_unit", f"choose one of {', '.join(TIME_UNITS)}")
    reader = ValueReader(backend, workspace_id, segment)
    span = timedelta(days=(holdout or 0.0) * TIME_UNITS[time_unit])
    end = calibration_end or (reader.data_end().date() - span)
    observed = end + span if holdout else None
    keys: list[str | None] = [segment]
    if not (pooled or segment):
        segments = reader.table("segments").select("key").to_pandas()
        keys = sorted(segments["key"].astype(str))
    groups = []
    for key in keys:
        part = ValueReader(backend, workspace_id, key) if key else reader
        try:
            summary = clv_summary(part, calibration_end=end, observation_end=observed,
                                  time_unit=time_unit)  # fmt: skip
        except InvalidInput:
            if len(keys) == 1:
                raise
            continue  # a segment without orders before the calibration end
        if len(summary.frequency):
            groups.append((key, summary))
    if not groups:
        raise InvalidInput("segment", "no customer has ordered")
    fits, problems = fit_segments(groups)
    if not fits:
        raise ClvNotFitted(problems)
    if holdout:
        checks = [{"segment": f.segment, **asdict(bucket)}
                  for f in fits for bucket in calibration_check(f.bg, f.summary)]  # fmt: skip
        return ClvView(time_unit, fits, holdout=checks, problems=problems)
    return ClvView(time_unit, fits, customers=clv_records(
        fits, horizon=horizon, steps=steps, discount_rate=discount_rate, margin=margin),
        problems=problems)  # fmt: skip


def clv_records(fits: list[ClvFit], *, horizon: float, steps: int, discount_rate: float,
                margin: float) -> list[Record]:  # fmt: skip
    records: list[Record] = []
    for fit in fits:
        records.extend(checked("horizon", lambda f=fit: report.clv_records(  # type: ignore[misc]
            f.segment, f.summary, f.bg, f.gg, horizon=horizon, steps=steps,
            discount_rate=discount_rate, margin=margin)))  # fmt: skip
    return records


# --- Churn ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChurnView:
    quality: Record  # method, window, holdout AUC / Brier / base rate, drivers, reliability
    customers: list[Record]  # riskiest first


def churn_view(
    backend: Any,
    workspace_id: int,
    *,
    segment: str | None = None,
    method: str = "logistic",
    window_days: int = 180,
) -> ChurnView:
    """Every active customer's churn risk and top reasons, from a model trained on an
    earlier cut-off and judged on a later one."""
    if method not in ("logistic", "boosting"):
        raise InvalidInput("method", "choose logistic or boosting")
    reader = ValueReader(backend, workspace_id, segment)
    train, holdout, current = churn_datasets(reader, window_days=window_days)
    quality, records, _model = checked("window_days", lambda: report.churn_report(
        train, holdout, current, method=method, window_days=window_days))  # fmt: skip
    return ChurnView(quality, records)


# --- One customer --------------------------------------------------------------------------


@dataclass(frozen=True)
class CustomerValue:
    """One customer's place in every analysis, and its history on earlier days."""

    rfm: Record | None
    rfm_history: list[tuple[date, str | None]]  # (day, segment); None: not active then
    matrix: Record | None  # accounts only
    matrix_history: list[tuple[date, tuple[str, str] | None]]
    clv: Record | None
    churn: Record | None  # churn_risk, reasons; None when not active now
    churn_auc: float | None


def _find(rows: list[Record], customer_id: int) -> Record | None:
    return next((r for r in rows if int(r["customer_id"]) == customer_id), None)


def _or_none(work: Callable[[], T]) -> T | None:
    """An analysis that cannot run for this workspace (too little data) leaves a gap."""
    try:
        return work()
    except (InvalidInput, ValueError):
        return None


def customer_value(
    backend: Any, workspace_id: int, customer_id: int, *, segment: str | None,
    is_account: bool, history: list[date], memo: Memo | None = None,
) -> CustomerValue:  # fmt: skip
    """RFM, client-matrix cell, CLV (fitted on the customer's segment) and churn risk of
    one customer, with the RFM segment and matrix cell on each day of ``history``. The
    analyses cover every customer; with ``memo`` the next customer's page reuses them."""

    def run(analysis: Callable[..., T], **options: Any) -> T | None:
        return _or_none(lambda: remembered(memo, analysis, backend, workspace_id, **options))

    rfm_now = run(rfm_view)
    rfm_history: list[tuple[date, str | None]] = []
    matrix_history: list[tuple[date, tuple[str, str] | None]] = []
    for day in history:
        then = run(rfm_view, as_of=day)
        found = _find(then.customers, customer_id) if then else None
        rfm_history.append((day, found["segment"] if found else None))
        if is_account:
            placed = run(matrix_view, as_of=day)
            cell = _find(placed.accounts, customer_id) if placed else None
            matrix_history.append(
                (day, (cell["attractiveness_level"], cell["relationship_level"]) if cell else None)
            )
    matrix_now = run(matrix_view) if is_account else None
    clv = run(clv_view, segment=segment, pooled=segment is None)
    churn = run(churn_view)
    return CustomerValue(
        rfm=_find(rfm_now.customers, customer_id) if rfm_now else None,
        rfm_history=rfm_history,
        matrix=_find(matrix_now.accounts, customer_id) if matrix_now else None,
        matrix_history=matrix_history,
        clv=_find(clv.customers, customer_id) if clv else None,
        churn=_find(churn.customers, customer_id) if churn else None,
        churn_auc=churn.quality["holdout_auc"] if churn else None,
    )
