"""What customers do, where a row needs context from outside its slice: whether an order
is a repeat purchase, whether it was answered by a survey, and the profit formula.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from typing import Any

import ibis.expr.types as ir

from kano.metrics.aggregations.base import (
    PER_CUSTOMER,
    Aggregation,
    Finished,
    as_float,
    as_int,
    both,
    grouped,
)
from kano.metrics.intervals import Estimate, wilson
from kano.metrics.request import SliceRequest
from kano.metrics.star import Base, Star
from kano.metrics.warehouse_schema import TRANSACTIONS


@dataclass(frozen=True)
class RepeatCustomerShare(Aggregation):
    """Share of the slice's buying customers for whom a purchase in the slice was not
    their first ever (first purchase taken over the workspace's whole history)."""

    kind = "repeat_customer_share"

    def base(self, star: Star, source: str, request: SliceRequest) -> Base:
        orders = star.table("transactions")
        first = orders.group_by("customer_id").aggregate(_first_at=orders.occurred_at.min())
        joined = orders.join(first, "customer_id")
        return Base(joined.mutate(_repeat=joined.occurred_at > joined._first_at), "occurred_at")

    def statistics(self, frame: ir.Table, keys: list[str]) -> ir.Table:
        customers = frame.group_by([*keys, "customer_id"]).aggregate(
            _is_repeat=frame.count(where=frame._repeat) > 0
        )
        return grouped(
            customers, keys, _n=customers.count(), _hits=customers.count(where=customers._is_repeat)
        )

    # Batched with the other per-customer metrics: a customer's purchases in the slice
    # include a repeat one exactly when the latest is later than the first ever (from the
    # orders), or when one of the slice's customer months says it holds one (from the
    # rollup: no join with every customer's first purchase, 0.35 s of CPU at size L).

    def batch_key(self) -> Hashable | None:
        return PER_CUSTOMER

    def batch_base(self, star: Star, source: str, request: SliceRequest) -> Base:
        return Aggregation.base(self, star, source, request)

    def customer_context(self, star: Star, from_rollup: bool) -> ir.Table | None:
        if from_rollup:
            return None
        months = star.table("customer_months")
        return months.filter(months.months_since_first == 0).select(
            _context_customer=months.customer_id, _first_order_at=months.first_order_at
        )

    def customer_reductions(
        self, frame: ir.Table, where: ir.BooleanValue | None
    ) -> dict[str, Any]:
        return {"_rows": frame.count(where=where), "_last": frame.occurred_at.max(where=where)}

    def rollup_customer_columns(self) -> dict[str, tuple[str, str]] | None:
        return {"_rows": ("orders", "sum"), "_repeat": ("repeat_purchase", "max")}

    def reductions_over_customers(
        self, customers: ir.Table, columns: Mapping[str, Any]
    ) -> dict[str, Any]:
        present = customers.customer_id.notnull() & (columns["_rows"] > 0)
        if "_repeat" in columns:
            repeat = present & (columns["_repeat"] > 0)
        else:
            repeat = present & (columns["_last"] > customers._first_order_at)
        return {"_n": customers.count(where=present), "_hits": customers.count(where=repeat)}

    def finish(self, row: Mapping[str, Any]) -> Finished:
        return Finished(wilson(as_int(row["_hits"]), as_int(row["_n"]), scale=100.0))


@dataclass(frozen=True)
class AnsweredOrderShare(Aggregation):
    """Share of orders rated by at least one survey response (``responses.transaction_id``):
    the response rate of transactional surveys, since invitations are not in the data."""

    kind = "answered_order_share"

    def base(self, star: Star, source: str, request: SliceRequest) -> Base:
        return Base(_with_answered_flag(star, star.table("transactions")), TRANSACTIONS.time_column)

    def statistics(self, frame: ir.Table, keys: list[str]) -> ir.Table:
        return grouped(frame, keys, _n=frame.count(), _hits=frame.count(where=frame._answered))

    # Batched with the other row metrics of the transactions (orders, revenue, margin …):
    # the flag is then a join in the same scan of the orders, where alone it cost a
    # second scan and dimension join of every order (at size L 1.7 s alone against about
    # 0.5 s more for the shared query).

    def batch_key(self) -> Hashable | None:
        return "rows"

    def batch_base(self, star: Star, source: str, request: SliceRequest) -> Base:
        return Aggregation.base(self, star, source, request)

    def extend_batch_frame(self, star: Star, frame: ir.Table) -> ir.Table:
        if "_answered" in frame.columns:
            return frame
        return _with_answered_flag(star, frame)

    def reductions(self, frame: ir.Table, where: ir.BooleanValue | None) -> dict[str, Any]:
        return {
            "_n": frame.count(where=where),
            "_hits": frame.count(where=both(where, frame._answered)),
        }

    def finish(self, row: Mapping[str, Any]) -> Finished:
        return Finished(wilson(as_int(row["_hits"]), as_int(row["_n"]), scale=100.0))


def _with_answered_flag(star: Star, orders: ir.Table) -> ir.Table:
    """``orders`` with ``_answered``: whether a response rates the order.

    A left join to the distinct rated ids, not ``transaction_id IN (subquery)``: in a
    select list PostgreSQL can only run that as a SubPlan, hashed only when the ids fit
    ``work_mem``; at size L (2.3 M ids, 9.8 M orders, 4 MB default) it scanned the list
    for every order (estimated cost 2·10¹¹; still running after 5 minutes). A join may
    spill to disk instead. DuckDB pays about 0.16 s more CPU at size L for it."""
    responses = star.table("responses")
    rated = (
        responses.filter(responses.transaction_id.notnull())
        .select(_rated=responses.transaction_id)
        .distinct()
    )
    joined = orders.left_join(rated, orders.transaction_id == rated._rated)
    return joined.mutate(_answered=joined._rated.notnull()).drop("_rated")


@dataclass(frozen=True)
class ProfitFormula(Aggregation):
    """Gross profit as the profit formula's levers: customers × ARPU × margin %.

    The warehouse holds neither leads (conversion) nor costs, so conversion is taken as
    1 and cost as 0: the value equals the slice's gross margin, and the components show
    which lever moved it. Lifetime enters through ``ltv`` instead.
    """

    kind = "profit_formula"

    def statistics(self, frame: ir.Table, keys: list[str]) -> ir.Table:
        return grouped(
            frame,
            keys,
            _customers=frame.customer_id.nunique(),
            _revenue=frame.amount.cast("float64").sum(),
            _margin=frame.margin.cast("float64").sum(),
        )

    def batch_key(self) -> Hashable | None:
        return PER_CUSTOMER  # its customer count is the per-customer rows

    def customer_reductions(
        self, frame: ir.Table, where: ir.BooleanValue | None
    ) -> dict[str, Any]:
        return {
            "_rows": frame.count(where=where),
            "_revenue": frame.amount.cast("float64").sum(where=where),
            "_margin": frame.margin.cast("float64").sum(where=where),
        }

    def rollup_customer_columns(self) -> dict[str, tuple[str, str]] | None:
        return {
            "_rows": ("orders", "sum"),
            "_revenue": ("revenue", "sum"),
            "_margin": ("margin", "sum"),
        }

    def reductions_over_customers(
        self, customers: ir.Table, columns: Mapping[str, Any]
    ) -> dict[str, Any]:
        present = columns["_rows"] > 0
        return {
            "_customers": customers.count(where=customers.customer_id.notnull() & present),
            "_revenue": columns["_revenue"].sum(where=present),
            "_margin": columns["_margin"].sum(where=present),
        }

    def finish(self, row: Mapping[str, Any]) -> Finished:
        customers = as_int(row["_customers"])
        revenue, margin = as_float(row["_revenue"]), as_float(row["_margin"])
        if not customers or revenue is None or margin is None:
            return Finished(Estimate(None, customers))
        arpu = revenue / customers
        margin_percent = 100.0 * margin / revenue if revenue else None
        value = customers * arpu * (margin / revenue) if revenue else None
        components = (
            ("customers", float(customers)),
            ("arpu", arpu),
            ("margin_pct", margin_percent),
        )
        return Finished(Estimate(value, customers), components)
