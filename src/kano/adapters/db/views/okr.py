"""Read side of OKRs: one cycle as an alignment tree, and Net Confidence per team.

The tree follows ``parent_id`` (company → team → person); an objective whose parent is in
another cycle, or has none, is a root. Progress and confidence bands are the domain's.
Every query is filtered by the workspace id.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kano.adapters.db.key_result_directions import metric_directions
from kano.adapters.db.orm import (
    CheckInRow,
    ComputedValueRow,
    KeyResultRow,
    ObjectiveRow,
    OkrCycleRow,
    OkrObjectiveRow,
    Team,
    User,
)
from kano.adapters.db.views.live import LastRefresh, last_refresh
from kano.domain.okr.live_window import LiveWindow, live_window
from kano.domain.okr.model import (
    Confidence,
    KeyResult,
    KeyResultKind,
    confidence_band,
    net_confidence,
    objective_progress,
)
from kano.domain.shared.errors import InvalidInput

LEVEL_ORDER = {"company": 0, "team": 1, "person": 2}


@dataclass(frozen=True)
class CycleChoice:
    id: int
    key: str
    name: str
    kind: str
    starts_on: date
    ends_on: date
    status: str


@dataclass(frozen=True)
class CheckInLine:
    at: datetime
    value: float | None
    confidence: int
    band: Confidence
    comment: str | None
    author: str | None


@dataclass(frozen=True)
class KeyResultLine:
    id: int
    key: str
    title: str
    kind: str
    unit: str | None
    start: float | None
    target: float | None
    current: float | None
    band_low: float | None
    band_high: float | None
    milestones_done: int
    milestones_total: int
    done: bool
    weight: float
    progress: float
    latest: CheckInLine | None
    check_ins: int
    model: KeyResult = field(compare=False, repr=False)
    metric_id: str | None = None
    current_n: int | None = None
    current_ci_low: float | None = None
    current_ci_high: float | None = None
    computed_at: datetime | None = None
    due_on: date | None = None
    per: str = "cycle"
    window: LiveWindow | None = None  # the days ``current`` covers, when it is live

    def overdue(self, today: date) -> bool:
        """Past its due day and not done (progress below 1)."""
        return self.due_on is not None and self.due_on < today and self.progress < 1


@dataclass(frozen=True)
class OkrNode:
    id: int
    key: str
    title: str
    level: str
    team: str | None
    owner: str | None
    commitment: str
    grade: float | None
    scorecard_objective: tuple[int, str] | None
    key_results: tuple[KeyResultLine, ...]
    progress: float
    children: list[OkrNode] = field(default_factory=list)


@dataclass(frozen=True)
class TeamConfidence:
    team: str | None  # None: objectives of no team (company level)
    net: float | None
    on_track: int
    at_risk: int
    off_track: int


@dataclass(frozen=True)
class OkrTree:
    cycle: CycleChoice
    roots: tuple[OkrNode, ...]
    teams: tuple[TeamConfidence, ...]
    last_refresh: LastRefresh | None = None


def list_cycles(db: Session, workspace_id: int) -> tuple[CycleChoice, ...]:
    """The workspace's cycles, latest first."""
    rows = db.scalars(
        select(OkrCycleRow).where(OkrCycleRow.workspace_id == workspace_id)
        .order_by(OkrCycleRow.starts_on.desc(), OkrCycleRow.id.desc())
    )
    return tuple(CycleChoice(r.id, r.key, r.name, r.kind, r.starts_on, r.ends_on, r.status)
                 for r in rows)


def choose_cycle(
    cycles: tuple[CycleChoice, ...], key: str | None, today: date
) -> CycleChoice | None:
    """The cycle asked for; else the open one running today; else the latest open; else
    the latest."""
    if key:
        asked = next((c for c in cycles if c.key == key), None)
        if asked is not None:
            return asked
    running = [c for c in cycles if c.status == "open" and c.starts_on <= today <= c.ends_on]
    open_ones = [c for c in cycles if c.status == "open"]
    for candidates in (running, open_ones, list(cycles)):
        if candidates:
            return candidates[0]
    return None


