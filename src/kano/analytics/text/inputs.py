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

    def table(name: str) -> Any:
        t = backend.table(name)
        return t.filter(t.workspace_id == workspace_id)

    responses = table("responses")
    responses = responses.filter(responses.comment.notnull() & (responses.comment.strip() != ""))
    tps = table("touchpoints").select(tp_id="touchpoint_id", touchpoint="key")
    customers = table("customers").select(c_id="customer_id", seg_id="segment_id")
    segments = table("segments").select(s_id="segment_id", segment="key")
    with_segment = customers.left_join(segments, customers.seg_id == segments.s_id).select(
        "c_id", "segment"
    )
    joined = responses.left_join(tps, responses.touchpoint_id == tps.tp_id).left_join(
        with_segment, responses.customer_id == with_segment.c_id
    )
    frame = joined.select(*COLUMNS).order_by("response_id").to_pandas()
    frame["touchpoint"] = frame["touchpoint"].fillna("").astype(str)
    frame["segment"] = frame["segment"].fillna("").astype(str)
    frame["comment"] = frame["comment"].astype(str)
    return frame.reset_index(drop=True)
