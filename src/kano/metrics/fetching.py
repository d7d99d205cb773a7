"""Running the queries of one ``compute_metrics`` call: records per query, in order.

The queries of a batch are independent, so on an embedded DuckDB they run side by side,
each on its own cursor of the same database. Why not one after another: a query spends
part of its time in phases that use one core (Python compiling the next query, DuckDB's
final aggregation and windows, Arrow to Python), and with two or more queries in flight
the other core has work meanwhile. Every other engine answers over a connection that
takes one query at a time, so there they run in turn.

On PostgreSQL each result (at most a few thousand slice rows) is fetched at once through
a plain cursor. Ibis's ``to_pyarrow`` reads through a named server-side cursor, which
PostgreSQL plans for the first rows (``cursor_tuple_fraction``) and never runs with
parallel workers: the aggregation over millions of orders then used one core.

Ibis compiles every query in the calling thread (compilation is not documented as
thread-safe); only DuckDB's execution and the Arrow transfer run in the pool, and the
result goes through the same Arrow-to-Ibis conversion as ``backend.to_pyarrow``.
"""

from __future__ import annotations

from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import ibis.expr.operations as ops
import ibis.expr.types as ir

Records = list[dict[str, Any]]

# Queries in flight at once on DuckDB. Two already keep two cores busy; more would only
# add memory (each holds its own hash tables).
DUCKDB_CONCURRENT_QUERIES = 2


def fetch_records(backend: Any, expressions: Iterable[ir.Table]) -> list[Records]:
    """The rows of each expression as dicts, in the order given.

    ``expressions`` may be a generator: on DuckDB each query starts as soon as it is
    compiled, so building and compiling the next one overlaps running this one."""
    engine = getattr(backend, "name", None)
    if engine == "duckdb" and hasattr(backend, "con"):
        return _fetch_on_duckdb_cursors(backend, expressions)
    if engine == "postgres" and hasattr(backend, "con"):
        return [_fetch_on_postgres(backend, expression) for expression in expressions]
    return [backend.to_pyarrow(expression).to_pylist() for expression in expressions]


def _fetch_on_postgres(backend: Any, expression: ir.Table) -> Records:
    import pyarrow as pa

    backend._run_pre_execute_hooks(expression)  # creates the query's in-memory tables
    schema = expression.schema()
    statement = backend.compile(expression)
    connection = backend.con
    with connection.cursor() as cursor, connection.transaction():
        rows = cursor.execute(statement).fetchall()
    # The same Arrow conversion as Ibis's own ``to_pyarrow`` on PostgreSQL.
    structs = pa.array(rows, type=schema.as_struct().to_pyarrow())
    table = pa.Table.from_batches([pa.RecordBatch.from_struct_array(structs)])
    arrow_schema = schema.to_pyarrow()
    table = table.rename_columns(list(expression.columns)).cast(arrow_schema)
    return expression.__pyarrow_result__(table).to_pylist()


def _fetch_on_duckdb_cursors(backend: Any, expressions: Iterable[ir.Table]) -> list[Records]:
    from ibis.backends.duckdb.converter import DuckDBPyArrowData

    def run(statement: str) -> Any:
        cursor = backend.con.cursor()
        try:
            return cursor.sql(statement).to_arrow_table()
        finally:
            cursor.close()

    started: list[tuple[ir.Table, Future[Any] | None]] = []
    with ThreadPoolExecutor(DUCKDB_CONCURRENT_QUERIES, thread_name_prefix="kano-query") as pool:
        for expression in expressions:
            if expression.op().find(ops.InMemoryTable):
                # In-memory tables are registered on the backend's own connection, which
                # another cursor does not see: such a query runs there, through Ibis.
                started.append((expression, None))
            else:
                started.append((expression, pool.submit(run, backend.compile(expression))))
        records = []
        for expression, future in started:  # converted while later queries still run
            if future is None:
                records.append(backend.to_pyarrow(expression).to_pylist())
                continue
            table = future.result()
            result = expression.__pyarrow_result__(table, data_mapper=DuckDBPyArrowData)
            records.append(result.to_pylist())
    return records
