"""The comments of one workspace, read from the warehouse through Ibis.

Only responses with a non-empty comment come back, with the touchpoint key, the customer's
segment key (empty when either is unknown) and the scores; the filtering and joins run in
the warehouse.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

COLUMNS = ("response_id", "touchpoint", "segment", "submitted_at", "nps", "csat", "ces",
           "rating", "comment", "language")  # fmt: skip


def load_comments(backend: Any, workspace_id: int) -> pd.DataFrame:
    """``COLUMNS`` for each commented response of the workspace, by response id."""
    frame = commented_responses(backend, workspace_id).order_by("response_id").to_pandas()
    frame["touchpoint"] = frame["touchpoint"].fillna("").astype(str)
    frame["segment"] = frame["segment"].fillna("").astype(str)
    frame["comment"] = frame["comment"].astype(str)
    return frame.reset_index(drop=True)


def commented_responses(backend: Any, workspace_id: int) -> Any:
    """The Ibis expression behind :func:`load_comments` (``COLUMNS``, unordered; touchpoint
    and segment null when unknown), for queries that stay in the warehouse."""

    def table(name: str) -> Any:
        t = backend.table(name)
        return t.filter(t.workspace_id == workspace_id)

    responses = commented_rows(backend, workspace_id)
    tps = table("touchpoints").select(tp_id="touchpoint_id", touchpoint="key")
    customers = table("customers").select(c_id="customer_id", seg_id="segment_id")
    segments = table("segments").select(s_id="segment_id", segment="key")
    with_segment = customers.left_join(segments, customers.seg_id == segments.s_id).select(
        "c_id", "segment"
    )
    joined = responses.left_join(tps, responses.touchpoint_id == tps.tp_id).left_join(
        with_segment, responses.customer_id == with_segment.c_id
    )
    return joined.select(*COLUMNS)


def commented_rows(backend: Any, workspace_id: int) -> Any:
    """The workspace's ``responses`` rows with a non-empty comment (Ibis)."""
    responses = backend.table("responses")
    return responses.filter((responses.workspace_id == workspace_id) & responses.comment.notnull()
                            & (responses.comment.strip() != ""))  # fmt: skip
