"""From a transaction log to the per-customer summary the CLV models need, and back again.

The summary follows the convention of Fader, Hardie & Lee (2005) and of every CLV tool
built on it: purchases on the same day count once (their amounts add up); the first
purchase only starts the clock, so frequency counts *repeat* days and monetary is the mean
of the repeat days' amounts. Customers who first buy after the calibration end are left out
(they have no calibration history to predict from).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from kano.analytics.value.clv import BgNbdParams, CannotFitError, expected_purchases

#: Days per time unit. A month is the mean Gregorian month.
TIME_UNITS: dict[str, float] = {"day": 1.0, "week": 7.0, "month": 30.436875}


@dataclass(frozen=True)
class CustomerSummary:
    """Per-customer calibration summary (and the holdout count when a holdout is given)."""

    customer: NDArray[np.object_]
    frequency: NDArray[np.float64]
    recency: NDArray[np.float64]
    T: NDArray[np.float64]
    monetary: NDArray[np.float64]
    holdout_frequency: NDArray[np.float64] | None
    holdout_length: float | None


def summarise_transactions(
    customer: ArrayLike,
    date: ArrayLike,
    amount: ArrayLike,
    *,
    calibration_end: np.datetime64 | str,
    observation_end: np.datetime64 | str | None = None,
    time_unit: str = "week",
) -> CustomerSummary:
    """Build frequency / recency / T / monetary (and holdout purchases) per customer."""
    if time_unit not in TIME_UNITS:
        raise CannotFitError(f"time unit: {time_unit!r} is not one of {', '.join(TIME_UNITS)}")
    days = TIME_UNITS[time_unit]
    frame = pd.DataFrame(
        {
            "customer": np.asarray(customer, dtype=object),
            "date": pd.to_datetime(np.asarray(date), errors="coerce").normalize(),
            "amount": pd.to_numeric(np.asarray(amount), errors="coerce"),
        }
    )
    bad = frame["date"].isna()
    if bad.any():
        raise CannotFitError(f"date: row {int(np.flatnonzero(bad)[0]) + 1} is not a date")
    bad = frame["amount"].isna()
    if bad.any():
        raise CannotFitError(f"amount: row {int(np.flatnonzero(bad)[0]) + 1} is not a number")
    cal_end = pd.Timestamp(calibration_end)
    obs_end = pd.Timestamp(observation_end) if observation_end is not None else None
    if obs_end is not None and obs_end <= cal_end:
        raise CannotFitError("observation end: must be after the calibration end")

    daily = frame.groupby(["customer", "date"], sort=True, as_index=False)["amount"].sum()
    calibration = daily[daily["date"] <= cal_end]
    if calibration.empty:
        raise CannotFitError("calibration end: no transaction on or before it")
    grouped = calibration.groupby("customer", sort=True)
    first = grouped["date"].min()
    last = grouped["date"].max()
    count = grouped["date"].size()
    total = grouped["amount"].sum()
    first_amount = grouped["amount"].first()
    repeats = (count - 1).astype(np.float64)
    monetary = np.where(repeats > 0, (total - first_amount) / repeats.where(repeats > 0, 1), 0.0)

    holdout: NDArray[np.float64] | None = None
    holdout_length: float | None = None
    if obs_end is not None:
        later = daily[(daily["date"] > cal_end) & (daily["date"] <= obs_end)]
        holdout = (
            later.groupby("customer")["date"].size().reindex(first.index, fill_value=0)
        ).to_numpy(dtype=np.float64)
        holdout_length = (obs_end - cal_end).days / days

    return CustomerSummary(
        customer=first.index.to_numpy(dtype=object),
        frequency=repeats.to_numpy(),
        recency=((last - first).dt.days / days).to_numpy(dtype=np.float64),
        T=((cal_end - first).dt.days / days).to_numpy(dtype=np.float64),
        monetary=np.asarray(monetary, dtype=np.float64),
        holdout_frequency=holdout,
        holdout_length=holdout_length,
    )


@dataclass(frozen=True)
class CalibrationBucket:
    """Customers with the same calibration frequency: predicted vs actual holdout purchases."""

    frequency: str
    customers: int
    actual: float
    predicted: float


def calibration_check(
    params: BgNbdParams, summary: CustomerSummary, *, top_bucket: int = 7
) -> list[CalibrationBucket]:
    """Mean holdout purchases by calibration frequency, as in FHL (2005) figure 4.

    The last bucket pools every frequency ≥ ``top_bucket`` so that it is not a handful of
    heavy buyers.
    """
    if summary.holdout_frequency is None or summary.holdout_length is None:
        raise CannotFitError("calibration check: the summary has no holdout period")
    predicted = expected_purchases(
        params, summary.frequency, summary.recency, summary.T, summary.holdout_length
    )
    bucket = np.minimum(summary.frequency, top_bucket).astype(int)
    rows = []
    for value in range(top_bucket + 1):
        members = bucket == value
        if not members.any():
            continue
        label = f"{value}+" if value == top_bucket else str(value)
        rows.append(
            CalibrationBucket(
                frequency=label,
                customers=int(members.sum()),
                actual=float(summary.holdout_frequency[members].mean()),
                predicted=float(predicted[members].mean()),
            )
        )
    return rows
