"""Customer-month metrics: lifetime in paying months (LT), LTV by the profit formula,
share of wallet, and retention / churn by first-purchase cohort.

All start from *customer months*: one row per customer and calendar month with at least
one purchase (a "paying period"), numbered 1, 2, 3 … per customer in time order — a
rollup the loader derives from the transactions (``kano.adapters.warehouse.rollups``).
These metrics slice by customer attributes and by month, quarter or year only: a row
here is a customer, not an order, so an order's channel or team does not apply.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from typing import Any

import ibis
import ibis.expr.types as ir

from kano.metrics.aggregations.base import (
    Aggregation,
    Finished,
    as_float,
    as_int,
    both,
    grouped,
)
from kano.metrics.aggregations.simple import finish_mean
from kano.metrics.intervals import Estimate, ratio, wilson
from kano.metrics.periods import MONTHLY_GRAINS, Grain
from kano.metrics.request import SliceRequest
from kano.metrics.star import Base, Star


def customer_months(star: Star) -> ir.Table:
    """customer_id, _month_index (year·12 + month − 1), _month_start, _revenue, _margin,
    and _paying_months: how many paying months the customer has had up to this one.

    The loader derives this rollup from the transactions (``customer_months`` in the
    warehouse schema), so these metrics do not regroup every order on each question."""
    months = star.table("customer_months")
    return months.select(
        "customer_id",
        _month_index=months.month_index,
        _month_start=months.month_start,
        _revenue=months.revenue,
        _margin=months.margin,
        _paying_months=months.paying_months,
    )


class _CustomerMonthAggregation(Aggregation):
    def base(self, star: Star, source: str, request: SliceRequest) -> Base:
        return Base(customer_months(star), "_month_start", MONTHLY_GRAINS)

    def statistics_key(self) -> Hashable | None:
        return "customer_month_lifetimes"  # LT and LTV differ only in finish

    # With the per-customer batch when it reads the rollup (compute._join_customer_months):
    # the same per-customer rows as statistics() builds, reduced the same way.

    def rollup_customer_columns(self) -> dict[str, tuple[str, str]] | None:
        return {
            "_lt": ("paying_months", "max"),
            "_revenue": ("revenue", "sum"),
            "_margin": ("margin", "sum"),
            "_months": ("month_index", "count"),
        }

    def reductions_over_customers(
        self, customers: ir.Table, columns: Mapping[str, Any]
    ) -> dict[str, Any]:
        n = customers.count()
        lifetime = columns["_lt"].cast("float64")
        return {
            "_n": n,
            "_mean": lifetime.mean(),
            "_ss": lifetime.var(how="pop") * n,
            "_revenue": columns["_revenue"].sum(),
            "_margin": columns["_margin"].sum(),
            "_customer_months": columns["_months"].sum(),
        }

    def statistics(self, frame: ir.Table, keys: list[str]) -> ir.Table:
        if Grain.MONTH.value in keys:
            # A customer has one row per month, so with the month among the slices each
            # (slice, customer) is one row already: grouping by customer would change
            # nothing but cost a pass over every customer month.
            per_customer = frame.select(
                *keys,
                _lt=frame._paying_months.cast("float64"),
                _revenue=frame._revenue,
                _margin=frame._margin,
                _months=ibis.literal(1, type="int64"),
            )
        else:
            per_customer = frame.group_by([*keys, "customer_id"]).aggregate(
                _lt=frame._paying_months.max().cast("float64"),
                _revenue=frame._revenue.sum(),
                _margin=frame._margin.sum(),
                _months=frame.count(),
            )
        n = per_customer.count()
        return grouped(
            per_customer,
            keys,
            _n=n,
            _mean=per_customer._lt.mean(),
            _ss=per_customer._lt.var(how="pop") * n,  # as in mean_statistics
            _revenue=per_customer._revenue.sum(),
            _margin=per_customer._margin.sum(),
            _customer_months=per_customer._months.sum(),
        )


@dataclass(frozen=True)
class PayingLifetime(_CustomerMonthAggregation):
    """Mean number of paying months, up to the slice's period, of the customers who paid
    in it (t interval). Observed so far: young customers' lifetimes are still growing."""

    kind = "paying_lifetime"

    def finish(self, row: Mapping[str, Any]) -> Finished:
        return finish_mean(row)


@dataclass(frozen=True)
class LifetimeValue(_CustomerMonthAggregation):
    """LTV = ARPU per paying month × margin % × LT (paying months), per customer."""

    kind = "lifetime_value"

    def finish(self, row: Mapping[str, Any]) -> Finished:
        n = as_int(row["_n"])
        revenue, margin = as_float(row["_revenue"]), as_float(row["_margin"])
        months = as_int(row["_customer_months"])
        if not n or not months or not revenue or margin is None:
            return Finished(Estimate(None, n))
        arpu_month = revenue / months
        margin_share = margin / revenue
        lifetime = as_float(row["_mean"]) or 0.0
        components = (
            ("arpu_month", arpu_month),
            ("margin_pct", 100.0 * margin_share),
            ("lifetime_months", lifetime),
        )
        return Finished(Estimate(arpu_month * margin_share * lifetime, n), components)


