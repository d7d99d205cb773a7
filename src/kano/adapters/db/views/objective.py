"""Read side of one scorecard objective: the drill-down page of the scorecard.

Its measures and values come from the scorecard view (the scores must be the ones the
scorecard shows); around them: the cause–effect links in and out, the initiatives that
serve it, the cascade (what it is aligned to, what is aligned to it) and the OKRs that
serve it in any cycle. Every query is filtered by the workspace id.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from kano.adapters.db.key_result_directions import metric_directions
from kano.adapters.db.orm import (
    InitiativeObjectiveRow,
    InitiativeRow,
    KeyResultRow,
    ObjectiveRow,
    OkrCycleRow,
    OkrObjectiveRow,
    PerspectiveRow,
    ScorecardRow,
    Team,
    User,
)
from kano.adapters.db.views.scorecard import (
    ObjectiveLine,
    PerspectiveLine,
    ScorecardChoice,
    ScorecardView,
    scorecard_view,
)
from kano.domain.okr.model import objective_progress


@dataclass(frozen=True)
class ObjectiveRef:
    id: int
    title: str


@dataclass(frozen=True)
class LinkedObjective:
    link_id: int
    objective: ObjectiveRef
    hypothesis: str | None
    lag_months: int


@dataclass(frozen=True)
class InitiativeLine:
    key: str
    name: str
    owner: str | None
    budget: float | None
    starts_on: date | None
    ends_on: date | None
    status: str


@dataclass(frozen=True)
class AlignedOkr:
    id: int
    title: str
    level: str
    cycle_key: str
    cycle_name: str
    progress: float


@dataclass(frozen=True)
class ObjectiveDetail:
    objective: ObjectiveLine
    perspective: PerspectiveLine
    card: ScorecardView
    causes: tuple[LinkedObjective, ...]  # objectives that drive this one
    effects: tuple[LinkedObjective, ...]  # objectives this one drives
    initiatives: tuple[InitiativeLine, ...]
    okrs: tuple[AlignedOkr, ...]
    aligned_to: ObjectiveRef | None
    aligned_from: tuple[ObjectiveRef, ...]

    @property
    def scorecard(self) -> ScorecardChoice:
        return self.card.scorecard

    @property
    def link_candidates(self) -> tuple[ObjectiveRef, ...]:
        """Objectives of the same map this one could drive (not itself, not linked yet)."""
        taken = {e.objective.id for e in self.effects} | {self.objective.id}
        return tuple(
            ObjectiveRef(o.id, o.title) for o in self.card.objectives if o.id not in taken
        )


def _scorecard_of(db: Session, workspace_id: int, objective_id: int) -> ScorecardChoice | None:
    row = db.execute(
        select(ScorecardRow)
        .join(PerspectiveRow, PerspectiveRow.scorecard_id == ScorecardRow.id)
        .join(ObjectiveRow, ObjectiveRow.perspective_id == PerspectiveRow.id)
        .where(ObjectiveRow.id == objective_id, ObjectiveRow.workspace_id == workspace_id,
               ScorecardRow.workspace_id == workspace_id)
    ).scalar_one_or_none()
    return None if row is None else ScorecardChoice(row.id, row.key, row.name, row.level)


def _titles(db: Session, workspace_id: int, ids: set[int]) -> dict[int, str]:
    return dict(db.execute(
        select(ObjectiveRow.id, ObjectiveRow.title)
        .where(ObjectiveRow.workspace_id == workspace_id, ObjectiveRow.id.in_(ids))
    ).all())


def _initiatives(db: Session, workspace_id: int, objective_id: int) -> tuple[InitiativeLine, ...]:
    rows = db.execute(
        select(InitiativeRow, User.name, Team.name)
        .join(InitiativeObjectiveRow, InitiativeObjectiveRow.initiative_id == InitiativeRow.id)
        .outerjoin(User, User.id == InitiativeRow.owner_user_id)
        .outerjoin(Team, Team.id == InitiativeRow.owner_team_id)
        .where(InitiativeRow.workspace_id == workspace_id,
               InitiativeObjectiveRow.workspace_id == workspace_id,
               InitiativeObjectiveRow.objective_id == objective_id)
        .order_by(InitiativeRow.starts_on, InitiativeRow.id)
    ).all()
    return tuple(
        InitiativeLine(row.key, row.name, user or team, row.budget, row.starts_on, row.ends_on,
                       row.status)
        for row, user, team in rows
    )


def _aligned_okrs(db: Session, workspace_id: int, objective_id: int) -> tuple[AlignedOkr, ...]:
    rows = db.execute(
        select(OkrObjectiveRow, OkrCycleRow.key, OkrCycleRow.name)
        .join(OkrCycleRow, OkrCycleRow.id == OkrObjectiveRow.cycle_id)
        .where(OkrObjectiveRow.workspace_id == workspace_id,
               OkrObjectiveRow.scorecard_objective_id == objective_id)
        .order_by(OkrCycleRow.starts_on.desc(), OkrObjectiveRow.position, OkrObjectiveRow.id)
    ).all()
    key_results = defaultdict(list)
    kr_rows = list(db.scalars(
        select(KeyResultRow).where(
            KeyResultRow.workspace_id == workspace_id,
            KeyResultRow.okr_objective_id.in_([row.id for row, _, _ in rows]),
        )
    ))
    directions = metric_directions(db, workspace_id, (kr.metric_id for kr in kr_rows))
    for kr in kr_rows:
        key_results[kr.okr_objective_id].append(kr.to_domain(directions.get(kr.metric_id or "")))
    return tuple(
        AlignedOkr(row.id, row.title, row.level, cycle_key, cycle_name,
                   objective_progress(key_results[row.id]))
        for row, cycle_key, cycle_name in rows
    )


def objective_detail(db: Session, workspace_id: int, objective_id: int) -> ObjectiveDetail | None:
    """Everything the objective page shows; None when the workspace has no such objective."""
    scorecard = _scorecard_of(db, workspace_id, objective_id)
    if scorecard is None:
        return None
    card = scorecard_view(db, workspace_id, scorecard)
    objective, perspective = card.objective(objective_id), card.perspective_of(objective_id)
    assert objective is not None and perspective is not None
    in_map = {o.id: o.title for o in card.objectives}
    causes = tuple(
        LinkedObjective(link.id, ObjectiveRef(link.cause_id, in_map[link.cause_id]),
                        link.hypothesis, link.lag_months)
        for link in card.links if link.effect_id == objective_id and link.cause_id in in_map
    )
    effects = tuple(
        LinkedObjective(link.id, ObjectiveRef(link.effect_id, in_map[link.effect_id]),
                        link.hypothesis, link.lag_months)
        for link in card.links if link.cause_id == objective_id and link.effect_id in in_map
    )
    aligned_from_ids = set(db.scalars(
        select(ObjectiveRow.id).where(ObjectiveRow.workspace_id == workspace_id,
                                      ObjectiveRow.aligned_to_id == objective_id)
    ))
    wanted = aligned_from_ids | ({objective.aligned_to_id} if objective.aligned_to_id else set())
    titles = _titles(db, workspace_id, wanted)
    aligned_to = None
    if objective.aligned_to_id in titles:
        aligned_to = ObjectiveRef(objective.aligned_to_id, titles[objective.aligned_to_id])
    return ObjectiveDetail(
        objective=objective,
        perspective=perspective,
        card=card,
        causes=causes,
        effects=effects,
        initiatives=_initiatives(db, workspace_id, objective_id),
        okrs=_aligned_okrs(db, workspace_id, objective_id),
        aligned_to=aligned_to,
        aligned_from=tuple(ObjectiveRef(i, titles[i]) for i in sorted(aligned_from_ids)),
    )
