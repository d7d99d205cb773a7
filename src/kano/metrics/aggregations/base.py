"""The contract every kind of metric fulfils: a base table, statistics, and a finish.

An aggregation is split in two on purpose. :meth:`Aggregation.statistics` builds an Ibis
expression that returns *sufficient statistics* per slice (counts, sums, means,
sample variances); :meth:`Aggregation.finish` turns one row of them into the value, n
and the interval in Python (:mod:`kano.metrics.intervals`). Engines therefore only do
what every SQL engine does alike, and the statistics live in one tested module.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import ibis.expr.types as ir

from kano.metrics.intervals import Estimate
from kano.metrics.request import SliceRequest
from kano.metrics.star import Base, Star
from kano.metrics.warehouse_schema import warehouse_table


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

    @abstractmethod
    def finish(self, row: Mapping[str, Any]) -> Finished:
        """The estimate of one slice from its statistics."""


def grouped(frame: ir.Table, keys: list[str], **metrics: Any) -> ir.Table:
    """``frame`` aggregated by ``keys`` (one row overall when there are none)."""
    if keys:
        return frame.group_by(keys).aggregate(**metrics)
    return frame.aggregate(**metrics)


def as_int(value: Any) -> int:
    return 0 if value is None else int(value)


def as_float(value: Any) -> float | None:
    return None if value is None else float(value)
