"""Test sources that wrap a real one: a company that is still growing, a load that fails."""

from __future__ import annotations

from collections.abc import Iterator

import pyarrow as pa
import pyarrow.compute as pc

from kano.adapters.warehouse.sources import Source
from kano.metrics.warehouse_schema import WarehouseTable


class GrowingSource(Source):
    """``inner`` as it was earlier: fact rows only up to ``caps[table]`` (by id)."""

    def __init__(self, inner: Source, caps: dict[str, int]) -> None:
        self.inner = inner
        self.caps = caps
        self.identity = inner.identity

    def count(self, table: WarehouseTable, workspace_id: int, after: int | None = None,
              up_to: int | None = None) -> int:  # fmt: skip
        cap = self.caps.get(table.name)
        if cap is not None:
            up_to = cap if up_to is None else min(up_to, cap)
        return self.inner.count(table, workspace_id, after, up_to)

    def batches(
        self, table: WarehouseTable, workspace_id: int, after: int | None
    ) -> Iterator[pa.Table]:
        cap = self.caps.get(table.name)
        for batch in self.inner.batches(table, workspace_id, after):
            if cap is not None and table.id_column:
                batch = batch.filter(pc.less_equal(batch[table.id_column], cap))
            yield batch


class FailingSource(Source):
    """``inner`` until the first batch of ``table``, where the read fails."""

    def __init__(self, inner: Source, table: str) -> None:
        self.inner = inner
        self.table = table
        self.identity = inner.identity

    def count(self, table: WarehouseTable, workspace_id: int, after: int | None = None,
              up_to: int | None = None) -> int:  # fmt: skip
        return self.inner.count(table, workspace_id, after, up_to)

    def batches(
        self, table: WarehouseTable, workspace_id: int, after: int | None
    ) -> Iterator[pa.Table]:
        if table.name == self.table:
            raise RuntimeError(f"source lost while reading {table.name}")
        yield from self.inner.batches(table, workspace_id, after)
