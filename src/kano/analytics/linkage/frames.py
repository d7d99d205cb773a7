"""Reading what a link needs from the warehouse, through Ibis, one workspace at a time.

Filtering, the joins on keys and the team-month / customer-quarter aggregations run in the
warehouse (DuckDB, PostgreSQL, Spark ...); only the modelling columns of the rows in the
link's slice come back as pandas frames. The as-of joins in time ("the last delivery in
the 90 days before", "the first order after") are done in pandas with ``merge_asof`` on
those narrow frames: Ibis 12's ``asof_join`` is not implemented on every engine we
support, and the frames are small (a few columns of the slice's rows).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import ibis.expr.types as ir
import pandas as pd

from kano.domain.shared.errors import InvalidInput


def month_index(column: Any) -> Any:
    """Months since year 0 (an integer on every engine): consecutive months differ by 1."""
    return column.year().cast("int64") * 12 + column.month().cast("int64")


@dataclass
class WarehouseReader:
    """The warehouse seen from one workspace, with the key lookups links need.

    Dimension lookups are remembered for the reader's life (one analysis run): testing a
    strategy map fits a hundred links that ask for the same few keys again and again.
    """

    backend: Any
    workspace_id: int
    _memo: dict[str, Any] = field(default_factory=dict, repr=False)

    def remembered(self, key: str, compute: Callable[[], Any]) -> Any:
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]

    def dimension(self, table: str, *columns: str) -> pd.DataFrame:
        """A small dimension table (teams, stages, touchpoints ...) as a frame, once."""
        return self.remembered(
            f"{table}:{columns}", lambda: self.table(table).select(*columns).to_pandas()
        )

    def table(self, name: str) -> ir.Table:
        table = self.backend.table(name)
        return table.filter(table.workspace_id == self.workspace_id)

    def _ids(self, table: str, id_column: str, keys: Sequence[str], field: str) -> list[int]:
        """Ids of a dimension by key; an unknown key is an error that names it."""
        if not keys:
            return []
        found = self.dimension(table, id_column, "key")
        by_key = dict(zip(found["key"], found[id_column], strict=True))
        missing = [key for key in keys if key not in by_key]
        if missing:
            raise InvalidInput(
                f"where.{field}",
                f"unknown {field} {', '.join(missing)}; known: {', '.join(sorted(by_key))}",
            )
        return [int(by_key[key]) for key in keys]

    def team_ids(self, functions: Sequence[str]) -> list[int] | None:
        if not functions:
            return None
        teams = self.dimension("teams", "team_id", "function")
        unknown = sorted(set(functions) - set(teams["function"]))
        if unknown:
            raise InvalidInput("where.team_function", f"no team has function {', '.join(unknown)}")
        return [int(t) for t in teams.loc[teams["function"].isin(functions), "team_id"]]

    def touchpoint_ids(self, keys: Sequence[str], stages: Sequence[str]) -> list[int] | None:
        ids: set[int] | None = None
        if keys:
            ids = set(self._ids("touchpoints", "touchpoint_id", keys, "touchpoint"))
        if stages:
            stage_ids = self._ids("stages", "stage_id", stages, "stage")
            touchpoints = self.dimension("touchpoints", "touchpoint_id", "stage_id")
            at_stage = touchpoints.loc[touchpoints["stage_id"].isin(stage_ids), "touchpoint_id"]
            in_stage = {int(t) for t in at_stage}
            ids = in_stage if ids is None else ids & in_stage
        return None if ids is None else sorted(ids)

    def survey_ids(self, keys: Sequence[str]) -> list[int] | None:
        return self._ids("surveys", "survey_id", keys, "survey") or None

    def segment_ids(self, keys: Sequence[str]) -> list[int] | None:
        return self._ids("segments", "segment_id", keys, "segment") or None

    def customers_in(self, segments: Sequence[str]) -> ir.Table | None:
        """The workspace's customers of the given segments (None: no restriction)."""
        if not segments:
            return None
        segment_ids = self._ids("segments", "segment_id", segments, "segment")
        customers = self.table("customers")
        return customers.filter(customers.segment_id.isin(segment_ids)).select("customer_id")

    def _calendar_range(self) -> pd.DataFrame:
        calendar = self.table("calendar")
        return self.remembered("calendar", lambda: calendar.aggregate(
            first=calendar.date.min(), last=calendar.date.max()).to_pandas())

    def data_end(self) -> pd.Timestamp:
        """The exclusive end of the behaviour data: the day after the last order. (The
        calendar may run further, e.g. to payments due later; nobody can have ordered
        there yet, so a window reaching past the last order is not yet observed.)"""

        def read() -> Any:
            orders = self.table("transactions")
            return orders.aggregate(last=orders.occurred_at.max()).to_pandas()["last"].iloc[0]

        last = self.remembered("last-order", read)
        if last is None or pd.isna(last):
            raise InvalidInput("warehouse", "no orders here yet: run `kano warehouse load`")
        return pd.Timestamp(last).normalize() + pd.Timedelta(days=1)

    def first_month(self) -> int:
        day = pd.Timestamp(self._calendar_range()["first"].iloc[0])
        return day.year * 12 + day.month


def restrict(table: ir.Table, column: str, allowed: Sequence[int] | None) -> ir.Table:
    return table if allowed is None else table.filter(table[column].isin(list(allowed)))


def only_customers(table: ir.Table, customers: ir.Table | None) -> ir.Table:
    if customers is None:
        return table
    return table.semi_join(customers, table.customer_id == customers.customer_id)

