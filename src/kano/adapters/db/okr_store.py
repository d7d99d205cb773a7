"""The one write path of OKRs — cycles, OKR objectives, key results and check-ins — shared
by the API routers (``api/routers/okr.py``, ``key_results.py``, ``check_ins.py``) and the
OKR page (``web/okr_authoring.py``, ``web/routes/okr.py``).

Each function checks, in ``strategy_store``'s order: that the rows it names are in the
author's workspace (``NotFound`` for the row written to, ``InvalidInput`` naming the field
for a row it refers to), who may (``EditForbidden``: cycles are structure, admins only;
an OKR objective, its key results and their check-ins belong to the objective's owner),
that the cycle is open (``CycleIsClosed``: a closed cycle is graded once and for good),
then the values (``InvalidInput`` naming the field, ``AlreadyExists`` for a taken key);
then it writes the row and one audit entry (keys, not ids) in the caller's transaction
and flushes. The caller commits and says the problems its own way: the API as HTTP
statuses (409 for a closed cycle, 422 naming the field), the page next to the form field
in the reader's language.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kano.adapters.db.metric_catalogue import require_known_binding
from kano.adapters.db.orm import (
    CheckInRow,
    KeyResultRow,
    Membership,
    ObjectiveRow,
    OkrCycleRow,
    OkrObjectiveRow,
    Team,
    User,
    utcnow,
)
from kano.adapters.db.strategy_store import (
    TEXT_MAX,
    TITLE_MAX,
    Author,
    new_key,
    position_or_last,
    record,
    referenced,
    require_admin,
    require_owner,
    row_in,
    text,
)
from kano.domain.okr.live_window import Per
from kano.domain.okr.model import Commitment, KeyResultKind, due_on_or_cycle_end
from kano.domain.shared.errors import InvalidInput, KanoError

CYCLES = "OKR cycles"
OKR_OBJECTIVES = "OKR objectives"
KEY_RESULTS = "key results and check-ins"
CYCLE_KINDS = ("quarter", "year")
LEVELS = ("company", "team", "person")
NAME_MAX = 200  # the cycle's name column
UNIT_MAX = 32  # the key result's unit column
# What ``InvalidInput.message`` says for the problems a form can make; the page shows its
# own words for these.
ENDS_BEFORE_START = "is before starts_on"
NO_TEAM = "a team objective needs its team"
LIVE_VALUE = ("follows its metric: its value updates itself (kano compute); check in a "
              "confidence and a comment without a value")


class CycleIsClosed(KanoError):
    """A write into a closed cycle: its objectives are graded once and for good."""

    def __init__(self, cycle_key: str) -> None:
        super().__init__(f"Cycle '{cycle_key}' is closed: its objectives are graded, so its "
                         "OKRs take no new objectives, key results or check-ins.")
        self.cycle_key = cycle_key


class LiveValue(InvalidInput):
    """A typed value for a key result whose value follows its metric live."""

    code = "key_result_is_live"

    def __init__(self, key_result: str) -> None:
        super().__init__("value", LIVE_VALUE)
        self.key_result = key_result

    def details(self) -> dict[str, object]:
        return {"key_result": self.key_result}


def require_open(cycle: OkrCycleRow) -> None:
    if cycle.status != "open":
        raise CycleIsClosed(cycle.key)


def cycle_of_objective(db: Session, objective: OkrObjectiveRow) -> OkrCycleRow:
    cycle = db.get(OkrCycleRow, objective.cycle_id)
    assert cycle is not None  # NOT NULL, ON DELETE CASCADE
    return cycle


def _member_email(db: Session, workspace_id: int, user_id: int | None) -> str | None:
    """The e-mail of a member of the workspace; ``InvalidInput`` on ``owner`` otherwise."""
    if user_id is None:
        return None
    email = db.scalar(select(User.email).join(Membership, Membership.user_id == User.id)
                      .where(Membership.workspace_id == workspace_id, User.id == user_id))
    if email is None:
        raise InvalidInput("owner", "no such member in this workspace")
    return str(email)


def _optional(db: Session, table: Any, workspace_id: int, row_id: int | None, field: str,
              entity: str) -> Any:
    return None if row_id is None else referenced(db, table, workspace_id, row_id, field,
                                                  entity)


# --- cycles -----------------------------------------------------------------------------

def create_cycle(
    db: Session, author: Author, *, name: str, starts_on: date, ends_on: date,
    kind: str = "quarter", status: str = "open", key: str | None = None,
) -> OkrCycleRow:
    """A cycle (admins only); without ``key`` one is derived from the name."""
    require_admin(author, CYCLES)
    checked_name = text(name, "name", limit=NAME_MAX, required=True)
    assert checked_name is not None
    if kind not in CYCLE_KINDS:
        raise InvalidInput("kind", "is quarter or year")
    if status not in ("open", "closed"):
        raise InvalidInput("status", "is open or closed")
    if ends_on < starts_on:
        raise InvalidInput("ends_on", ENDS_BEFORE_START)
    values = {"key": new_key(db, OkrCycleRow, author.workspace_id, key, checked_name, "cycle"),
              "name": checked_name, "kind": kind, "starts_on": starts_on, "ends_on": ends_on,
              "status": status}
    row = OkrCycleRow(workspace_id=author.workspace_id, **values)
    db.add(row)
    db.flush()
    record(db, author, "create", "okr_cycle", row.id, values)
    return row


# --- OKR objectives ---------------------------------------------------------------------

def create_objective(
    db: Session, author: Author, *, cycle_id: int, title: str, level: str = "company",
    owner_user_id: int | None = None, team_id: int | None = None,
    parent_id: int | None = None, scorecard_objective_id: int | None = None,
    commitment: Commitment = Commitment.COMMITTED, grade: float | None = None,
    key: str | None = None, position: int | None = None,
) -> OkrObjectiveRow:
    """An objective in an open cycle, owned by ``owner_user_id`` (a manager may create
    only one they own); without ``key`` one is derived from the title, without
    ``position`` it goes last in its cycle."""
    ws = author.workspace_id
    cycle: OkrCycleRow = referenced(db, OkrCycleRow, ws, cycle_id, "cycle", "cycle")
    owner_email = _member_email(db, ws, owner_user_id)
    team = _optional(db, Team, ws, team_id, "team", "team")
    parent = _optional(db, OkrObjectiveRow, ws, parent_id, "parent", "OKR objective")
    served = _optional(db, ObjectiveRow, ws, scorecard_objective_id, "scorecard_objective",
                       "objective")
    require_owner(author, [owner_user_id], OKR_OBJECTIVES)
    require_open(cycle)
    checked_title = text(title, "title", limit=TITLE_MAX, required=True)
    assert checked_title is not None
    if level not in LEVELS:
        raise InvalidInput("level", "is company, team or person")
    if level == "team" and team is None:
        raise InvalidInput("team", NO_TEAM)
    if grade is not None and not 0 <= grade <= 1:
        raise InvalidInput("grade", "is from 0 to 1")
    row = OkrObjectiveRow(
        workspace_id=ws, cycle_id=cycle.id,
        key=new_key(db, OkrObjectiveRow, ws, key, checked_title, "okr"),
        title=checked_title, level=level, team_id=team_id, owner_user_id=owner_user_id,
        parent_id=parent_id, scorecard_objective_id=scorecard_objective_id,
        commitment=Commitment(commitment).value, grade=grade,
        position=position_or_last(db, OkrObjectiveRow, ws, position, cycle_id=cycle.id),
    )
    db.add(row)
    db.flush()
    record(db, author, "create", "okr_objective", row.id, {
        "key": row.key, "cycle": cycle.key, "title": row.title, "level": row.level,
        "team": getattr(team, "key", None), "owner": owner_email,
        "parent": getattr(parent, "key", None), "scorecard_objective": getattr(served, "key", None),
        "commitment": row.commitment, "grade": row.grade, "position": row.position,
    })
    return row


# --- key results ------------------------------------------------------------------------

def check_kind(row: KeyResultRow) -> None:
    """The domain's rules for the key result as it will be (``InvalidInput`` naming the
    field)."""
    if row.kind == KeyResultKind.MILESTONE and row.milestones_total < 1:
        raise InvalidInput("milestones_total", "a milestone key result needs at least 1")
    row.to_domain()


def key_result_snapshot(db: Session, row: KeyResultRow) -> dict[str, Any]:
    """What the audit log keeps of a key result: its values, references by key."""
    objective = db.get(OkrObjectiveRow, row.okr_objective_id)
    origin = None if row.carried_over_from_id is None else db.get(KeyResultRow,
                                                                  row.carried_over_from_id)
    return {
        "key": row.key, "objective": getattr(objective, "key", None), "title": row.title,
        "kind": row.kind, "unit": row.unit, "start": row.start, "target": row.target,
        "current": row.current, "band_low": row.band_low, "band_high": row.band_high,
        "milestones_done": row.milestones_done, "milestones_total": row.milestones_total,
        "done": row.done, "weight": row.weight,
        "metric": None if row.metric_id is None else {"id": row.metric_id,
                                                      "slice": row.metric_slice},
        "per": row.per,
        "carried_over_from": getattr(origin, "key", None), "position": row.position,
        "due_on": row.due_on,
    }


def create_key_result(
    db: Session, author: Author, *, objective_id: int, title: str, kind: KeyResultKind,
    key: str | None = None, unit: str | None = None, start: float | None = None,
    target: float | None = None, current: float | None = None,
    band_low: float | None = None, band_high: float | None = None,
    milestones_done: int = 0, milestones_total: int = 0, done: bool = False,
    weight: float = 1.0, metric_id: str | None = None,
    metric_slice: Mapping[str, Any] | None = None, carried_over_from_id: int | None = None,
    position: int | None = None, due_on: date | None = None, per: Per | str = Per.CYCLE,
) -> KeyResultRow:
    """A key result on an objective of an open cycle, by the objective's owner (or an
    admin), checked by the domain's rules for its kind; due at the cycle's end unless
    ``due_on`` says otherwise."""
    ws = author.workspace_id
    objective: OkrObjectiveRow = referenced(db, OkrObjectiveRow, ws, objective_id, "objective",
                                            "OKR objective")
    _optional(db, KeyResultRow, ws, carried_over_from_id, "carried_over_from", "key result")
    require_owner(author, [objective.owner_user_id], KEY_RESULTS)
    cycle = cycle_of_objective(db, objective)
    require_open(cycle)
    checked_title = text(title, "title", limit=TITLE_MAX, required=True)
    assert checked_title is not None
    if metric_id is not None:
        require_known_binding(db, ws, metric_id, metric_slice)
    row = KeyResultRow(
        workspace_id=ws, okr_objective_id=objective.id, title=checked_title,
        kind=KeyResultKind(kind).value, unit=text(unit, "unit", limit=UNIT_MAX),
        start=start, target=target, current=current, band_low=band_low, band_high=band_high,
        milestones_done=milestones_done, milestones_total=milestones_total, done=done,
        weight=weight, metric_id=metric_id,
        metric_slice=None if metric_slice is None else dict(metric_slice),
        carried_over_from_id=carried_over_from_id, per=_per(per),
        due_on=due_on_or_cycle_end(due_on, cycle.ends_on),
    )
    check_kind(row)
    row.key = new_key(db, KeyResultRow, ws, key, checked_title, "kr")
    row.position = position_or_last(db, KeyResultRow, ws, position,
                                    okr_objective_id=objective.id)
    db.add(row)
    db.flush()
    record(db, author, "create", "key_result", row.id, key_result_snapshot(db, row))
    return row


def _per(per: Per | str) -> str:
    try:
        return Per(per).value
    except ValueError:
        raise InvalidInput("per", "is cycle or month") from None


def is_live(kr: KeyResultRow) -> bool:
    """Whether the key result's value follows its metric (``kano compute`` has set it)."""
    return kr.computed_at is not None