def _latest_check_ins(
    db: Session, workspace_id: int, kr_ids: list[int]
) -> tuple[dict[int, CheckInLine], dict[int, int]]:
    latest: dict[int, CheckInLine] = {}
    counts: dict[int, int] = defaultdict(int)
    rows = db.execute(
        select(CheckInRow, User.name)
        .outerjoin(User, User.id == CheckInRow.author_user_id)
        .where(CheckInRow.workspace_id == workspace_id, CheckInRow.key_result_id.in_(kr_ids))
        .order_by(CheckInRow.at)
    )
    for row, author in rows:
        counts[row.key_result_id] += 1
        latest[row.key_result_id] = CheckInLine(
            row.at, row.value, row.confidence, confidence_band(row.confidence), row.comment, author
        )
    return latest, counts


def _domain_or_nothing_done(row: KeyResultRow, directions: dict[str, bool]) -> KeyResult:
    """The domain's key result; one whose stored numbers break its rules counts as 0 %."""
    try:
        return row.to_domain(directions.get(row.metric_id or ""))
    except InvalidInput:
        return KeyResult(KeyResultKind.YES_NO, weight=max(row.weight, 0.0))


def key_result_lines(
    db: Session, workspace_id: int, objective_ids: list[int], cycle: CycleChoice
) -> dict[int, list[KeyResultLine]]:
    """The key results of these OKR objectives, with progress and the latest check-in."""
    rows = list(db.scalars(
        select(KeyResultRow)
        .where(KeyResultRow.workspace_id == workspace_id,
               KeyResultRow.okr_objective_id.in_(objective_ids))
        .order_by(KeyResultRow.position, KeyResultRow.id)
    ))
    latest, counts = _latest_check_ins(db, workspace_id, [r.id for r in rows])
    directions = metric_directions(db, workspace_id, (r.metric_id for r in rows))
    computed = _last_computed(db, workspace_id, [r.id for r in rows if r.computed_at])
    lines: dict[int, list[KeyResultLine]] = defaultdict(list)
    for r in rows:
        model = _domain_or_nothing_done(r, directions)
        lines[r.okr_objective_id].append(KeyResultLine(
            id=r.id, key=r.key, title=r.title, kind=r.kind, unit=r.unit, start=r.start,
            target=r.target, current=r.current, band_low=r.band_low, band_high=r.band_high,
            milestones_done=r.milestones_done, milestones_total=r.milestones_total, done=r.done,
            weight=r.weight, progress=model.progress(), latest=latest.get(r.id),
            check_ins=counts[r.id], model=model, metric_id=r.metric_id, current_n=r.current_n,
            current_ci_low=r.current_ci_low, current_ci_high=r.current_ci_high,
            computed_at=r.computed_at, due_on=r.due_on, per=r.per,
            window=_window(r.per, cycle, computed.get(r.id)),
        ))
    return lines


def _last_computed(
    db: Session, workspace_id: int, ids: list[int]
) -> dict[int, tuple[date, date]]:
    """The days each live key result's current value was computed over (its latest)."""
    if not ids:
        return {}
    latest = (
        select(func.max(ComputedValueRow.id))
        .where(ComputedValueRow.workspace_id == workspace_id,
               ComputedValueRow.subject == "key_result", ComputedValueRow.subject_id.in_(ids))
        .group_by(ComputedValueRow.subject_id)
    )
    rows = db.execute(
        select(ComputedValueRow.subject_id, ComputedValueRow.period_start,
               ComputedValueRow.period_end)
        .where(ComputedValueRow.id.in_(latest))
    )
    return {subject_id: (start, end) for subject_id, start, end in rows}


def _window(per: str, cycle: CycleChoice, days: tuple[date, date] | None) -> LiveWindow | None:
    """``live_window`` for the data as far as the value reached; None when the value was
    computed over other days (``per`` changed since the last refresh), so the page never
    labels a number with a window it was not computed over."""
    if days is None:
        return None
    window = live_window(per, cycle.starts_on, cycle.ends_on, days[1])
    return window if window is not None and (window.start, window.end) == days else None


def _progress(lines: list[KeyResultLine]) -> float:
    """Objective progress = the weighted mean of its key results' progress (the domain's)."""
    return objective_progress([line.model for line in lines])


