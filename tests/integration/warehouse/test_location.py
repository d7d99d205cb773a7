"""Warehouse URLs: every accepted form, and a clear error for the rest."""

from __future__ import annotations

import pytest

from kano.adapters.warehouse.location import WarehouseLocation, parse_warehouse_url
from kano.domain.shared.errors import InvalidInput


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("duckdb:///./kano.duckdb", WarehouseLocation("duckdb", path="./kano.duckdb")),
        ("duckdb:////tmp/w.duckdb", WarehouseLocation("duckdb", path="/tmp/w.duckdb")),
        ("duckdb://", WarehouseLocation("duckdb")),
        ("sqlite:///w.sqlite", WarehouseLocation("sqlite", path="w.sqlite")),
        (
            "postgresql+psycopg://kano:s%40cret@db.local:6432/analytics?schema=wh",
            WarehouseLocation("postgres", host="db.local", port=6432, user="kano",
                              password="s@cret", database="analytics", schema="wh"),
        ),
        (
            "postgresql://127.0.0.1/kano",
            WarehouseLocation("postgres", host="127.0.0.1", port=5432, database="kano"),
        ),
        (
            "spark://local?cores=4&path=/data/wh&cache=true",
            WarehouseLocation("spark", path="/data/wh", master="local[4]", cache=True),
        ),
        (
            "spark://spark-master:7077?path=/shared/wh",
            WarehouseLocation("spark", path="/shared/wh", master="spark://spark-master:7077"),
        ),
    ],
)  # fmt: skip
def test_accepted_urls(url: str, expected: WarehouseLocation) -> None:
    assert parse_warehouse_url(url) == expected


@pytest.mark.parametrize("url", ["mysql://x/y", "sqlite://", "spark://local?cores=many"])
def test_other_urls_say_what_is_accepted(url: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_warehouse_url(url)
    assert caught.value.field == "warehouse_url"
