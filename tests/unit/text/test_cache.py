"""The workspace's analysis is computed once and reused until its comments change; the
comments are read with their touchpoint and segment, one workspace only."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
import pytest

from kano.analytics.text import cache
from kano.analytics.text.inputs import load_comments
from tests.unit.text.comments import demo_comments


@pytest.fixture
def backend():  # type: ignore[no-untyped-def]
    ibis = pytest.importorskip("ibis")
    con = ibis.duckdb.connect(":memory:")
    frame = demo_comments()
    n = len(frame)
    con.create_table("responses", pd.DataFrame({
        "workspace_id": [1] * n, "response_id": range(1, n + 1),
        "customer_id": [i % 2 + 1 for i in range(n)],
        "touchpoint_id": [i % 3 + 1 for i in range(n)],
        "submitted_at": [datetime(2026, 1, 1)] * n,
        "nps": frame["nps"].astype("float64"), "csat": pd.Series([None] * n, dtype="float64"),
        "ces": pd.Series([None] * n, dtype="float64"),
        "rating": pd.Series([None] * n, dtype="float64"), "comment": frame["comment"],
        "language": pd.Series([None] * n, dtype="string"),
    }))  # fmt: skip
    con.create_table("touchpoints", pd.DataFrame({
        "workspace_id": [1, 1, 1], "touchpoint_id": [1, 2, 3],
        "key": ["delivery", "support", "web"]}))  # fmt: skip
    con.create_table("customers", pd.DataFrame({
        "workspace_id": [1, 1], "customer_id": [1, 2], "segment_id": [1, 2]}))  # fmt: skip
    con.create_table("segments", pd.DataFrame({
        "workspace_id": [1, 1], "segment_id": [1, 2], "key": ["smb", "enterprise"]}))
    cache.clear_cache()
    yield con
    cache.clear_cache()


def test_comments_come_with_touchpoint_and_segment(backend) -> None:  # type: ignore[no-untyped-def]
    frame = load_comments(backend, 1)

    assert len(frame) == len(demo_comments())
    assert set(frame["touchpoint"]) == {"delivery", "support", "web"}
    assert set(frame["segment"]) == {"smb", "enterprise"}
    assert load_comments(backend, 2).empty


def test_analysis_is_reused_until_a_comment_is_added(backend) -> None:  # type: ignore[no-untyped-def]
    first = cache.workspace_text_analysis(backend, 1, warehouse="w")
    assert cache.workspace_text_analysis(backend, 1, warehouse="w") is first

    backend.raw_sql("INSERT INTO responses (workspace_id, response_id, customer_id, "
                    "touchpoint_id, submitted_at, nps, comment) VALUES "
                    "(1, 100000, 1, 1, TIMESTAMP '2026-02-01', 0, 'Late again.')")  # fmt: skip
    again = cache.workspace_text_analysis(backend, 1, warehouse="w")

    assert again is not first and len(again.comments) == len(first.comments) + 1
