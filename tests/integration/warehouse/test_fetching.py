"""``fetch_records`` runs a batch's queries side by side on DuckDB (one cursor each) and
must give exactly what Ibis gives query by query, in the order asked, whatever finishes
first; a query reading an in-memory table (visible on the backend's own connection
only) still answers. On PostgreSQL results come through a plain cursor, not Ibis's
named one, and must convert exactly as Ibis converts them."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import ibis
import pyarrow as pa
import pytest

from kano.adapters.warehouse import connect
from kano.metrics.fetching import fetch_records
from tests.warehouses import WarehouseFactory, require_engine


@pytest.fixture
def duckdb_file(tmp_path: Path):  # type: ignore[no-untyped-def]
    backend = ibis.duckdb.connect(str(tmp_path / "w.duckdb"))
    rows = 200_000
    backend.create_table(
        "facts",
        pa.table(
            {
                "k": pa.array([i % 7 for i in range(rows)], pa.int64()),
                "v": pa.array([float(i % 1013) for i in range(rows)]),
                "when": pa.array([f"2026-0{1 + i % 9}-01" for i in range(rows)]).cast(
                    pa.date32()
                ),
            }
        ),
    )
    yield backend
    backend.disconnect()


def test_side_by_side_gives_what_ibis_gives_in_the_order_asked(duckdb_file) -> None:  # type: ignore[no-untyped-def]
    facts = duckdb_file.table("facts")
    threes = facts.filter(facts.k == 3)
    expressions = [
        # A slow query first, so a quicker one behind it finishes earlier.
        facts.group_by("k", "v").aggregate(n=facts.count()).order_by("k", "v"),
        facts.group_by("k").aggregate(total=facts.v.sum(), first=facts.when.min()).order_by("k"),
        threes.aggregate(n=threes.count()),
    ]
    expected = [duckdb_file.to_pyarrow(e).to_pylist() for e in expressions]
    assert fetch_records(duckdb_file, expressions) == expected
    assert fetch_records(duckdb_file, iter(expressions)) == expected  # a generator too
    # Python types come through Ibis's conversion, as with to_pyarrow (dates stay dates).
    assert type(fetch_records(duckdb_file, expressions)[1][0]["first"]).__name__ == "date"


def test_a_query_on_an_in_memory_table_runs_on_the_backends_own_connection(duckdb_file) -> None:  # type: ignore[no-untyped-def]
    names = ibis.memtable({"k": [1, 2, 3], "name": ["a", "b", "c"]})
    facts = duckdb_file.table("facts")
    joined = facts.join(names, "k")
    joined = joined.group_by("name").aggregate(n=joined.count()).order_by("name")
    plain = facts.aggregate(n=facts.count())
    records = fetch_records(duckdb_file, [joined, plain])
    assert [r["name"] for r in records[0]] == ["a", "b", "c"]
    assert records[1] == [{"n": 200_000}]


def test_other_engines_run_the_queries_in_turn(tmp_path: Path) -> None:
    backend = ibis.sqlite.connect(str(tmp_path / "w.sqlite"))
    backend.create_table("facts", pa.table({"k": [1, 1, 2]}))
    facts = backend.table("facts")
    expressions = [facts.aggregate(n=facts.count()), facts.group_by("k").aggregate(n=facts.count())]
    assert fetch_records(backend, expressions) == [[{"n": 3}], [{"k": 1, "n": 2}, {"k": 2, "n": 1}]]


@pytest.mark.postgres
def test_postgres_results_convert_as_ibis_converts_them(tmp_path: Path) -> None:
    require_engine("postgres")
    factory = WarehouseFactory(tmp_path)
    backend = connect(factory.new_url("postgres"))
    try:
        backend.create_table(
            "facts",
            pa.table(
                {
                    "k": pa.array([1, 1, 2, None], pa.int64()),
                    "v": [0.5, 1.5, None, 2.0],
                    "when": pa.array(["2026-01-01", "2026-02-01", "2026-02-01", None]).cast(
                        pa.date32()
                    ),
                }
            ),
        )
        facts = backend.table("facts")
        names = ibis.memtable({"k": [1, 2], "name": ["one", "two"]})
        named = facts.join(names, "k")
        nothing = facts.filter(facts.k == 99)
        per_k = facts.group_by("k").aggregate(total=facts.v.sum(), first=facts.when.min())
        expressions = [
            per_k.order_by("k"),
            named.group_by("name").aggregate(n=named.count()).order_by("name"),
            nothing.aggregate(n=nothing.count()),  # one row: zero
            nothing.select("k", "when"),  # no rows at all
        ]
        expected = [backend.to_pyarrow(e).to_pylist() for e in expressions]
        records = fetch_records(backend, expressions)
        assert records == expected
        assert records[0][0] == {"k": 1, "total": 2.0, "first": date(2026, 1, 1)}
        assert records[1] == [{"name": "one", "n": 2}, {"name": "two", "n": 1}]
        assert records[3] == []
    finally:
        backend.disconnect()
        factory.close()