def _hangs_from_a_root(node_id: int, parent_of: dict[int, int]) -> bool:
    """False when following the parents loops (bad data): such a node is shown as a root."""
    seen, current = {node_id}, parent_of.get(node_id)
    while current is not None:
        if current in seen:
            return False
        seen.add(current)
        current = parent_of.get(current)
    return True


def _team_confidence(nodes: list[OkrNode]) -> tuple[TeamConfidence, ...]:
    by_team: dict[str | None, list[int]] = defaultdict(list)
    for node in nodes:
        for kr in node.key_results:
            if kr.latest is not None:
                by_team[node.team].append(kr.latest.confidence)
    result = []
    for team in sorted(by_team, key=lambda t: (t is not None, t or "")):
        bands = [confidence_band(c) for c in by_team[team]]
        result.append(TeamConfidence(
            team, net_confidence(by_team[team]),
            bands.count(Confidence.ON_TRACK), bands.count(Confidence.AT_RISK),
            bands.count(Confidence.OFF_TRACK),
        ))
    return tuple(result)


def okr_tree(db: Session, workspace_id: int, cycle: CycleChoice) -> OkrTree:
    rows = list(db.execute(
        select(OkrObjectiveRow, Team.name, User.name, ObjectiveRow.title)
        .outerjoin(Team, Team.id == OkrObjectiveRow.team_id)
        .outerjoin(User, User.id == OkrObjectiveRow.owner_user_id)
        .outerjoin(ObjectiveRow, ObjectiveRow.id == OkrObjectiveRow.scorecard_objective_id)
        .where(OkrObjectiveRow.workspace_id == workspace_id,
               OkrObjectiveRow.cycle_id == cycle.id)
    ))
    rows.sort(key=lambda r: (LEVEL_ORDER.get(r[0].level, 9), r[0].position, r[0].id))
    key_results = key_result_lines(db, workspace_id, [r[0].id for r in rows], cycle)
    nodes: dict[int, OkrNode] = {}
    for row, team, owner, scorecard_title in rows:
        lines = key_results[row.id]
        linked = None
        if row.scorecard_objective_id is not None and scorecard_title is not None:
            linked = (row.scorecard_objective_id, scorecard_title)
        nodes[row.id] = OkrNode(
            id=row.id, key=row.key, title=row.title, level=row.level, team=team, owner=owner,
            commitment=row.commitment, grade=row.grade, scorecard_objective=linked,
            key_results=tuple(lines), progress=_progress(lines),
        )
    parent_of = {row.id: row.parent_id for row, *_ in rows if row.parent_id in nodes}
    roots = []
    for row, *_ in rows:
        if row.id in parent_of and _hangs_from_a_root(row.id, parent_of):
            nodes[parent_of[row.id]].children.append(nodes[row.id])
        else:
            roots.append(nodes[row.id])
    return OkrTree(
        cycle,
        tuple(roots),
        _team_confidence(list(nodes.values())),
        last_refresh(db, workspace_id),
    )


def cycle_of_key_result(db: Session, workspace_id: int, key_result_id: int) -> CycleChoice | None:
    row = db.execute(
        select(OkrCycleRow)
        .join(OkrObjectiveRow, OkrObjectiveRow.cycle_id == OkrCycleRow.id)
        .join(KeyResultRow, KeyResultRow.okr_objective_id == OkrObjectiveRow.id)
        .where(KeyResultRow.id == key_result_id, KeyResultRow.workspace_id == workspace_id,
               OkrCycleRow.workspace_id == workspace_id)
    ).scalar_one_or_none()
    if row is None:
        return None
    return CycleChoice(row.id, row.key, row.name, row.kind, row.starts_on, row.ends_on,
                       row.status)


def find_key_result(tree: OkrTree, key_result_id: int) -> tuple[OkrNode, KeyResultLine] | None:
    """The objective node holding this key result, and the key result, anywhere in the tree."""
    stack = list(tree.roots)
    while stack:
        node = stack.pop()
        for kr in node.key_results:
            if kr.id == key_result_id:
                return node, kr
        stack.extend(node.children)
    return None
