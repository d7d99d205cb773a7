"""What needs attention today: the read side of the home page's cards.

One card per part of Kano a lead opens in the morning — the scorecard, the case inbox, the
OKRs of the current cycle, the pilots and the strategy map's arrows. Each card reuses the
read side of its own page, so the home page and that page can never disagree:

- scorecard and strategy map: ``views.scorecard.scorecard_view`` (the domain's roll-up and
  traffic lights) of the company-level scorecard, built once for both cards, and the
  stored arrow tests of ``views.link_tests``;
- case inbox: one aggregate query over ``views.cases``' SLA conditions (``OPEN_STATUSES``,
  ``overdue_condition``, ``due_today_condition``), the inbox's own filters;
- OKRs: ``views.okr.choose_cycle`` and ``okr_tree`` (the domain's progress and check-in
  confidence bands);
- pilots: one count by stored status.

A card is None when the workspace has none of its thing; the page then shows a hint.
Every query is filtered by the workspace id.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.orm import Session

from kano.adapters.db.orm import CaseRow, PilotRow
from kano.adapters.db.views.cases import OPEN_STATUSES, due_today_condition, overdue_condition
from kano.adapters.db.views.link_tests import link_tests_of
from kano.adapters.db.views.okr import OkrNode, OkrTree, choose_cycle, list_cycles, okr_tree
from kano.adapters.db.views.scorecard import (
    ObjectiveLine,
    ScorecardView,
    choose_scorecard,
    list_scorecards,
    scorecard_view,
)
from kano.domain.okr.model import Confidence
from kano.domain.shared.scores import Status

MOST_URGENT = 3  # objectives a card names; the page holds the rest
NOT_SUPPORTED = ("not supported", "wrong sign")  # verdicts the data contradict
TESTED = ("supported", *NOT_SUPPORTED)


@dataclass(frozen=True)
class ScorecardCard:
    key: str
    name: str
    score: float | None
    status: Status
    objectives: int
    scored: int  # objectives with a score (the others have no data yet)
    off_track: int
    at_risk: int
    urgent: tuple[ObjectiveLine, ...]  # off track first, then at risk; lowest score first


@dataclass(frozen=True)
class CaseCard:
    total: int  # every case the workspace ever had
    open: int
    overdue: int
    due_today: int


@dataclass(frozen=True)
class OkrCard:
    key: str
    name: str
    status: str  # open | closed
    starts_on: date
    ends_on: date
    objectives: int
    progress: float | None  # mean progress of the cycle's objectives, 0–1
    grade: float | None  # mean grade of a closed cycle's graded objectives, 0–1
    key_results: int
    at_risk: int  # key results whose latest check-in is at risk
    off_track: int  # … or off track
    unchecked: int  # key results without any check-in


@dataclass(frozen=True)
class PilotCard:
    total: int
    planned: int
    running: int
    to_evaluate: int  # running, and their test period is over
    awaiting_decision: int  # evaluated, not decided


@dataclass(frozen=True)
class MapCard:
    key: str
    arrows: int
    tested: int  # arrows the data could judge
    not_supported: int  # of those, not supported or showing the opposite effect
    untested: int  # arrows without a stored verdict the data could give


@dataclass(frozen=True)
class Attention:
    scorecard: ScorecardCard | None
    cases: CaseCard | None
    okr: OkrCard | None
    pilots: PilotCard | None
    strategy_map: MapCard | None


def attention(db: Session, workspace_id: int, now: datetime) -> Attention:
    """Every card of the home page for one workspace; ``now`` is naive UTC."""
    chosen = choose_scorecard(list_scorecards(db, workspace_id), None)
    view = scorecard_view(db, workspace_id, chosen) if chosen else None
    return Attention(
        scorecard=scorecard_card(view) if view else None,
        cases=case_card(db, workspace_id, now),
        okr=okr_card(db, workspace_id, now.date()),
        pilots=pilot_card(db, workspace_id, now.date()),
        strategy_map=map_card(db, workspace_id, view) if view else None,
    )


def scorecard_card(view: ScorecardView) -> ScorecardCard:
    objectives = view.objectives
    off = [o for o in objectives if o.status is Status.RED]
    risk = [o for o in objectives if o.status is Status.AMBER]
    urgent = sorted(off, key=_by_score) + sorted(risk, key=_by_score)
    return ScorecardCard(
        key=view.scorecard.key, name=view.scorecard.name, score=view.score, status=view.status,
        objectives=len(objectives), scored=sum(1 for o in objectives if o.score is not None),
        off_track=len(off), at_risk=len(risk),
        urgent=tuple(urgent[:MOST_URGENT]),
    )


def _by_score(objective: ObjectiveLine) -> tuple[float, int]:
    return (objective.score if objective.score is not None else 0.0, objective.id)


def case_card(db: Session, workspace_id: int, now: datetime) -> CaseCard | None:
    """The inbox's counts, in one query; None when the workspace never had a case."""
    def count(condition: ColumnElement[bool]) -> ColumnElement[int]:
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    total, open_now, overdue, due_today = db.execute(
        select(
            func.count(),
            count(CaseRow.status.in_(OPEN_STATUSES)),
            count(overdue_condition(now)),
            count(due_today_condition(now)),
        ).where(CaseRow.workspace_id == workspace_id)
    ).one()
    if not total:
        return None
    return CaseCard(int(total), int(open_now), int(overdue), int(due_today))


