"""The built-in catalogue written the way an analyst would in a pandas notebook.

This is the opponent in ``bench/metrics.py`` and, because its results are compared with
Kano's slice by slice, an independent check of every definition at scale. It reads the
generator's Parquet files, attaches each fact's slice (segment through the customer, or
team for pulses and staff) and month once, then answers each metric with plain
``merge`` / ``groupby``. No tricks, but nothing deliberately slow either: columns are
read once, dates are parsed once, process events are split by measure once.

Every metric returns a frame indexed by ``(month, slice)`` with ``value``, ``n``,
``ci_low`` and ``ci_high``; intervals are recomputed here, vectorised, from the formulas
the metric descriptions state (Wilson, Student t, multinomial NPS).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from pandas.core.groupby import DataFrameGroupBy, SeriesGroupBy
from scipy import stats

KEYS = ["month", "slice"]
Z95 = float(stats.norm.ppf(0.975))
# Metrics whose facts have no customer are sliced by team, as in the conformance tests.
TEAM_SLICED = {"enps", "engagement", "competency_coverage", "training_hours", "turnover"}


@dataclass
class Company:
    """The generated company in memory, each fact with ``month`` and ``slice`` added."""

    responses: pd.DataFrame
    transactions: pd.DataFrame
    payments: pd.DataFrame
    events_by_measure: dict[str, pd.DataFrame]
    pulses: pd.DataFrame
    employees: pd.DataFrame
    customers: pd.DataFrame  # customer_id, slice (segment), wallet_estimate
    first_day: pd.Timestamp  # first and last day with any fact (the warehouse calendar)
    last_day: pd.Timestamp


def read_company(folder: Path) -> Company:
    """Read the Parquet files and attach month and slice to every fact table."""

    def read(table: str, columns: list[str] | None = None) -> pd.DataFrame:
        return pd.read_parquet(folder / f"{table}.parquet", columns=columns)

    customers = read("customers")
    segments = read("segments", ["segment_id", "key"]).rename(columns={"key": "slice"})
    customers = customers.merge(segments, on="segment_id", how="left")
    if "wallet_estimate" not in customers:  # the generator estimates no wallets
        customers["wallet_estimate"] = np.nan
    customers = customers[["customer_id", "slice", "wallet_estimate"]]
    segment_of = customers[["customer_id", "slice"]]
    teams = read("teams", ["team_id", "key"]).rename(columns={"key": "slice"})

    responses = read(
        "responses", ["customer_id", "submitted_at", "nps", "csat", "ces", "rating", "comment",
                      "transaction_id"],
    )  # fmt: skip
    responses = responses.merge(segment_of, on="customer_id", how="left")
    responses["month"] = responses.submitted_at.dt.to_period("M")

    transactions = read(
        "transactions", ["transaction_id", "customer_id", "occurred_at", "amount", "margin"]
    )
    transactions = transactions.merge(segment_of, on="customer_id", how="left")
    transactions["month"] = transactions.occurred_at.dt.to_period("M")

    payments = read("payments", ["customer_id", "due_on", "paid_on"])
    payments["due_on"] = pd.to_datetime(payments.due_on)
    payments["paid_on"] = pd.to_datetime(payments.paid_on)
    payments = payments.merge(segment_of, on="customer_id", how="left")
    payments["month"] = payments.due_on.dt.to_period("M")

    events = read("process_events", ["customer_id", "measure", "value", "occurred_at"])
    events = events.merge(segment_of, on="customer_id", how="left")
    events["month"] = events.occurred_at.dt.to_period("M")
    events_by_measure = {str(name): group for name, group in events.groupby("measure")}

    pulses = read("pulses", ["team_id", "submitted_at", "enps", "engagement", "competency",
                             "training_hours"])  # fmt: skip
    pulses = pulses.merge(teams, on="team_id", how="left")
    pulses["month"] = pulses.submitted_at.dt.to_period("M")

    employees = read("employees", ["team_id", "hired_on", "left_on"])
    employees["hired_on"] = pd.to_datetime(employees.hired_on)
    employees["left_on"] = pd.to_datetime(employees.left_on)
    employees = employees.merge(teams, on="team_id", how="left")

    fact_times = [
        responses.submitted_at, transactions.occurred_at, payments.due_on, events.occurred_at,
        pulses.submitted_at,
    ]  # fmt: skip
    first_day = min(times.min() for times in fact_times).normalize()
    last_day = max(times.max() for times in fact_times).normalize()
    return Company(
        responses, transactions, payments, events_by_measure, pulses, employees, customers,
        first_day, last_day,
    )  # fmt: skip


# --- finishing: value, n and the interval from per-slice statistics ------------------------


def _frame(value: pd.Series, n: pd.Series, low: object = None, high: object = None) -> pd.DataFrame:
    result = pd.DataFrame({"value": value, "n": n, "ci_low": low, "ci_high": high})
    return result[result.n > 0]


def wilson(hits: pd.Series, n: pd.Series) -> pd.DataFrame:
    """Share in % with the Wilson score interval."""
    share = hits / n
    denominator = 1 + Z95**2 / n
    centre = (share + Z95**2 / (2 * n)) / denominator
    half = Z95 * np.sqrt(share * (1 - share) / n + Z95**2 / (4 * n * n)) / denominator
    low, high = (centre - half).clip(lower=0.0), (centre + half).clip(upper=1.0)
    return _frame(100 * share, n, 100 * low, 100 * high)


def mean_t(n: pd.Series, mean: pd.Series, variance: pd.Series) -> pd.DataFrame:
    """Mean with the Student t interval (none for a single value)."""
    half = stats.t.ppf(0.975, n - 1) * np.sqrt(variance / n)
    low = (mean - half).where(n > 1)
    high = (mean + half).where(n > 1)
    return _frame(mean, n, low, high)


def mean_of(grouped_values: SeriesGroupBy) -> pd.DataFrame:
    stats_ = grouped_values.agg(["count", "mean", "var"])
    return mean_t(stats_["count"], stats_["mean"], stats_["var"])


def net_score(promoters: pd.Series, detractors: pd.Series, n: pd.Series) -> pd.DataFrame:
    p, d = promoters / n, detractors / n
    value = 100 * (p - d)
    half = Z95 * np.sqrt((100**2 * (p + d - (p - d) ** 2) / n).clip(lower=0.0))
    return _frame(value, n, (value - half).clip(lower=-100.0), (value + half).clip(upper=100.0))


def by_slice(frame: pd.DataFrame, extra: list[str] | None = None) -> DataFrameGroupBy:
    """Group by month × slice (a missing segment is a slice of its own)."""
    return frame.groupby([*KEYS, *(extra or [])], dropna=False, observed=True, sort=False)


# --- the catalogue ---------------------------------------------------------------------------


def nps_of(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    answered = frame[frame[column].notna()]
    answered = answered.assign(promoter=answered[column] >= 9, detractor=answered[column] <= 6)
    counts = by_slice(answered).agg(
        n=(column, "size"), promoters=("promoter", "sum"), detractors=("detractor", "sum")
    )
    return net_score(counts.promoters, counts.detractors, counts.n)


def share_of(frame: pd.DataFrame, hits: pd.Series) -> pd.DataFrame:
    counts = by_slice(frame.assign(hit=hits)).agg(n=("hit", "size"), hits=("hit", "sum"))
    return wilson(counts.hits, counts.n)


def answered_share(frame: pd.DataFrame, column: str, condition: Callable) -> pd.DataFrame:
    answered = frame[frame[column].notna()]
    return share_of(answered, condition(answered[column]))


def mean_column(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    return mean_of(by_slice(frame[frame[column].notna()])[column])


def count_rows(frame: pd.DataFrame) -> pd.DataFrame:
    n = by_slice(frame).size()
    return _frame(n.astype(float), n)


def total(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    sums = by_slice(frame)[column].agg(["sum", "count"])
    return _frame(sums["sum"], sums["count"])


def percentile(frame: pd.DataFrame, percent: float) -> pd.DataFrame:
    """Nearest rank (numpy's inverted CDF), as the metric descriptions say."""
    values = by_slice(frame)["value"]
    chosen = values.apply(lambda v: float(np.percentile(v, percent, method="inverted_cdf")))
    return _frame(chosen, values.size())


def complaint_share(responses: pd.DataFrame) -> pd.DataFrame:
    low_score = (
        (responses.nps <= 6) | (responses.csat <= 2) | (responses.rating <= 2)
        | (responses.ces <= 2)
    )  # fmt: skip
    wrote = responses.comment.notna() & (responses.comment != "")
    return share_of(responses, wrote & low_score)


def response_rate(company: Company) -> pd.DataFrame:
    rated = company.responses.transaction_id.dropna().unique()
    orders = company.transactions
    return share_of(orders, orders.transaction_id.isin(rated))


def per_customer_mean(orders: pd.DataFrame, how: str) -> pd.DataFrame:
    grouped = by_slice(orders, ["customer_id"])
    per_customer = grouped.size() if how == "count" else grouped.amount.sum()
    per_customer = per_customer.astype(float).rename("x").reset_index()
    return mean_of(by_slice(per_customer)["x"])


def margin_pct(orders: pd.DataFrame) -> pd.DataFrame:
    sums = by_slice(orders).agg(
        margin=("margin", "sum"), amount=("amount", "sum"), n=("amount", "size")
    )
    value = (100 * sums.margin / sums.amount).where(sums.amount != 0)
    return _frame(value, sums.n)


def active_customers(orders: pd.DataFrame) -> pd.DataFrame:
    n = by_slice(orders).customer_id.nunique()
    return _frame(n.astype(float), n)


def repurchase_rate(orders: pd.DataFrame) -> pd.DataFrame:
    first = orders.groupby("customer_id").occurred_at.transform("min")
    repeat = orders.assign(repeat=orders.occurred_at > first)
    per_customer = by_slice(repeat, ["customer_id"]).repeat.any().reset_index()
    counts = by_slice(per_customer).agg(n=("repeat", "size"), hits=("repeat", "sum"))
    return wilson(counts.hits, counts.n)


def customer_months(company: Company) -> pd.DataFrame:
    """One row per customer and month with a purchase, numbered 1, 2, 3 … per customer."""
    months = (
        company.transactions.groupby(["customer_id", "month"], observed=True)
        .agg(revenue=("amount", "sum"), margin=("margin", "sum"))
        .reset_index()
        .sort_values(["customer_id", "month"])
    )
    months["paying_months"] = months.groupby("customer_id").cumcount() + 1
    return months.merge(company.customers, on="customer_id", how="left")


def first_purchase_months(company: Company) -> pd.DataFrame:
    """One row per customer and month with a purchase: its index (year · 12 + month − 1),
    the customer's first such index, and the customer's slice."""
    months = company.transactions[["customer_id", "month", "slice"]].drop_duplicates(
        ["customer_id", "month"]
    )
    months["index"] = months.month.dt.year * 12 + months.month.dt.month - 1
    months["first"] = months.groupby("customer_id")["index"].transform("min")
    return months


def retention(months: pd.DataFrame, months_later: int, churn: bool) -> pd.DataFrame:
    """Share of each first-purchase cohort buying again ``months_later`` months on."""
    flagged = months.assign(retained=months["index"] == months["first"] + months_later)
    cohort = flagged.groupby(["customer_id", "first", "slice"], dropna=False).retained.any()
    cohort = cohort.reset_index()
    cohort = cohort[cohort["first"] + months_later <= months["index"].max()]
    cohort["month"] = pd.PeriodIndex.from_fields(
        year=cohort["first"] // 12, month=cohort["first"] % 12 + 1, freq="M"
    )
    counts = by_slice(cohort).agg(n=("retained", "size"), hits=("retained", "sum"))
    hits = counts.n - counts.hits if churn else counts.hits
    return wilson(hits, counts.n)


def lifetime(months: pd.DataFrame, value: bool) -> pd.DataFrame:
    """Mean paying months (LT) per slice, or LTV = ARPU per month × margin % × LT."""
    sums = by_slice(months).agg(
        n=("customer_id", "size"), lifetime=("paying_months", "mean"),
        lifetime_var=("paying_months", "var"),
        revenue=("revenue", "sum"), margin=("margin", "sum"),
    )  # fmt: skip
    if not value:
        return mean_t(sums.n, sums.lifetime, sums.lifetime_var)
    arpu_month = sums.revenue / sums.n  # one customer month per customer and month
    ltv = arpu_month * (sums.margin / sums.revenue) * sums.lifetime
    return _frame(ltv.where(sums.revenue != 0), sums.n)


def share_of_wallet(months: pd.DataFrame) -> pd.DataFrame:
    known = months[months.wallet_estimate.notna()]
    sums = by_slice(known).agg(
        n=("revenue", "size"), revenue=("revenue", "sum"), wallet=("wallet_estimate", "sum")
    )
    return _frame((100 * sums.revenue / sums.wallet).where(sums.wallet != 0), sums.n)


def on_time_payment(payments: pd.DataFrame) -> pd.DataFrame:
    paid_on_time = payments.paid_on.notna() & (payments.paid_on <= payments.due_on)
    return share_of(payments, paid_on_time)


def profit_formula(orders: pd.DataFrame) -> pd.DataFrame:
    sums = by_slice(orders).agg(
        customers=("customer_id", "nunique"), revenue=("amount", "sum"), margin=("margin", "sum")
    )
    arpu = sums.revenue / sums.customers
    value = (sums.customers * arpu * (sums.margin / sums.revenue)).where(sums.revenue != 0)
    return _frame(value, sums.customers)


def turnover(company: Company) -> pd.DataFrame:
    days = pd.date_range(company.first_day, company.last_day, freq="D")
    calendar = pd.DataFrame({"day": days, "month": days.to_period("M")})
    periods = calendar.groupby("month").day.agg(first_day="min", last_day="max").reset_index()
    staff = company.employees.merge(periods, how="cross")
    on_staff = (staff.hired_on <= staff.first_day) & (
        staff.left_on.isna() | (staff.left_on >= staff.first_day)
    )
    staff = staff[on_staff]
    left = staff.left_on.notna() & (staff.left_on <= staff.last_day)
    return share_of(staff, left)


def catalogue(company: Company) -> dict[str, Callable[[], pd.DataFrame]]:
    """Metric id → how to compute it (lazily, so each can be timed and checked alone)."""
    r, t, e = company.responses, company.transactions, company.events_by_measure
    p = company.pulses
    shared: dict[str, pd.DataFrame] = {}

    def once(name: str, build: Callable[[Company], pd.DataFrame]) -> pd.DataFrame:
        """Tables several metrics start from are built once, as a notebook would."""
        if name not in shared:
            shared[name] = build(company)
        return shared[name]

    def paying_months() -> pd.DataFrame:
        return once("customer_months", customer_months)

    def cohorts() -> pd.DataFrame:
        return once("first_purchase_months", first_purchase_months)

    metrics: dict[str, Callable[[], pd.DataFrame]] = {
        "nps": lambda: nps_of(r, "nps"),
        "csat": lambda: answered_share(r, "csat", lambda s: s >= 4),
        "ces": lambda: mean_column(r, "ces"),
        "ces_easy_share": lambda: answered_share(r, "ces", lambda s: s >= 5),
        "rating_mean": lambda: mean_column(r, "rating"),
        "responses": lambda: count_rows(r),
        "response_rate": lambda: response_rate(company),
        "complaint_share": lambda: complaint_share(r),
        "orders": lambda: count_rows(t),
        "order_frequency": lambda: per_customer_mean(t, "count"),
        "aov": lambda: mean_column(t, "amount"),
        "margin_pct": lambda: margin_pct(t),
        "arpu": lambda: per_customer_mean(t, "sum"),
        "active_customers": lambda: active_customers(t),
        "repurchase_rate": lambda: repurchase_rate(t),
    }
    for k in (1, 3, 12):
        metrics[f"retention_m{k}"] = lambda k=k: retention(cohorts(), k, churn=False)
        metrics[f"churn_m{k}"] = lambda k=k: retention(cohorts(), k, churn=True)
    metrics |= {
        "lifetime_months": lambda: lifetime(paying_months(), value=False),
        "ltv": lambda: lifetime(paying_months(), value=True),
        "share_of_wallet": lambda: share_of_wallet(paying_months()),
        "on_time_payment": lambda: on_time_payment(company.payments),
        "revenue": lambda: total(t, "amount"),
        "gross_margin": lambda: total(t, "margin"),
        "profit_formula": lambda: profit_formula(t),
        "on_time_delivery": lambda: share_of(
            e["delivery_delay_days"], e["delivery_delay_days"].value <= 0
        ),
        "delivery_delay_mean": lambda: mean_column(e["delivery_delay_days"], "value"),
        "delivery_delay_p50": lambda: percentile(e["delivery_delay_days"], 50),
        "delivery_delay_p90": lambda: percentile(e["delivery_delay_days"], 90),
        "first_response_mean": lambda: mean_column(e["first_response_minutes"], "value"),
        "first_response_p50": lambda: percentile(e["first_response_minutes"], 50),
        "first_response_p90": lambda: percentile(e["first_response_minutes"], 90),
        "fcr_rate": lambda: share_of(
            e["first_contact_resolution"], e["first_contact_resolution"].value >= 1
        ),
        "defect_rate": lambda: share_of(e["defects"], e["defects"].value > 0),
        "onboarding_days_mean": lambda: mean_column(e["onboarding_days"], "value"),
        "call_wait_p90": lambda: percentile(e["call_wait_seconds"], 90),
        "enps": lambda: nps_of(p, "enps"),
        "engagement": lambda: mean_column(p, "engagement"),
        "competency_coverage": lambda: share_of(p, p.competency >= 0.7),
        "training_hours": lambda: mean_column(p, "training_hours"),
        "turnover": lambda: turnover(company),
    }
    return metrics


Row = tuple[float | None, int, float | None, float | None]


def as_rows(frame: pd.DataFrame) -> dict[tuple[str, str | None], Row]:
    """``{(month label, slice): (value, n, ci_low, ci_high)}`` with NaN as None."""

    def clean(value: object) -> float | None:
        return None if value is None or pd.isna(value) else float(value)  # type: ignore[arg-type]

    rows = {}
    for (month, slice_), row in frame.iterrows():
        key = (str(month), None if pd.isna(slice_) else str(slice_))
        rows[key] = (clean(row.value), int(row.n), clean(row.ci_low), clean(row.ci_high))
    return rows