# --- check-ins --------------------------------------------------------------------------

def values_for_check_in(kr: KeyResultRow, value: float) -> dict[str, Any]:
    """What a checked-in value sets on its key result, by kind (``InvalidInput`` on
    ``value`` if it cannot be such a value)."""
    kind = KeyResultKind(kr.kind)
    if kind is KeyResultKind.MILESTONE:
        if value != int(value) or not 0 <= value <= kr.milestones_total:
            raise InvalidInput(
                "value", f"is the number of milestones done, 0–{kr.milestones_total}"
            )
        return {"milestones_done": int(value)}
    if kind is KeyResultKind.YES_NO:
        if value not in (0, 1):
            raise InvalidInput("value", "is 1 (done) or 0 (not done) for a yes/no key result")
        return {"done": value == 1}
    return {"current": value}


def follow_latest_check_in(db: Session, author: Author, kr: KeyResultRow) -> None:
    """Move the key result to its latest check-in with a value (and audit that); a value
    that no longer fits the key result's kind leaves it where it is."""
    latest = db.scalars(
        select(CheckInRow)
        .where(CheckInRow.key_result_id == kr.id, CheckInRow.value.is_not(None))
        .order_by(CheckInRow.at.desc(), CheckInRow.id.desc())
        .limit(1)
    ).first()
    if latest is None or latest.value is None:
        return
    try:
        values = values_for_check_in(kr, latest.value)
    except InvalidInput:  # a value recorded before the key result changed its kind
        return
    changes = {name: {"from": getattr(kr, name), "to": new}
               for name, new in values.items() if getattr(kr, name) != new}
    for name in changes:
        setattr(kr, name, values[name])
    if changes:
        record(db, author, "update", "key_result", kr.id,
               {"key": kr.key, "via": "check-in", **changes})


