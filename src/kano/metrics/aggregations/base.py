"""The contract every kind of metric fulfils: a base table, statistics, and a finish.

An aggregation is split in two on purpose. :meth:`Aggregation.statistics` builds an Ibis
expression that returns *sufficient statistics* per slice (counts, sums, means,
sample variances); :meth:`Aggregation.finish` turns one row of them into the value, n
and the interval in Python (:mod:`kano.metrics.intervals`). Engines therefore only do
what every SQL engine does alike, and the statistics live in one tested module.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from typing import Any

import ibis.expr.types as ir

from kano.metrics.intervals import Estimate
from kano.metrics.request import SliceRequest
from kano.metrics.star import Base, Star
from kano.metrics.warehouse_schema import warehouse_table

PER_CUSTOMER = "per_customer"
"""The batch key of aggregations that reduce per slice and customer first, then per
slice (see :meth:`Aggregation.customer_reductions`)."""


BatchMember = tuple[str, "Aggregation", "ir.BooleanValue | None"]
"""One metric of a batch: its column prefix, its aggregation, its filter condition."""


@dataclass(frozen=True)
class Finished:
    estimate: Estimate
    components: tuple[tuple[str, float | None], ...] = ()


class Aggregation(ABC):
    """How one metric turns its base table into one estimate per slice."""

    kind: str = "custom"

    def base(self, star: Star, source: str, request: SliceRequest) -> Base:
        """The table to slice; by default the workspace's rows of the source fact table."""
        table = warehouse_table(source)
        return Base(star.table(source), table.time_column)

    def expressions(self) -> tuple[str, ...]:
        """Expression texts this aggregation evaluates over the framed table."""
        return ()

    @abstractmethod
    def statistics(self, frame: ir.Table, keys: list[str]) -> ir.Table:
        """One row per slice: the ``keys`` columns plus this aggregation's statistics."""

    # --- computing several metrics together (``compute_metrics``) -------------------------

    def batch_key(self) -> Hashable | None:
        """Aggregations of one source whose keys are equal build the same base and can be
        reduced in one grouped query through :meth:`reductions`; None: computed alone."""
        return None

    def reductions(self, frame: ir.Table, where: ir.BooleanValue | None) -> dict[str, Any]:
        """The statistics as reductions over the rows of ``frame`` where ``where`` holds
        (every row when None), so that ``grouped(frame, keys, **reductions(frame,
        None))`` gives what :meth:`statistics` gives, plus slices whose n is 0 (which
        :meth:`finish` reports as n = 0 and the caller drops). Only for aggregations
        with a :meth:`batch_key`."""
        raise NotImplementedError(f"{type(self).__name__} has no batched form")

    def batch_statistics(
        self, frame: ir.Table, keys: list[str], members: list[BatchMember]
    ) -> ir.Table | None:
        """For aggregations that cannot be written as plain reductions (percentiles): one
        table per slice with the statistics of every member of the batch, each column
        named with the member's prefix (``members``: prefix, aggregation, condition or
        None). None (the default): the batch is reduced with :meth:`reductions`."""
        return None

    def distribution_column(self) -> str | None:
        """The one column whose values alone give this aggregation's statistics, when
        they can be computed from counts per distinct value (see
        ``kano.metrics.aggregations.simple.histogram_statistics``); None otherwise."""
        return None

    def histogram_counts_nulls(self) -> bool:
        """Whether rows with a null value count towards this aggregation's n."""
        return False

    def histogram_windows(
        self, counts: ir.Table, own: str, value: Any, keys: list[str]
    ) -> dict[str, Any]:
        """Window columns this aggregation needs over its count column ``own`` (named
        after it, so members counting the same rows share them)."""
        return {}

    def histogram_reductions(
        self, ranked: ir.Table, prefix: str, own: str, value: Any
    ) -> dict[str, Any]:
        """The statistics (named with ``prefix``) from the counts per value in ``own``."""
        raise NotImplementedError(f"{type(self).__name__} has no histogram form")

    def extend_batch_frame(self, star: Star, frame: ir.Table) -> ir.Table:
        """The batch's framed table with any column this aggregation's
        :meth:`reductions` need from outside it (by default unchanged)."""
        return frame

    def batch_base(self, star: Star, source: str, request: SliceRequest) -> Base:
        """The base a batch of this aggregation starts from (by default :meth:`base`)."""
        return self.base(star, source, request)

    def customer_context(self, star: Star, from_rollup: bool) -> ir.Table | None:
        """For the batch key :data:`PER_CUSTOMER`: a table with ``_context_customer``
        and columns per customer (e.g. the first purchase) that the per-customer rows
        are joined to before :meth:`reductions_over_customers`; None: not needed.
        ``from_rollup``: the per-customer rows come from the customer-month rollup."""
        return None

    def customer_reductions(
        self, frame: ir.Table, where: ir.BooleanValue | None
    ) -> dict[str, Any]:
        """For the batch key :data:`PER_CUSTOMER`: the first step, reductions per slice
        and customer over the rows where ``where`` holds; the second step,
        :meth:`reductions_over_customers`, reduces those per slice."""
        raise NotImplementedError(f"{type(self).__name__} has no per-customer form")

    def reductions_over_customers(
        self, customers: ir.Table, columns: Mapping[str, Any]
    ) -> dict[str, Any]:
        """The statistics over the per-customer rows; ``columns`` maps the names
        :meth:`customer_reductions` gave to this aggregation's columns there."""
        raise NotImplementedError(f"{type(self).__name__} has no per-customer form")

    def rollup_customer_columns(self) -> dict[str, tuple[str, str]] | None:
        """For the batch key :data:`PER_CUSTOMER`: :meth:`customer_reductions` (with no
        condition) as columns of the customer-month rollup and how months combine
        (``{"_x": ("revenue", "sum")}``); None: the orders themselves are needed."""
        return None

    def statistics_key(self) -> Hashable | None:
        """Aggregations of one source and filter with equal keys compute identical
        statistics (they differ only in :meth:`finish`), so one query serves them all."""
        return None

    @abstractmethod
    def finish(self, row: Mapping[str, Any]) -> Finished:
        """The estimate of one slice from its statistics."""


def grouped(frame: ir.Table, keys: list[str], **metrics: Any) -> ir.Table:
    """``frame`` aggregated by ``keys`` (one row overall when there are none)."""
    if keys:
        return frame.group_by(keys).aggregate(**metrics)
    return frame.aggregate(**metrics)


def both(where: ir.BooleanValue | None, condition: ir.BooleanValue) -> ir.BooleanValue:
    """``condition``, and ``where`` too when there is one."""
    return condition if where is None else where & condition


def as_int(value: Any) -> int:
    return 0 if value is None else int(value)


def as_float(value: Any) -> float | None:
    return None if value is None else float(value)
