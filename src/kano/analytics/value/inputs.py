"""What customer-value analytics need from the warehouse, computed there through Ibis.

Every aggregate per customer (days with orders, first/last order, spend, margin, survey
answers, delivery delays, payment delays) runs in the warehouse, filtered by workspace, so
only one small row per customer comes back; the time arithmetic on those few rows (days
between two timestamps) is done in pandas because interval types differ between the
engines Ibis drives. ``backend`` is any Ibis backend holding the warehouse schema of
``kano.metrics.warehouse_schema``.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import ibis.expr.datatypes as dt
import numpy as np
import pandas as pd

from kano.analytics.value.transactions import TIME_UNITS, CustomerSummary
from kano.domain.shared.errors import InvalidInput

DAY = pd.Timedelta(days=1)

#: Sums and means of float columns (money, delays) run on this exact type. DuckDB adds
#: floats in parallel threads in no fixed order, so a float sum's last bits changed from
#: run to run — and a flat likelihood turned that into a CLV parameter differing in the
#: 4th digit (Gamma-Gamma p 1.88793 vs 1.88796 on one warehouse). A DECIMAL sum is exact,
#: so any order gives the same total. Four decimals keep cents and sub-cent prices; 18
#: digits allow 10^14 per row, and the engines widen the sum (DuckDB to 38 digits).
EXACT = dt.Decimal(18, 4)


def exact_sum(column: Any, where: Any = None) -> Any:
    """``column.sum(where=…)`` as a float, added up exactly (same total in any order)."""
    return column.cast(EXACT).sum(where=where).cast("float64")


def exact_mean(column: Any, where: Any = None) -> Any:
    """``column.mean(where=…)`` as a float, from an exact sum (same mean in any order)."""
    return column.cast(EXACT).mean(where=where).cast("float64")


def _at(day: date | datetime) -> datetime:
    return day if isinstance(day, datetime) else datetime(day.year, day.month, day.day)


class ValueReader:
    """The workspace's facts, optionally restricted to one segment (by key).

    A segment means its *current* members: the customers with an open span in the
    warehouse's ``segment_memberships`` (as of the last ``kano warehouse load``), whatever
    the segment's source — manual, rule, RFM, value tier or matrix cell. Their whole
    history counts (orders before they joined too): the analyses describe these customers,
    not the segment's past membership, and a rule segment defined today has no past."""

    def __init__(self, backend: Any, workspace_id: int, segment: str | None = None) -> None:
        self.backend = backend
        self.workspace_id = workspace_id
        self.customers = self.table("customers")
        if segment:
            self.customers = self.customers.semi_join(
                current_members(self, segment), "customer_id"
            )
        self.segment = segment

    def table(self, name: str) -> Any:
        t = self.backend.table(name)
        return t.filter(t.workspace_id == self.workspace_id)

    def facts(self, name: str) -> Any:
        t = self.table(name)
        if self.segment:
            t = t.semi_join(self.customers.select("customer_id"), "customer_id")
        return t

    def data_end(self) -> pd.Timestamp:
        """The last order in the workspace (the end of observation)."""
        tx = self.table("transactions")
        last = tx.aggregate(last=tx.occurred_at.max()).to_pandas()["last"].iloc[0]
        if pd.isna(last):
            raise InvalidInput("workspace", "has no transactions in the warehouse")
        return pd.Timestamp(last)


def current_members(reader: ValueReader, segment: str) -> Any:
    """``customer_id`` of the segment's current members (an Ibis expression); InvalidInput
    when the warehouse holds no such segment. Members as the metrics count them
    (:meth:`kano.metrics.star.Star.members_of`): a workspace whose spans are not loaded
    yet answers with the customers filed under the segment until its next load."""
    from kano.metrics.star import Star  # the metric compiler's imports, on first use

    segments = reader.table("segments")
    found = segments.filter(segments.key == segment).select("segment_id").to_pandas()
    if found.empty:
        raise InvalidInput("segment", f"unknown segment {segment!r}")
    members = Star(reader.backend, reader.workspace_id).members_of([segment])
    return members.select(customer_id=members._member)


def clv_summary(
    reader: ValueReader,
    *,
    calibration_end: date | datetime,
    observation_end: date | datetime | None = None,
    time_unit: str = "week",
) -> CustomerSummary:
    """Frequency / recency / T / monetary per customer (days with orders, as in FHL 2005)."""
    if time_unit not in TIME_UNITS:
        raise InvalidInput("time_unit", f"choose one of {', '.join(TIME_UNITS)}")
    daily = daily_spend(reader.facts("transactions"))
    cal_end = _at(calibration_end).date()
    rows = calibration_rows(daily, cal_end).to_pandas().sort_values("customer_id")
    if rows.empty:
        raise InvalidInput("calibration_end", f"no order on or before {cal_end}")
    counts = None
    if observation_end is not None:
        counts = holdout_counts(daily, cal_end, _at(observation_end).date()).to_pandas()
    return summary_of_rows(rows, cal_end, observation_end, counts, time_unit)


