"""The say–do gap: customers whose words and deeds disagree, by segment.

A promoter (NPS 9–10) who places no order in the window after answering "praises and
leaves"; a detractor (0–6) who orders anyway "complains and keeps buying". Both groups
are where the scorecard's "say" measures mislead: the first hides churn behind good
scores, the second hides loyalty (often lock-in) behind bad ones.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from kano.analytics.linkage.assemble import assemble
from kano.analytics.linkage.frames import WarehouseReader
from kano.analytics.linkage.specs import link_spec


@dataclass(frozen=True)
class SayDoGap:
    segment: str
    responses: int
    promoters: int
    promoters_who_left: int
    detractors: int
    detractors_who_stayed: int

    @property
    def praise_and_leave(self) -> float | None:
        return self.promoters_who_left / self.promoters if self.promoters else None

    @property
    def complain_and_stay(self) -> float | None:
        return self.detractors_who_stayed / self.detractors if self.detractors else None


def say_do_gap(
    reader: WarehouseReader, survey: str = "relationship-nps", window_days: int = 180
) -> list[SayDoGap]:
    """One row per segment (and ``all``), from the survey's NPS answers whose window of
    ``window_days`` after answering lies inside the data."""
    segments = reader.dimension("segments", "segment_id", "key")
    key_of = dict(zip(segments["segment_id"], segments["key"], strict=True))
    rows = []
    for segment_id in [None, *sorted(key_of)]:
        where = {"survey": survey} if survey else {}
        if segment_id is not None:
            where["segment"] = key_of[segment_id]
        spec = link_spec({"cause": "nps", "effect": "churn_rate", "grain": "response",
                          "lag": f"{window_days}D", "where": where})  # fmt: skip
        frame = assemble(reader, spec).data
        left = frame["y"] == 1.0
        promoters, detractors = frame["x"] >= 9, frame["x"] <= 6
        rows.append(SayDoGap(
            segment="all" if segment_id is None else str(key_of[segment_id]),
            responses=len(frame), promoters=int(promoters.sum()),
            promoters_who_left=int((promoters & left).sum()),
            detractors=int(detractors.sum()),
            detractors_who_stayed=int((detractors & ~left).sum()),
        ))  # fmt: skip
    return rows


def as_frame(rows: list[SayDoGap]) -> pd.DataFrame:
    return pd.DataFrame([{**row.__dict__, "praise_and_leave": row.praise_and_leave,
                          "complain_and_stay": row.complain_and_stay} for row in rows])
