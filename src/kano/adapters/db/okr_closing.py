"""Closing an OKR cycle in the database: the one operation behind the API, the web UI and
``kano okr close``.

``close_cycle`` grades every objective of the cycle and, with a target cycle, copies the
unfinished key results there under copies of their objectives — what and how the domain
decides (``kano.domain.okr.closing``). It works in the caller's session and transaction:
the caller checks who may close (admins) and commits, so the grades, the copies and the
audit entries land together or not at all.

The close claims the cycle first with a conditional ``UPDATE … WHERE status = 'open'``:
of two closes running at once exactly one gets the row, the other finds it closed (409).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any, cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm import Session

from kano.adapters.db.accounts import audit
from kano.adapters.db.key_result_directions import metric_directions
from kano.adapters.db.orm import KeyResultRow, OkrCycleRow, OkrObjectiveRow
from kano.domain.okr import closing
from kano.domain.okr.closing import (
    CarriedKeyResult,
    ClosingConflict,
    CycleNotOpen,
    CycleRef,
    CycleStatus,
    KeyResultAtClose,
    ObjectiveAtClose,
)
from kano.domain.okr.model import Commitment, KeyResult, KeyResultKind
from kano.domain.shared.errors import InvalidInput, NotFound

LEVEL_ORDER = {"company": 0, "team": 1, "person": 2}  # the order of the OKR tree


@dataclass(frozen=True)
class Actor:
    """Who closes, for the audit log."""

    name: str  # the audit entry's actor: an e-mail, ``api-token:…`` or ``cli``
    user_id: int | None = None


@dataclass(frozen=True)
class GradedObjective:
    key: str
    title: str
    commitment: Commitment
    grade: float
    success: bool


@dataclass(frozen=True)
class CarriedOver:
    key_result: str  # the unfinished key result
    copy: str  # its copy in the target cycle
    objective: str  # the copy's objective (a copy of the original's objective)
    title: str


@dataclass(frozen=True)
class ClosedCycle:
    cycle: str
    carried_over_to: str | None
    grades: tuple[GradedObjective, ...]
    carried: tuple[CarriedOver, ...]


def _cycle(session: Session, workspace_id: int, key: str) -> OkrCycleRow | None:
    return session.scalar(select(OkrCycleRow).where(
        OkrCycleRow.workspace_id == workspace_id, OkrCycleRow.key == key
    ))


def _ref(row: OkrCycleRow) -> CycleRef:
    status = CycleStatus.OPEN if row.status == CycleStatus.OPEN else CycleStatus.CLOSED
    return CycleRef(row.key, status)


def _domain_or_nothing_done(row: KeyResultRow, directions: dict[str, bool]) -> KeyResult:
    """The domain's key result, knowing its metric's direction as on the OKR page; one
    whose stored numbers break its rules counts as 0 % (as on the OKR page) and is
    carried over as it is."""
    try:
        return row.to_domain(directions.get(row.metric_id or ""))
    except InvalidInput:
        return KeyResult(KeyResultKind.YES_NO, weight=max(row.weight, 0.0))


def _claim(session: Session, cycle: OkrCycleRow) -> None:
    """Flip the cycle to closed unless someone else did: the lock two closes race for."""
    result = cast(CursorResult[Any], session.execute(
        update(OkrCycleRow)
        .where(OkrCycleRow.id == cycle.id, OkrCycleRow.status == CycleStatus.OPEN.value)
        .values(status=CycleStatus.CLOSED.value)
        .execution_options(synchronize_session=False)
    ))
    if result.rowcount != 1:
        raise CycleNotOpen(cycle.key)
    session.refresh(cycle)


def _require_free_keys(
    session: Session, workspace_id: int, table: Any, keys: list[str], entity: str
) -> None:
    if not keys:
        return
    taken = session.scalars(
        select(table.key).where(table.workspace_id == workspace_id, table.key.in_(keys))
    ).first()
    if taken is not None:
        raise ClosingConflict(
            f"The copy of an unfinished {entity} would get the key '{taken}', which is taken "
            "already; rename that row first."
        )


def _copy_key_result(
    row: KeyResultRow, carried: CarriedKeyResult, objective_id: int, due_on: date
) -> KeyResultRow:
    start = carried.result.start if carried.result.kind is KeyResultKind.METRIC else row.start
    return KeyResultRow(
        workspace_id=row.workspace_id, okr_objective_id=objective_id, key=carried.copy,
        title=row.title, kind=row.kind, unit=row.unit, start=start, target=row.target,
        current=row.current, band_low=row.band_low, band_high=row.band_high,
        milestones_done=row.milestones_done, milestones_total=row.milestones_total,
        done=row.done, weight=row.weight, metric_id=row.metric_id,
        metric_slice=row.metric_slice, current_n=row.current_n,
        current_ci_low=row.current_ci_low, current_ci_high=row.current_ci_high,
        computed_at=row.computed_at, carried_over_from_id=row.id, position=row.position,
        due_on=due_on,  # the copy is due when the cycle it continues in ends
    )


def close_cycle(
    session: Session, workspace_id: int, cycle_key: str, carry_over_to: str | None,
    actor: Actor,
) -> ClosedCycle:
    """Grade, close and carry over; raises ``NotFound`` (no such cycle), ``InvalidInput``
    on ``carry_over_to`` and ``ClosingConflict`` (closed already, a copy's key taken)."""
    cycle = _cycle(session, workspace_id, cycle_key)
    if cycle is None:
        raise NotFound("cycle", cycle_key)
    target = None
    if carry_over_to is not None:
        target = _cycle(session, workspace_id, carry_over_to)
        if target is None:
            raise InvalidInput("carry_over_to", f"no cycle '{carry_over_to}' in this workspace")
    closing.check_can_close(_ref(cycle), None if target is None else _ref(target))
    _claim(session, cycle)

    objectives = sorted(
        session.scalars(select(OkrObjectiveRow).where(
            OkrObjectiveRow.workspace_id == workspace_id, OkrObjectiveRow.cycle_id == cycle.id
        )),
        key=lambda o: (LEVEL_ORDER.get(o.level, len(LEVEL_ORDER)), o.position, o.id),
    )
    key_results: dict[int, list[KeyResultRow]] = defaultdict(list)
    for kr in session.scalars(
        select(KeyResultRow)
        .where(KeyResultRow.workspace_id == workspace_id,
               KeyResultRow.okr_objective_id.in_([o.id for o in objectives]))
        .order_by(KeyResultRow.position, KeyResultRow.id)
    ):
        key_results[kr.okr_objective_id].append(kr)
    key_of = {o.id: o.key for o in objectives}
    directions = metric_directions(
        session, workspace_id, (kr.metric_id for krs in key_results.values() for kr in krs))
    plan = closing.close_cycle(
        [
            ObjectiveAtClose(
                key=o.key, commitment=Commitment(o.commitment),
                key_results=tuple(KeyResultAtClose(kr.key, _domain_or_nothing_done(kr, directions))
                                  for kr in key_results[o.id]),
                parent=key_of.get(o.parent_id or 0),
            )
            for o in objectives
        ],
        cycle.key,
        None if target is None else target.key,
    )

    by_key = {o.key: o for o in objectives}
    graded = []
    for entry in plan.grades:
        row = by_key[entry.objective]
        row.grade = entry.grade.score
        graded.append(GradedObjective(row.key, row.title, Commitment(row.commitment),
                                      entry.grade.score, entry.grade.success))
    carried = _carry_over(session, workspace_id, target, plan, by_key, key_results, actor)
    audit(session, workspace_id, actor.name, "close", "okr_cycle", cycle.id, {
        "key": cycle.key,
        "carried_over_to": None if target is None else target.key,
        "grades": {g.key: g.grade for g in graded},
        "carried": {c.key_result: c.copy for c in carried},
    }, user_id=actor.user_id)
    session.flush()
    return ClosedCycle(cycle.key, None if target is None else target.key, tuple(graded),
                       tuple(carried))


def _carry_over(
    session: Session, workspace_id: int, target: OkrCycleRow | None,
    plan: closing.CycleClosing, objectives: dict[str, OkrObjectiveRow],
    key_results: dict[int, list[KeyResultRow]], actor: Actor,
) -> list[CarriedOver]:
    if target is None or not plan.carried:
        return []
    _require_free_keys(session, workspace_id, OkrObjectiveRow,
                       [o.copy for o in plan.carried], "key result's objective")
    _require_free_keys(session, workspace_id, KeyResultRow,
                       [kr.copy for kr in plan.carried_key_results()], "key result")
    copies: dict[str, OkrObjectiveRow] = {}
    for entry in plan.carried:
        original = objectives[entry.original]
        copies[entry.copy] = OkrObjectiveRow(
            workspace_id=workspace_id, cycle_id=target.id, key=entry.copy, title=original.title,
            level=original.level, team_id=original.team_id,
            owner_user_id=original.owner_user_id,
            scorecard_objective_id=original.scorecard_objective_id,
            commitment=original.commitment, grade=None, position=original.position,
        )
    session.add_all(copies.values())
    session.flush()
    carried: list[CarriedOver] = []
    for entry in plan.carried:
        copy = copies[entry.copy]
        if entry.parent is not None:
            copy.parent_id = copies[entry.parent].id
        audit(session, workspace_id, actor.name, "create", "okr_objective", copy.id, {
            "key": copy.key, "cycle": target.key, "carried_over_from": entry.original,
        }, user_id=actor.user_id)
        rows = {kr.key: kr for kr in key_results[objectives[entry.original].id]}
        for kr in entry.key_results:
            row = _copy_key_result(rows[kr.original], kr, copy.id, target.ends_on)
            session.add(row)
            session.flush()
            audit(session, workspace_id, actor.name, "create", "key_result", row.id, {
                "key": row.key, "objective": copy.key, "carried_over_from": kr.original,
                "start": row.start, "target": row.target,
            }, user_id=actor.user_id)
            carried.append(CarriedOver(kr.original, kr.copy, copy.key, row.title))
    return carried