@dataclass(frozen=True)
class ShareOfWallet(Aggregation):
    """Σ spend / Σ monthly wallet estimate over customer months with an estimate, in %."""

    kind = "share_of_wallet"

    def base(self, star: Star, source: str, request: SliceRequest) -> Base:
        return Base(customer_months(star), "_month_start", MONTHLY_GRAINS)

    def expressions(self) -> tuple[str, ...]:
        return ("wallet_estimate",)

    def statistics(self, frame: ir.Table, keys: list[str]) -> ir.Table:
        known = frame.filter(frame.wallet_estimate.notnull())
        return grouped(
            known,
            keys,
            _n=known.count(),
            _revenue=known._revenue.sum(),
            _wallet=known.wallet_estimate.cast("float64").sum(),
        )

    def finish(self, row: Mapping[str, Any]) -> Finished:
        n = as_int(row["_n"])
        return Finished(ratio(as_float(row["_revenue"]), as_float(row["_wallet"]), n, 100.0))


@dataclass(frozen=True)
class CohortRetention(Aggregation):
    """Of the customers whose first purchase fell in a month (their cohort, the slice's
    period), the share who purchase again in the calendar month ``months`` later —
    one cell of the classic cohort triangle. ``churn=True`` gives the complement.

    A cohort counts only once that month has been observed (it is not after the
    workspace's last month with a purchase), so recent cohorts are not shown as lost.
    """

    months: int
    churn: bool = False
    kind = "cohort_retention"

    def base(self, star: Star, source: str, request: SliceRequest) -> Base:
        # The rollup numbers each customer's months from the first one (0), so a
        # cohort is its customers' month-0 rows and the retained ones are those with a
        # row at month ``months``: two filtered scans and a join of customers, with no
        # grouping of every customer month.
        flags = self.with_retained(star, _cohorts(star))
        eligible = flags.filter(self.observed(star, flags)).rename(_retained=self.flag)
        return Base(eligible, "_cohort_start", MONTHLY_GRAINS)

    @property
    def flag(self) -> str:
        return f"_retained_m{self.months}"

    def with_retained(self, star: Star, cohorts: ir.Table) -> ir.Table:
        """``cohorts`` with :attr:`flag`: whether the customer bought ``months`` later."""
        if self.flag in cohorts.columns:
            return cohorts
        months = star.table("customer_months")
        later = months.filter(months.months_since_first == self.months).select(
            _later=months.customer_id
        )
        joined = cohorts.left_join(later, cohorts.customer_id == later._later)
        # One select per join (not a mutate and a drop): a batch joins once per month
        # asked, and SQLite's parser overflows on the deeper nesting of three of them.
        return joined.select(*cohorts.columns, **{self.flag: joined._later.notnull()})

    def observed(self, star: Star, cohorts: ir.Table) -> ir.BooleanValue:
        """The cohort's month ``months`` later is not after the last month with data."""
        last_month = star.table("customer_months").month_index.max().as_scalar()
        return cohorts._first + self.months <= last_month

    def observed_in(self, frame: ir.Table) -> ir.BooleanValue:
        """:meth:`observed` on a batch frame, which carries the last month as a column."""
        return frame._first + self.months <= frame._last_month

    def statistics(self, frame: ir.Table, keys: list[str]) -> ir.Table:
        return grouped(frame, keys, _n=frame.count(), _hits=frame.count(where=frame._retained))

    # Batched: every cohort metric (any month, retention or churn) reduces one framed
    # table of the cohorts, each joined once to its later month, instead of a query
    # per month that joins the customers' segments again (three at size L: 1.0 s CPU).

    def batch_key(self) -> Hashable | None:
        return "cohort"

    def batch_base(self, star: Star, source: str, request: SliceRequest) -> Base:
        cohorts = _cohorts(star)
        last_month = star.table("customer_months").month_index.max().as_scalar()
        return Base(cohorts.mutate(_last_month=last_month), "_cohort_start", MONTHLY_GRAINS)

    def extend_batch_frame(self, star: Star, frame: ir.Table) -> ir.Table:
        return self.with_retained(star, frame)

    def reductions(self, frame: ir.Table, where: ir.BooleanValue | None) -> dict[str, Any]:
        counted = both(where, self.observed_in(frame))
        return {
            "_n": frame.count(where=counted),
            "_hits": frame.count(where=counted & frame[self.flag]),
        }

    def finish(self, row: Mapping[str, Any]) -> Finished:
        n, hits = as_int(row["_n"]), as_int(row["_hits"])
        return Finished(wilson(n - hits if self.churn else hits, n, scale=100.0))


def _cohorts(star: Star) -> ir.Table:
    """Each customer's first month with a purchase: customer_id, _first (month index),
    _cohort_start."""
    months = star.table("customer_months")
    return months.filter(months.months_since_first == 0, months.customer_id.notnull()).select(
        "customer_id", _first=months.month_index, _cohort_start=months.month_start
    )
