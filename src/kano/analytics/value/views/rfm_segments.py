"""RFM as a whole answer: every customer's scores and segment, each segment's revenue and
NPS, and how many customers moved between segments since an earlier day."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import pandas as pd

from kano.analytics.value import report
from kano.analytics.value.inputs import ValueReader, rfm_inputs
from kano.analytics.value.rfm import DEFAULT_SEGMENTS, SegmentRule, segment_transitions
from kano.analytics.value.views.running import Record, checked, scoring_day
from kano.domain.shared.errors import InvalidInput


@dataclass(frozen=True)
class RfmView:
    as_of: datetime
    customers: list[Record]
    segments: list[Record]  # name, customers, revenue, share of revenue, mean NPS
    transitions: list[Record] = field(default_factory=list)  # from, to, customers
    transitions_from: datetime | None = None


def _rfm_of(
    reader: ValueReader, day: datetime, lookback_days: int, option: str,
    segments: tuple[SegmentRule, ...],
) -> list[Record]:  # fmt: skip
    inputs = rfm_inputs(reader, as_of=day, lookback_days=lookback_days)
    if inputs.empty:
        raise InvalidInput(option, f"no order in the {lookback_days} days before {day:%Y-%m-%d}")
    return checked("lookback_days", lambda: report.rfm_records(inputs, segments))


def rfm_view(
    backend: Any,
    workspace_id: int,
    *,
    segment: str | None = None,
    as_of: date | None = None,
    lookback_days: int = 365,
    transitions_from: date | None = None,
    segments: tuple[SegmentRule, ...] = DEFAULT_SEGMENTS,
) -> RfmView:
    """Every customer's RFM scores and segment, the segments' revenue and NPS, and (with
    ``transitions_from``) how many customers moved from each segment to each other."""
    reader = ValueReader(backend, workspace_id, segment)
    day = scoring_day(reader, as_of)
    customers = _rfm_of(reader, day, lookback_days, "as_of", segments)
    earlier = None
    moves: list[Record] = []
    if transitions_from is not None:
        earlier = scoring_day(reader, transitions_from)
        if earlier >= day:
            raise InvalidInput("transitions_from", "must be before the scoring day")
        then = _rfm_of(reader, earlier, lookback_days, "transitions_from", segments)
        before = {r["customer_id"]: r["segment"] for r in then}
        after = {r["customer_id"]: r["segment"] for r in customers}
        moves = [{"from": a, "to": b, "customers": n}
                 for (a, b), n in segment_transitions(before, after).items()]  # fmt: skip
    answers = _nps_answers(reader, day)
    return RfmView(day, customers, _segment_summary(customers, answers), moves, earlier)


def _nps_answers(reader: ValueReader, day: datetime) -> pd.DataFrame:
    """Per customer: NPS answers, promoters and detractors in the year before ``day``."""
    responses = reader.facts("responses")
    window = responses.filter((responses.submitted_at < day)
                              & (responses.submitted_at >= day - timedelta(days=365))
                              & responses.nps.notnull())  # fmt: skip
    counts = window.group_by("customer_id").aggregate(
        answers=window.count(), promoters=(window.nps >= 9).sum(),
        detractors=(window.nps <= 6).sum())  # fmt: skip
    return counts.to_pandas().set_index("customer_id").astype("int64")


def _segment_summary(customers: list[Record], answers: pd.DataFrame) -> list[Record]:
    """Customers, revenue and its share, and NPS (100 × (promoters − detractors) / answers)
    of each RFM segment."""
    frame = pd.DataFrame(customers, columns=["customer_id", "segment", "monetary"])
    frame = frame.join(answers, on="customer_id")
    total = float(frame["monetary"].sum()) or 1.0
    rows = []
    for name, part in frame.groupby("segment", sort=False):
        n = int(part["answers"].sum())
        nps = 100.0 * float(part["promoters"].sum() - part["detractors"].sum()) / n if n else None
        rows.append({"segment": str(name), "customers": len(part),
                     "revenue": float(part["monetary"].sum()),
                     "revenue_share": float(part["monetary"].sum()) / total,
                     "nps": nps, "nps_answers": n})  # fmt: skip
    return sorted(rows, key=lambda r: -r["revenue"])