def daily_spend(tx: Any) -> Any:
    """Per customer and day with orders: the day's amount (exactly summed)."""
    return tx.group_by(tx.customer_id, day=tx.occurred_at.date()).aggregate(
        amount=exact_sum(tx.amount)
    )


def calibration_rows(daily: Any, cal_end: date) -> Any:
    """Per customer with an order on or before ``cal_end``: first and last day, days with
    orders, total and the first day's amount (an Ibis expression)."""
    calibration = daily.filter(daily.day <= cal_end)
    per = calibration.group_by("customer_id").aggregate(
        first=calibration.day.min(),
        last=calibration.day.max(),
        days=calibration.count(),
        total=exact_sum(calibration.amount),
    )
    first_amount = per.join(
        calibration, (per.customer_id == calibration.customer_id) & (per.first == calibration.day)
    ).select(per.customer_id, first_amount=calibration.amount)
    return per.join(first_amount, "customer_id")


def holdout_counts(daily: Any, cal_end: date, obs_end: date) -> Any:
    """Per customer: days with orders after ``cal_end`` up to ``obs_end`` (Ibis)."""
    later = daily.filter((daily.day > cal_end) & (daily.day <= obs_end))
    return later.group_by("customer_id").aggregate(n=later.count())


def summary_of_rows(
    rows: pd.DataFrame,
    cal_end: date,
    observation_end: date | datetime | None,
    counts: pd.DataFrame | None,
    time_unit: str,
) -> CustomerSummary:
    """The summary from :func:`calibration_rows` (sorted by customer) and, with a holdout,
    :func:`holdout_counts` (customers without a later order count 0)."""
    unit = TIME_UNITS[time_unit] * DAY
    first = pd.to_datetime(rows["first"])
    repeats = rows["days"].to_numpy(dtype=np.float64) - 1.0
    repeat_total = rows["total"].to_numpy(dtype=np.float64) - rows["first_amount"].to_numpy(
        dtype=np.float64
    )
    holdout = holdout_length = None
    if observation_end is not None and counts is not None:
        obs_end = _at(observation_end).date()
        holdout = (
            rows["customer_id"]
            .map(dict(zip(counts["customer_id"], counts["n"], strict=True)))
            .fillna(0)
            .to_numpy(dtype=np.float64)
        )
        holdout_length = (obs_end - cal_end) / timedelta(days=TIME_UNITS[time_unit])
    return CustomerSummary(
        customer=rows["customer_id"].to_numpy(dtype=object),
        frequency=repeats,
        recency=((pd.to_datetime(rows["last"]) - first) / unit).to_numpy(dtype=np.float64),
        T=((pd.Timestamp(cal_end) - first) / unit).to_numpy(dtype=np.float64),
        monetary=np.where(repeats > 0, repeat_total / np.maximum(repeats, 1.0), 0.0),
        holdout_frequency=holdout,
        holdout_length=holdout_length,
    )


def rfm_inputs(reader: ValueReader, *, as_of: datetime, lookback_days: int = 365) -> pd.DataFrame:
    """``customer_id, recency_days, frequency, monetary`` of customers who ordered in the
    ``lookback_days`` before ``as_of`` (orders in the window; revenue in the window)."""
    tx = reader.facts("transactions")
    window = tx.filter(
        (tx.occurred_at < as_of) & (tx.occurred_at >= as_of - timedelta(days=lookback_days))
    )
    rows = (
        window.group_by("customer_id")
        .aggregate(
            last=window.occurred_at.max(),
            frequency=window.count(),
            monetary=exact_sum(window.amount),
        )
        .to_pandas()
        .sort_values("customer_id", ignore_index=True)
    )
    rows["recency_days"] = (pd.Timestamp(as_of) - pd.to_datetime(rows["last"])) / DAY
    return rows[["customer_id", "recency_days", "frequency", "monetary"]]


def _window(t: Any, column: str, start: date | datetime, end: date | datetime) -> Any:
    return t.filter((t[column] >= start) & (t[column] < end))


def _per_customer(expr: Any) -> pd.DataFrame:
    return expr.to_pandas().set_index("customer_id")


