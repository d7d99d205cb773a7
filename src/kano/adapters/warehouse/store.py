"""What a warehouse store does for the loader, whatever the engine.

A load reads the load state, then writes inside one :meth:`WarehouseStore.transaction`:
replace a workspace's rows of a table, append batches, save the new state. Either all
of it becomes visible or none of it does; each store says how its engine achieves that.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import date
from typing import Any

import pyarrow as pa

STATE_TABLE = "_kano_load_state"
STATE_SCHEMA = pa.schema(
    [
        ("workspace_id", pa.int64()),
        ("table_name", pa.string()),
        ("source", pa.string()),
        ("high_water", pa.int64()),
        ("row_count", pa.int64()),
        ("min_date", pa.date32()),
        ("max_date", pa.date32()),
    ]
)


@dataclass(frozen=True)
class TableState:
    """How far one table of one workspace has been loaded, and from where."""

    source: str
    high_water: int | None
    row_count: int
    min_date: date | None = None
    max_date: date | None = None


class StoreWriter(ABC):
    """The writes of one load, applied together or not at all."""

    @abstractmethod
    def delete_workspace(self, table: str, workspace_id: int) -> None: ...

    @abstractmethod
    def append(self, table: str, batch: pa.Table) -> None:
        """Append rows already in the warehouse schema (``workspace_id`` first)."""

    @abstractmethod
    def save_state(self, workspace_id: int, states: dict[str, TableState]) -> None: ...


class WarehouseStore(ABC):
    @abstractmethod
    def ensure_tables(self) -> None:
        """Create missing tables (idempotent)."""

    @abstractmethod
    def read_state(self, workspace_id: int) -> dict[str, TableState]: ...

    @abstractmethod
    def loaded_workspaces(self) -> list[int]:
        """Every workspace with a load state here, in id order."""

    @abstractmethod
    def transaction(self) -> AbstractContextManager[StoreWriter]: ...

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release connections."""


def state_rows(workspace_id: int, states: dict[str, TableState]) -> pa.Table:
    return pa.Table.from_pylist(
        [
            {
                "workspace_id": workspace_id,
                "table_name": name,
                "source": state.source,
                "high_water": state.high_water,
                "row_count": state.row_count,
                "min_date": state.min_date,
                "max_date": state.max_date,
            }
            for name, state in sorted(states.items())
        ],
        schema=STATE_SCHEMA,
    )


def states_from_rows(
    rows: Iterable[Mapping[str, Any]],
) -> dict[str, TableState]:
    found: dict[str, TableState] = {}
    for row in rows:
        found[str(row["table_name"])] = TableState(
            source=str(row["source"]),
            high_water=None if row["high_water"] is None else int(row["high_water"]),
            row_count=int(row["row_count"]),
            min_date=_as_date(row["min_date"]),
            max_date=_as_date(row["max_date"]),
        )
    return found


def _as_date(value: object) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])