def okr_card(db: Session, workspace_id: int, today: date) -> OkrCard | None:
    """The cycle the OKR page opens on (the open one running today, …), summed up."""
    cycle = choose_cycle(list_cycles(db, workspace_id), None, today)
    if cycle is None:
        return None
    tree = okr_tree(db, workspace_id, cycle)
    nodes = _all_nodes(tree)
    key_results = [kr for node in nodes for kr in node.key_results]
    bands = [kr.latest.band for kr in key_results if kr.latest is not None]
    grades = [node.grade for node in nodes if node.grade is not None]
    return OkrCard(
        key=cycle.key, name=cycle.name, status=cycle.status, starts_on=cycle.starts_on,
        ends_on=cycle.ends_on, objectives=len(nodes),
        progress=sum(node.progress for node in nodes) / len(nodes) if nodes else None,
        grade=sum(grades) / len(grades) if grades else None,
        key_results=len(key_results), at_risk=bands.count(Confidence.AT_RISK),
        off_track=bands.count(Confidence.OFF_TRACK),
        unchecked=sum(1 for kr in key_results if kr.latest is None),
    )


def _all_nodes(tree: OkrTree) -> list[OkrNode]:
    nodes, stack = [], list(tree.roots)
    while stack:
        node = stack.pop()
        nodes.append(node)
        stack.extend(node.children)
    return nodes


def pilot_card(db: Session, workspace_id: int, today: date) -> PilotCard | None:
    """Pilots by stored status, in one query; None when the workspace has none."""
    rows = db.execute(
        select(
            PilotRow.status,
            func.count(),
            func.sum(case((PilotRow.test_end < today, 1), else_=0)),
        )
        .where(PilotRow.workspace_id == workspace_id)
        .group_by(PilotRow.status)
    ).all()
    if not rows:
        return None
    counts = {status: int(n) for status, n, _ in rows}
    over = {status: int(ended or 0) for status, _, ended in rows}
    return PilotCard(
        total=sum(counts.values()), planned=counts.get("planned", 0),
        running=counts.get("running", 0), to_evaluate=over.get("running", 0),
        awaiting_decision=counts.get("evaluated", 0),
    )


def map_card(db: Session, workspace_id: int, view: ScorecardView) -> MapCard | None:
    """The arrows of the scorecard's map and what the stored tests say of them; None when
    the map has no arrow."""
    if not view.links:
        return None
    arrows = {(link.cause_id, link.effect_id) for link in view.links}
    verdicts = {
        (test.cause_id, test.effect_id): test.verdict
        for test in link_tests_of(db, workspace_id, view.scorecard.id)
        if not test.proposed and (test.cause_id, test.effect_id) in arrows
    }
    tested = [verdict for verdict in verdicts.values() if verdict in TESTED]
    return MapCard(
        key=view.scorecard.key, arrows=len(arrows), tested=len(tested),
        not_supported=sum(1 for verdict in tested if verdict in NOT_SUPPORTED),
        untested=len(arrows) - len(tested),
    )
