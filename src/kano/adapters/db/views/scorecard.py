"""Read side of the Balanced Scorecard: one scorecard with its scores rolled up.

Perspectives → objectives → measures, each measure with its series of values and the score
of its latest actual; the roll-up (measure → objective → perspective → scorecard) is the
domain's ``roll_up``. Every query is filtered by the workspace id as well as by the
scorecard, so an id guessed from another tenant finds nothing.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from kano.adapters.db.orm import (
    CauseEffectLinkRow,
    MeasureRow,
    MeasureValueRow,
    ObjectiveRow,
    PerspectiveRow,
    ScorecardRow,
    Team,
    User,
)
from kano.adapters.db.views.live import LastRefresh, last_refresh
from kano.domain.shared.errors import InvalidInput
from kano.domain.shared.scores import Status, status_of_score
from kano.domain.strategy.scoring import MeasureScore, roll_up

LEVEL_ORDER = {"company": 0, "department": 1, "team": 2}


@dataclass(frozen=True)
class ScorecardChoice:
    id: int
    key: str
    name: str
    level: str
    owner_team: str | None = None  # the owning team's name (the cascade's department, team)


@dataclass(frozen=True)
class SeriesPoint:
    period: date
    actual: float | None
    target: float | None
    status: Status  # of this period's actual against the measure's thresholds
    source: str = "manual"  # manual | metric
    n: int | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    computed_at: datetime | None = None


@dataclass(frozen=True)
class MeasureLine:
    id: int
    key: str
    name: str
    unit: str | None
    kind: str  # say | do | other
    direction: str
    weight: float
    frequency: str
    target: float | None
    baseline: float | None
    bound_to_metric: str | None
    series: tuple[SeriesPoint, ...]  # oldest first
    score: float | None
    status: Status
    # Where it turns amber and green (higher/lower is better), or its green band and the
    # amber tolerance either side (within a band): the page shows them with the target.
    amber_from: float | None = None
    green_from: float | None = None
    band_low: float | None = None
    band_high: float | None = None
    tolerance: float | None = None

    @property
    def latest(self) -> SeriesPoint | None:
        """The most recent period that has an actual value."""
        return next((p for p in reversed(self.series) if p.actual is not None), None)

    @property
    def latest_target(self) -> float | None:
        """The period's own target if it has one, else the measure's target."""
        latest = self.latest
        if latest is not None and latest.target is not None:
            return latest.target
        return self.target


@dataclass(frozen=True)
class ObjectiveLine:
    id: int
    key: str
    title: str
    perspective_id: int
    customer_voice: str | None
    description: str | None
    owner: str | None
    aligned_to_id: int | None
    measures: tuple[MeasureLine, ...]
    score: float | None
    status: Status

    def measures_of_kind(self, kind: str) -> tuple[MeasureLine, ...]:
        return tuple(m for m in self.measures if m.kind == kind)

    @property
    def has_say_or_do(self) -> bool:
        return any(m.kind in ("say", "do") for m in self.measures)


@dataclass(frozen=True)
class PerspectiveLine:
    id: int
    key: str
    name: str
    objectives: tuple[ObjectiveLine, ...]
    score: float | None
    status: Status

    def kind_score(self, kind: str) -> float | None:
        """Weighted score of the say (or do) measures of this perspective: the say–do gap."""
        return roll_up([
            (m.score, m.weight) for o in self.objectives for m in o.measures if m.kind == kind
        ])

    @property
    def has_say_and_do(self) -> bool:
        kinds = {m.kind for o in self.objectives for m in o.measures}
        return {"say", "do"} <= kinds


@dataclass(frozen=True)
class LinkLine:
    id: int
    cause_id: int
    effect_id: int
    hypothesis: str | None
    lag_months: int


@dataclass(frozen=True)
class ScorecardView:
    scorecard: ScorecardChoice
    perspectives: tuple[PerspectiveLine, ...]
    links: tuple[LinkLine, ...]
    score: float | None
    status: Status
    last_refresh: LastRefresh | None = None

    @property
    def objectives(self) -> tuple[ObjectiveLine, ...]:
        return tuple(o for p in self.perspectives for o in p.objectives)

    def objective(self, objective_id: int) -> ObjectiveLine | None:
        return next((o for o in self.objectives if o.id == objective_id), None)

    def perspective_of(self, objective_id: int) -> PerspectiveLine | None:
        return next(
            (p for p in self.perspectives if any(o.id == objective_id for o in p.objectives)),
            None,
        )


def list_scorecards(db: Session, workspace_id: int) -> tuple[ScorecardChoice, ...]:
    """The workspace's scorecards, the company level first (the cascade's order)."""
    rows = db.scalars(select(ScorecardRow).where(ScorecardRow.workspace_id == workspace_id)).all()
    ordered = sorted(rows, key=lambda r: (LEVEL_ORDER.get(r.level, 9), r.id))
    teams = team_names(db, workspace_id)
    return tuple(ScorecardChoice(r.id, r.key, r.name, r.level, teams.get(r.owner_team_id or 0))
                 for r in ordered)


def team_names(db: Session, workspace_id: int) -> dict[int, str]:
    """The workspace's teams by id, for the scorecards that name their owner team."""
    rows = db.execute(select(Team.id, Team.name).where(Team.workspace_id == workspace_id))
    return {team_id: name for team_id, name in rows}


