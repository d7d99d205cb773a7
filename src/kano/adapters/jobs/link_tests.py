"""Test every scorecard's strategy-map arrows on the warehouse and store the results.

Called after a refresh of live bindings (``kano compute``, the worker's schedule) and by
``kano analyze links --map``. Each scorecard's rows in ``link_tests`` are replaced in one
transaction, so the map page shows one complete run, never half of one.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from kano.adapters.db.engine import transaction
from kano.adapters.db.orm import (
    CauseEffectLinkRow,
    LinkTestRow,
    MeasureRow,
    ObjectiveRow,
    PerspectiveRow,
    ScorecardRow,
    utcnow,
)
from kano.analytics.linkage.arrows import ArrowTest, BoundMeasure, MapArrow, test_strategy_map


def _scorecard_inputs(
    session: Session, workspace_id: int, scorecard_id: int
) -> tuple[dict[str, int], list[MapArrow], list[BoundMeasure]]:
    objectives = session.execute(
        select(ObjectiveRow.id, ObjectiveRow.key)
        .join(PerspectiveRow, ObjectiveRow.perspective_id == PerspectiveRow.id)
        .where(PerspectiveRow.scorecard_id == scorecard_id,
               ObjectiveRow.workspace_id == workspace_id)
    ).all()  # fmt: skip
    key_of = {oid: key for oid, key in objectives}
    links = session.scalars(
        select(CauseEffectLinkRow).where(
            CauseEffectLinkRow.workspace_id == workspace_id,
            CauseEffectLinkRow.scorecard_id == scorecard_id,
        ).order_by(CauseEffectLinkRow.id)
    ).all()
    arrows = [
        MapArrow(key_of[link.cause_id], key_of[link.effect_id], link.lag_months)
        for link in links
        if link.cause_id in key_of and link.effect_id in key_of
    ]
    measures = session.scalars(
        select(MeasureRow).where(
            MeasureRow.workspace_id == workspace_id,
            MeasureRow.objective_id.in_(list(key_of)),
            MeasureRow.metric_id.is_not(None),
        ).order_by(MeasureRow.objective_id, MeasureRow.position, MeasureRow.id)
    ).all()
    bound = [
        BoundMeasure(key_of[m.objective_id], m.key, m.metric_id or "", m.metric_slice or {})
        for m in measures
    ]
    return {key: oid for oid, key in objectives}, arrows, bound


def _row(workspace_id: int, scorecard_id: int, ids: dict[str, int], test: ArrowTest) -> LinkTestRow:
    result = test.result
    return LinkTestRow(
        workspace_id=workspace_id, scorecard_id=scorecard_id, cause_id=ids[test.cause],
        effect_id=ids[test.effect], proposed=test.proposed, verdict=test.verdict,
        cause_measure=test.cause_measure, effect_measure=test.effect_measure,
        cause_metric=result.cause if result else None,
        effect_metric=result.effect if result else None,
        lag=result.lag if result else None,
        estimate=result.estimate if result else None,
        ci_low=result.ci_low if result else None, ci_high=result.ci_high if result else None,
        standardized=result.standardized if result else None,
        p_value=result.p_value if result else None, n=result.n if result else 0,
        method=result.method if result else None, tested_at=utcnow(),
    )  # fmt: skip


def test_workspace_links(
    sessions: sessionmaker[Session], backend: Any, workspace_id: int
) -> list[ArrowTest]:
    """Test and store every scorecard's arrows (and proposals); all the tests made."""
    with sessions() as session:
        scorecards = session.scalars(
            select(ScorecardRow.id).where(ScorecardRow.workspace_id == workspace_id)
        ).all()
        inputs = {sid: _scorecard_inputs(session, workspace_id, sid) for sid in scorecards}
    everything: list[ArrowTest] = []
    results = {}
    for scorecard_id, (ids, arrows, measures) in inputs.items():
        tests = test_strategy_map(backend, workspace_id, arrows, measures)
        results[scorecard_id] = (ids, tests)
        everything.extend(tests)
    with transaction(sessions) as session:
        for scorecard_id, (ids, tests) in results.items():
            session.execute(delete(LinkTestRow).where(
                LinkTestRow.workspace_id == workspace_id,
                LinkTestRow.scorecard_id == scorecard_id))  # fmt: skip
            session.add_all(_row(workspace_id, scorecard_id, ids, test) for test in tests)
    return everything


test_workspace_links.__test__ = False  # type: ignore[attr-defined]  # not a pytest test