def customer_features(
    reader: ValueReader, *, as_of: datetime, window_days: int = 180
) -> pd.DataFrame:
    """Behaviour and experience of each customer at ``as_of`` (one row per customer that
    ordered in the year before): the churn features and the matrix's relationship criteria.
    """
    start = as_of - timedelta(days=window_days)
    year = as_of - timedelta(days=365)
    tx = reader.facts("transactions")
    last_year = _window(tx, "occurred_at", year, as_of)
    behaviour = _per_customer(
        last_year.group_by("customer_id").aggregate(
            last=last_year.occurred_at.max(),
            revenue_365d=exact_sum(last_year.amount),
            margin_365d=exact_sum(last_year.margin),
        )
    )
    recent = _window(tx, "occurred_at", start, as_of)
    half = as_of - timedelta(days=window_days / 2)
    counts = _per_customer(
        recent.group_by("customer_id").aggregate(
            orders_recent=recent.count(),
            orders_latest_half=(recent.occurred_at >= half).sum(),
            spend_recent=exact_sum(recent.amount),
        )
    )
    before = _window(tx, "occurred_at", year - timedelta(days=365), year)
    growth_base = _per_customer(
        before.group_by("customer_id").aggregate(revenue_prior_365d=exact_sum(before.amount))
    )
    pay = _window(reader.facts("payments"), "due_on", start.date(), as_of.date())
    pay = pay.filter(pay.paid_on.notnull() | pay.due_on.notnull())
    payments = _per_customer(
        pay.group_by("customer_id").aggregate(
            late_payments=(pay.paid_on > pay.due_on).sum(), payments=pay.count()
        )
    )
    responses = reader.facts("responses")
    surveys = reader.table("surveys")
    relationship = surveys.filter(surveys.key == "relationship-nps").select("survey_id")
    nps_rows = _window(responses, "submitted_at", year, as_of).semi_join(relationship, "survey_id")
    nps_rows = nps_rows.filter(nps_rows.nps.notnull())
    nps = nps_rows.select("customer_id", "submitted_at", "nps").to_pandas()
    last_nps = (
        nps.sort_values(["customer_id", "submitted_at"]).groupby("customer_id")["nps"].last()
        if not nps.empty
        else pd.Series(dtype="float64")
    )
    said = _window(responses, "submitted_at", start, as_of)
    experience = _per_customer(
        said.group_by("customer_id").aggregate(
            csat_recent=exact_mean(said.csat),
            ces_recent=exact_mean(said.ces),
            touchpoints=said.touchpoint_id.nunique(),
        )
    )
    events = _window(reader.facts("process_events"), "occurred_at", start, as_of)
    process = _per_customer(
        events.group_by("customer_id").aggregate(
            delivery_delay_days=exact_mean(events.value, events.measure == "delivery_delay_days"),
            defects=exact_sum(events.value, events.measure == "defects"),
            call_wait_seconds=exact_mean(events.value, events.measure == "call_wait_seconds"),
            support_contacts=(events.process == "support").sum(),
            loyalty_activity_recent=(events.process == "loyalty").sum(),
        )
    )
    people = _per_customer(
        reader.customers.select(
            "customer_id", "kind", "segment_id", "created_on", "wallet_estimate"
        )
    )
    frame = behaviour.join(people, how="left")
    for part in (counts, growth_base, payments, experience, process):
        frame = frame.join(part, how="left")
    frame["last_nps"] = last_nps.reindex(frame.index).astype("float64")
    frame["recency_days"] = (pd.Timestamp(as_of) - pd.to_datetime(frame["last"])) / DAY
    frame["tenure_days"] = (pd.Timestamp(as_of) - pd.to_datetime(frame["created_on"])) / DAY
    for column in ("orders_recent", "orders_latest_half", "spend_recent", "late_payments",
                   "payments", "support_contacts", "defects", "revenue_prior_365d",
                   "loyalty_activity_recent"):  # fmt: skip
        frame[column] = frame[column].fillna(0).astype("float64")
    frame["order_trend"] = 2 * frame["orders_latest_half"] - frame["orders_recent"]
    frame["late_payment_share"] = frame["late_payments"] / frame["payments"].where(
        frame["payments"] > 0
    )
    frame["growth"] = (
        frame["revenue_365d"] / frame["revenue_prior_365d"].where(frame["revenue_prior_365d"] > 0)
        - 1.0
    )
    frame["share_of_wallet"] = (frame["revenue_365d"] / 12.0) / frame["wallet_estimate"]
    return frame.drop(columns=["last", "created_on"]).sort_index()


def churn_labels(
    reader: ValueReader, customers: pd.Index, *, after: datetime, days: int
) -> pd.Series:
    """1 for customers with no order in ``[after, after + days)``."""
    tx = reader.facts("transactions")
    later = _window(tx, "occurred_at", after, after + timedelta(days=days))
    buyers = set(later.select("customer_id").distinct().to_pandas()["customer_id"].astype("int64"))
    return pd.Series([0 if c in buyers else 1 for c in customers], index=customers, name="churned")


