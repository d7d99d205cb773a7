"""CLV as a whole answer: BG/NBD and Gamma-Gamma fitted per segment (or pooled), every
buying customer's value, and the segments the models could not be fitted to, with why."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np

from kano.analytics.value import report
from kano.analytics.value.clv import BgNbdParams, CannotFitError, GammaGammaParams
from kano.analytics.value.inputs import (
    ValueReader,
    calibration_rows,
    clv_summary,
    daily_spend,
    holdout_counts,
    summary_of_rows,
)
from kano.analytics.value.transactions import TIME_UNITS, CustomerSummary, calibration_check
from kano.analytics.value.views.running import Record, checked
from kano.domain.shared.errors import InvalidInput


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


#: A reason of :class:`CannotFitError` in a few English words, for the API and CLI (the
#: pages say it in the reader's language).
REASON_WORDS = {
    "few_repeat_buyers": "too few repeat buyers",
    "no_spread": "its customers buy too much alike",
    "not_converged": "the fit did not converge",
    "heavy_tail": "spend too heavy-tailed for a finite mean",
    "data": "unusable data",
}


class ClvNotFitted(InvalidInput):
    """No group asked for could be fitted; ``problems`` says why for each.

    The API answers it as a 422 problem with ``code`` ``clv_not_fitted`` and ``segments``
    (each with ``reason``, the model's ``message``, customers and repeat buyers)."""

    code = "clv_not_fitted"

    def __init__(self, problems: list[ClvProblem]) -> None:
        only = len(problems) == 1 and problems[0].segment is None
        why = "; ".join(
            f"{'all customers' if p.segment is None else p.segment}: "
            f"{REASON_WORDS.get(p.reason, p.reason)} ({p.message})"
            for p in problems
        )
        asked = "these customers" if only else "any segment asked for"
        super().__init__(
            "data" if only else "segment",
            f"the CLV models could not be fitted to {asked}, so there is no CLV to show — {why}",
        )
        self.problems = problems

    def details(self) -> dict[str, object]:
        return {"segments": [p.status() for p in self.problems]}


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
    # No order before the end is named after what the caller chose: the calibration end it
    # gave, or the holdout that put the end before every order, or else the segment.
    chosen = "calibration_end" if calibration_end else "holdout" if holdout else "segment"
    groups: list[tuple[str | None, CustomerSummary]] = []
    if len(keys) > 1:  # a segment without orders before the calibration end is left out
        every = segment_summaries(reader, end, observed, time_unit)
        groups = [(key, every[key]) for key in keys if key is not None and key in every]
    for key in keys if len(keys) == 1 else []:
        part = ValueReader(backend, workspace_id, key) if key else reader
        try:
            summary = clv_summary(part, calibration_end=end, observation_end=observed,
                                  time_unit=time_unit)  # fmt: skip
        except InvalidInput as error:
            raise InvalidInput(chosen, error.message) from error
        groups.append((key, summary))
    groups = [(key, summary) for key, summary in groups if len(summary.frequency)]
    if not groups:
        why = "no customer has ordered" if chosen == "segment" else f"no order on or before {end}"
        raise InvalidInput(chosen, why)
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


def segment_summaries(
    reader: ValueReader, end: date, observed: date | None, time_unit: str
) -> dict[str, CustomerSummary]:
    """Each segment's :func:`~kano.analytics.value.inputs.clv_summary` (by key; segments
    without an order on or before ``end`` are absent), from one query for the workspace
    split here, not one query per segment (each a few tens of milliseconds of compiling
    alone). The per-customer figures do not depend on the segment, so they are the same."""
    end = end.date() if isinstance(end, datetime) else end  # as clv_summary takes it
    daily = daily_spend(reader.facts("transactions"))
    customers = reader.table("customers").select("customer_id", "segment_id")
    segments = reader.table("segments").select("segment_id", "key")
    rows = calibration_rows(daily, end)
    keyed = rows.join(customers, "customer_id").join(segments, "segment_id")
    found = keyed.select(*rows.columns, "key").to_pandas()
    counts = None if observed is None else holdout_counts(daily, end, observed).to_pandas()
    summaries = {}
    for key, part in found.groupby("key", sort=False):
        rows_of_key = part.drop(columns="key").sort_values("customer_id")
        summaries[str(key)] = summary_of_rows(rows_of_key, end, observed, counts, time_unit)
    return summaries


def clv_records(fits: list[ClvFit], *, horizon: float, steps: int, discount_rate: float,
                margin: float) -> list[Record]:  # fmt: skip
    records: list[Record] = []
    for fit in fits:
        records.extend(checked("horizon", lambda f=fit: report.clv_records(  # type: ignore[misc]
            f.segment, f.summary, f.bg, f.gg, horizon=horizon, steps=steps,
            discount_rate=discount_rate, margin=margin)))  # fmt: skip
    return records