def choose_scorecard(
    choices: tuple[ScorecardChoice, ...], key: str | None
) -> ScorecardChoice | None:
    """The scorecard asked for by key, else the first (company-level) one."""
    if key:
        asked = next((c for c in choices if c.key == key), None)
        if asked is not None:
            return asked
    return choices[0] if choices else None


def score_of(row: MeasureRow, value: float | None) -> MeasureScore:
    """The domain's score; a measure whose stored thresholds are incomplete has no score."""
    try:
        return row.score(value)
    except InvalidInput:
        return MeasureScore(None, Status.NO_DATA)


def _owner_names(db: Session, workspace_id: int, rows: list[ObjectiveRow]) -> dict[int, str]:
    user_ids = {r.owner_user_id for r in rows if r.owner_user_id}
    team_ids = {r.owner_team_id for r in rows if r.owner_team_id}
    users = dict(db.execute(select(User.id, User.name).where(User.id.in_(user_ids))).all())
    teams = dict(db.execute(
        select(Team.id, Team.name).where(Team.workspace_id == workspace_id, Team.id.in_(team_ids))
    ).all())
    owners = {}
    for row in rows:
        name = users.get(row.owner_user_id or 0) or teams.get(row.owner_team_id or 0)
        if name:
            owners[row.id] = name
    return owners


def _measure_lines(
    db: Session, workspace_id: int, objective_ids: list[int]
) -> dict[int, list[MeasureLine]]:
    measures = db.scalars(
        select(MeasureRow)
        .where(MeasureRow.workspace_id == workspace_id, MeasureRow.objective_id.in_(objective_ids))
        .order_by(MeasureRow.position, MeasureRow.id)
    ).all()
    values: dict[int, list[SeriesPoint]] = defaultdict(list)
    by_id = {m.id: m for m in measures}
    for value in db.scalars(
        select(MeasureValueRow)
        .where(
            MeasureValueRow.workspace_id == workspace_id,
            MeasureValueRow.measure_id.in_(list(by_id)),
        )
        .order_by(MeasureValueRow.period_start)
    ):
        status = score_of(by_id[value.measure_id], value.actual).status
        values[value.measure_id].append(
            SeriesPoint(
                value.period_start, value.actual, value.target, status, value.source,
                value.n, value.ci_low, value.ci_high, value.computed_at,
            )
        )
    by_objective: dict[int, list[MeasureLine]] = defaultdict(list)
    for m in measures:
        series = tuple(values[m.id])
        latest = next((p.actual for p in reversed(series) if p.actual is not None), None)
        scored = score_of(m, latest)
        by_objective[m.objective_id].append(MeasureLine(
            id=m.id, key=m.key, name=m.name, unit=m.unit, kind=m.kind, direction=m.direction,
            weight=m.weight, frequency=m.frequency, target=m.target, baseline=m.baseline,
            bound_to_metric=m.metric_id, series=series, score=scored.score, status=scored.status,
            amber_from=m.amber_from, green_from=m.green_from, band_low=m.band_low,
            band_high=m.band_high, tolerance=m.tolerance,
        ))
    return by_objective


def scorecard_view(db: Session, workspace_id: int, scorecard: ScorecardChoice) -> ScorecardView:
    perspectives = db.scalars(
        select(PerspectiveRow)
        .where(PerspectiveRow.workspace_id == workspace_id,
               PerspectiveRow.scorecard_id == scorecard.id)
        .order_by(PerspectiveRow.position, PerspectiveRow.id)
    ).all()
    objectives = list(db.scalars(
        select(ObjectiveRow)
        .where(ObjectiveRow.workspace_id == workspace_id,
               ObjectiveRow.perspective_id.in_([p.id for p in perspectives]))
        .order_by(ObjectiveRow.position, ObjectiveRow.id)
    ))
    owners = _owner_names(db, workspace_id, objectives)
    measures = _measure_lines(db, workspace_id, [o.id for o in objectives])
    lines: dict[int, list[ObjectiveLine]] = defaultdict(list)
    for o in objectives:
        own = tuple(measures[o.id])
        score = roll_up([(m.score, m.weight) for m in own])
        lines[o.perspective_id].append(ObjectiveLine(
            id=o.id, key=o.key, title=o.title, perspective_id=o.perspective_id,
            customer_voice=o.customer_voice, description=o.description, owner=owners.get(o.id),
            aligned_to_id=o.aligned_to_id, measures=own, score=score,
            status=status_of_score(score),
        ))
    perspective_lines = []
    for p in perspectives:
        children = tuple(lines[p.id])
        score = roll_up([(o.score, 1.0) for o in children])
        perspective_lines.append(
            PerspectiveLine(p.id, p.key, p.name, children, score, status_of_score(score))
        )
    links = tuple(
        LinkLine(link.id, link.cause_id, link.effect_id, link.hypothesis, link.lag_months)
        for link in db.scalars(
            select(CauseEffectLinkRow)
            .where(CauseEffectLinkRow.workspace_id == workspace_id,
                   CauseEffectLinkRow.scorecard_id == scorecard.id)
            .order_by(CauseEffectLinkRow.id)
        )
    )
    total = roll_up([(p.score, 1.0) for p in perspective_lines])
    return ScorecardView(
        scorecard, tuple(perspective_lines), links, total, status_of_score(total),
        last_refresh(db, workspace_id),
    )