CHURN_FEATURES: tuple[str, ...] = (
    "recency_days",
    "orders_recent",
    "order_trend",
    "spend_recent",
    "tenure_days",
    "late_payment_share",
    "last_nps",
    "csat_recent",
    "ces_recent",
    "delivery_delay_days",
    "call_wait_seconds",
    "support_contacts",
    "segment_churn_rate",
)
#: Used only where the workspace has the data (a loyalty programme imported).
OPTIONAL_CHURN_FEATURES: tuple[str, ...] = ("loyalty_activity_recent",)


def churn_features(train: pd.DataFrame) -> tuple[str, ...]:
    """The churn model's inputs: the standard ones, plus loyalty activity when any training
    customer has some (a column of zeros would only add noise to the reasons)."""
    extra = tuple(name for name in OPTIONAL_CHURN_FEATURES
                  if name in train.columns and train[name].fillna(0).any())  # fmt: skip
    return CHURN_FEATURES + extra


def churn_datasets(
    reader: ValueReader, *, window_days: int = 180
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Training, holdout and scoring frames of the customers active at each cut-off.

    Cut-offs step back from the last order: the holdout's label window ends at the data's
    end, training's ends where the holdout's starts (no overlap, no look-ahead), and the
    scoring frame is the customers as they are now. Active means an order in the
    ``window_days`` before the cut-off: customers gone for longer are already lost, and
    counting them would let recency alone look like a model. The segment enters as its
    churn rate in the *training* window (a target encoding that works for any segment
    list and leaks nothing from the holdout).
    """
    end = reader.data_end().to_pydatetime()
    step = timedelta(days=window_days)
    frames = []
    for cutoff in (end - 2 * step, end - step, end):
        frame = customer_features(reader, as_of=cutoff, window_days=window_days)
        frame = frame[frame["orders_recent"] > 0].copy()
        if cutoff < end:
            frame["churned"] = churn_labels(reader, frame.index, after=cutoff, days=window_days)
        frames.append(frame)
    train, holdout, current = frames
    if train.empty:
        raise InvalidInput("workspace", f"needs {2 * window_days} days of orders for churn")
    rates = train.groupby("segment_id")["churned"].mean()
    overall = float(train["churned"].mean())
    for frame in frames:
        frame["segment_churn_rate"] = frame["segment_id"].map(rates).fillna(overall)
    return train, holdout, current


def profit_levers(reader: ValueReader, *, start: datetime, end: datetime) -> dict[str, float]:
    """The profit formula's levers for the period ``[start, end)`` (costs are not in the
    warehouse and are left to the caller):

    * leads — customers created in the period; conversion — the share of them that ordered
      in it;
    * value per period — revenue per ordering customer per 30-day month;
    * lifetime — expected paying months, 1 / monthly churn, where churn is the share of
      the previous period's ordering customers with no order in this one (spread over the
      period's months; at most 120 months);
    * margin — margin over revenue.
    """
    months = max((end - start).days / 30.0, 1e-9)
    customers = reader.customers
    new = customers.filter(
        (customers.created_on >= start.date()) & (customers.created_on < end.date())
    )
    tx = reader.facts("transactions")
    period = _window(tx, "occurred_at", start, end)
    previous = _window(tx, "occurred_at", start - (end - start), start)
    buyers = period.select("customer_id").distinct()
    leads = int(new.count().to_pandas())
    converted = int(new.semi_join(buyers, "customer_id").count().to_pandas())
    totals = period.aggregate(
        revenue=exact_sum(period.amount),
        margin=exact_sum(period.margin),
        payers=period.customer_id.nunique(),
    ).to_pandas()
    before = previous.select("customer_id").distinct()
    stayed = int(before.semi_join(buyers, "customer_id").count().to_pandas())
    had = int(before.count().to_pandas())
    revenue = float(totals["revenue"].fillna(0).iloc[0])
    payers = int(totals["payers"].iloc[0])
    churn_period = 1.0 - stayed / had if had else 0.0
    monthly_churn = 1.0 - (1.0 - churn_period) ** (1.0 / months)
    return {
        "leads": float(leads),
        "conversion": converted / leads if leads else 0.0,
        "value_per_period": revenue / payers / months if payers else 0.0,
        "lifetime": min(1.0 / monthly_churn, 120.0) if monthly_churn > 0 else 120.0,
        "margin": float(totals["margin"].fillna(0).iloc[0]) / revenue if revenue else 0.0,
    }