def key_result_to_check_in(db: Session, author: Author, key_result_id: int) -> KeyResultRow:
    """The key result, when the author may check in on it and its cycle is open."""
    kr: KeyResultRow = row_in(db, KeyResultRow, author.workspace_id, key_result_id,
                              "key result")
    objective = db.get(OkrObjectiveRow, kr.okr_objective_id)
    assert objective is not None
    require_owner(author, [objective.owner_user_id], KEY_RESULTS)
    require_open(cycle_of_objective(db, objective))
    return kr


def checked_value(kr: KeyResultRow, value: float | None) -> float | None:
    """The value a check-in records: a live key result's own value (a typed one that
    differs is refused: the next refresh would quietly undo it while the page called it
    live), else the typed value when it fits the key result's kind."""
    if is_live(kr):
        if value is not None and value != kr.current:
            raise LiveValue(kr.key)
        return kr.current
    if value is not None:
        values_for_check_in(kr, value)
    return value


def create_check_in(
    db: Session, author: Author, *, key_result_id: int, confidence: int,
    value: float | None = None, comment: str | None = None, at: datetime | None = None,
    author_user_id: int | None = None,
) -> tuple[KeyResultRow, CheckInRow]:
    """A check-in on a key result of an open cycle, by its objective's owner (or an
    admin); the latest check-in with a value moves its key result. ``at`` defaults to
    now, ``author_user_id`` to the author's user."""
    kr = key_result_to_check_in(db, author, key_result_id)
    if not 0 <= confidence <= 10:
        raise InvalidInput("confidence", "is a whole number from 0 to 10")
    checked_comment = text(comment, "comment", limit=TEXT_MAX)
    value = checked_value(kr, value)
    moment = at or utcnow()
    taken = db.scalar(select(CheckInRow.id).where(CheckInRow.key_result_id == kr.id,
                                                  CheckInRow.at == moment))
    if taken is not None:
        raise CheckInTaken(kr.key, moment)
    row = CheckInRow(workspace_id=author.workspace_id, key_result_id=kr.id, at=moment,
                     value=value, confidence=confidence, comment=checked_comment,
                     author_user_id=author.user_id if author_user_id is None
                     else author_user_id)
    db.add(row)
    db.flush()
    record(db, author, "create", "check_in", row.id,
           {"key_result": kr.key, "after": row.audit_snapshot()})
    follow_latest_check_in(db, author, kr)
    return kr, row


class CheckInTaken(KanoError):
    """A second check-in at the same moment on one key result."""

    def __init__(self, key_result: str, at: datetime) -> None:
        super().__init__(f"Key result '{key_result}' has a check-in at {at.isoformat()} "
                         "already.")
