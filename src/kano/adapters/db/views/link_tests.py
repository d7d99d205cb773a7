"""The stored tests of a scorecard's arrows, for the map page and the API."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from kano.adapters.db.orm import LinkTestRow


@dataclass(frozen=True)
class LinkTestLine:
    cause_id: int
    effect_id: int
    proposed: bool
    verdict: str
    cause_measure: str | None
    effect_measure: str | None
    cause_metric: str | None
    effect_metric: str | None
    lag: str | None
    estimate: float | None
    ci_low: float | None
    ci_high: float | None
    standardized: float | None
    n: int
    method: str | None
    tested_at: datetime


def link_tests_of(session: Session, workspace_id: int, scorecard_id: int) -> list[LinkTestLine]:
    rows = session.scalars(
        select(LinkTestRow)
        .where(LinkTestRow.workspace_id == workspace_id, LinkTestRow.scorecard_id == scorecard_id)
        .order_by(LinkTestRow.proposed, LinkTestRow.id)
    ).all()
    return [
        LinkTestLine(
            r.cause_id, r.effect_id, r.proposed, r.verdict, r.cause_measure, r.effect_measure,
            r.cause_metric, r.effect_metric, r.lag, r.estimate, r.ci_low, r.ci_high,
            r.standardized, r.n, r.method, r.tested_at,
        )
        for r in rows
    ]
