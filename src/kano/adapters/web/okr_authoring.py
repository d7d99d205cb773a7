"""Writing OKRs from the OKR page: a new objective in a cycle, a key result on an objective.

The rules are the API's (``api/routers/okr.py``, ``key_results.py``) and reach the rows
through the same lower layers it uses: who may (``may_change_owned``: managers create
what they own, admins anything; viewers nothing), the referenced rows looked up inside
the workspace, a key result checked by the domain's ``KeyResult`` and a metric binding by
``metric_catalogue.require_known_binding``; then one audit entry in the caller's
transaction, with the API's detail (keys, not ids). The route commits. Problems come out
as ``EditRejected`` naming the form's field with a catalogue text, as the other forms do.

The API routers keep these writes inline (there is no OKR store under ``adapters/db`` as
there is ``strategy_store`` for scorecard objectives); moving both onto one store is the
next step and outside this page's files.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kano.adapters.db import strategy_store
from kano.adapters.db.metric_catalogue import require_known_binding
from kano.adapters.db.orm import (
    KeyResultRow,
    Membership,
    ObjectiveRow,
    OkrCycleRow,
    OkrObjectiveRow,
    Team,
    User,
)
from kano.adapters.db.strategy_store import TITLE_MAX
from kano.adapters.web.routes.navigation import N_
from kano.adapters.web.strategy_edits import Editor, EditRejected, clean_text, parse_number
from kano.domain.okr.model import Commitment, KeyResultKind
from kano.domain.shared.errors import InvalidInput

LEVELS = ("company", "team", "person")
# What a page offers: a metric key result follows a catalogue metric or is checked in by hand.
KR_KINDS = ("metric", "manual", "milestone", "yes_no")
KR_KIND_LABELS = {
    "metric": N_("Follows a catalogue metric"),
    "manual": N_("A number checked in by hand"),
    "milestone": N_("Milestones"),
    "yes_no": N_("Done or not"),
}
MILESTONES_MAX = 1000


@dataclass(frozen=True)
class Choice:
    id: int
    label: str


def members(db: Session, workspace_id: int) -> list[Choice]:
    rows = db.execute(select(User.id, User.name, User.email)
                      .join(Membership, Membership.user_id == User.id)
                      .where(Membership.workspace_id == workspace_id).order_by(User.email))
    return [Choice(user_id, f"{name} ({email})" if name else email)
            for user_id, name, email in rows]


def teams(db: Session, workspace_id: int) -> list[Choice]:
    rows = db.execute(select(Team.id, Team.name).where(Team.workspace_id == workspace_id)
                      .order_by(Team.name))
    return [Choice(team_id, name) for team_id, name in rows]


def scorecard_objectives(db: Session, workspace_id: int) -> list[Choice]:
    rows = db.execute(select(ObjectiveRow.id, ObjectiveRow.title)
                      .where(ObjectiveRow.workspace_id == workspace_id)
                      .order_by(ObjectiveRow.title))
    return [Choice(row_id, title) for row_id, title in rows]


def _chosen_id(text: str, field: str, message: str) -> int | None:
    """A select's value: blank is none, anything but a whole number is refused."""
    if not text.strip():
        return None
    try:
        return int(text)
    except ValueError:
        raise EditRejected(field, message) from None


def _in_workspace(db: Session, table: Any, row_id: int | None, workspace_id: int,
                  field: str, message: str) -> object | None:
    if row_id is None:
        return None
    row = db.scalar(select(table).where(table.id == row_id, table.workspace_id == workspace_id))
    if row is None:
        raise EditRejected(field, message)
    return row


def _member(db: Session, workspace_id: int, user_id: int | None) -> str | None:
    """The e-mail of a member of the workspace (the API's ``owner``), refused otherwise."""
    if user_id is None:
        return None
    email = db.scalar(select(User.email).join(Membership, Membership.user_id == User.id)
                      .where(Membership.workspace_id == workspace_id, User.id == user_id))
    if email is None:
        raise EditRejected("owner", N_("Choose a member of this workspace."))
    return str(email)


@dataclass(frozen=True)
class ObjectiveForm:
    title: str = ""
    level: str = "company"
    owner: str = ""
    team: str = ""
    parent: str = ""
    scorecard_objective: str = ""
    commitment: str = "committed"


def create_okr_objective(db: Session, editor: Editor, cycle: OkrCycleRow,
                         form: ObjectiveForm) -> OkrObjectiveRow:
    """An objective in ``cycle``, last among its objectives; a manager only one they own."""
    ws = editor.workspace_id
    owner_id = _chosen_id(form.owner, "owner", N_("Choose a member of this workspace."))
    owner_email = _member(db, ws, owner_id)
    editor.require_owner(owner_id)  # as the API: managers create what they own
    title = clean_text(form.title, "title", required=True, limit=TITLE_MAX)
    assert title is not None
    if form.level not in LEVELS:
        raise EditRejected("level", N_("Choose company, team or person."))
    team = _in_workspace(db, Team, _chosen_id(form.team, "team", N_("Choose a team.")), ws,
                         "team", N_("Choose a team."))
    if form.level == "team" and team is None:
        raise EditRejected("team", N_("A team objective needs its team."))
    parent = _in_workspace(db, OkrObjectiveRow, _chosen_id(
        form.parent, "parent", N_("Choose an objective of this workspace.")), ws, "parent",
        N_("Choose an objective of this workspace."))
    served = _in_workspace(db, ObjectiveRow, _chosen_id(
        form.scorecard_objective, "scorecard_objective",
        N_("Choose an objective of the scorecard.")), ws, "scorecard_objective",
        N_("Choose an objective of the scorecard."))
    try:
        commitment = Commitment(form.commitment)
    except ValueError:
        raise EditRejected("commitment", N_("Choose committed or aspirational.")) from None
    key = strategy_store.new_key(db, OkrObjectiveRow, ws, None, title, "okr")
    position = strategy_store.position_or_last(db, OkrObjectiveRow, ws, None, cycle_id=cycle.id)
    row = OkrObjectiveRow(
        workspace_id=ws, cycle_id=cycle.id, key=key, title=title, level=form.level,
        team_id=getattr(team, "id", None), owner_user_id=owner_id,
        parent_id=getattr(parent, "id", None), scorecard_objective_id=getattr(served, "id", None),
        commitment=commitment.value, grade=None, position=position,
    )
    db.add(row)
    db.flush()
    strategy_store.record(db, editor, "create", "okr_objective", row.id, {
        "key": key, "cycle": cycle.key, "title": title, "level": form.level,
        "team": getattr(team, "key", None), "owner": owner_email,
        "parent": getattr(parent, "key", None), "scorecard_objective": getattr(served, "key", None),
        "commitment": commitment.value, "grade": None, "position": position,
    })
    return row


@dataclass(frozen=True)
class KeyResultForm:
    title: str = ""
    kind: str = "metric"
    metric: str = ""
    unit: str = ""
    start: str = ""
    target: str = ""
    milestones_total: str = ""


def _milestones(text: str) -> int:
    try:
        total = int(text.strip())
    except ValueError:
        total = 0
    if not 1 <= total <= MILESTONES_MAX:
        raise EditRejected("milestones_total", N_("Enter how many milestones, from 1 to 1000."))
    return total


def create_key_result(db: Session, editor: Editor, objective_id: int,
                      form: KeyResultForm) -> KeyResultRow:
    """A key result on an objective the editor owns, checked by the domain's rules."""
    ws = editor.workspace_id
    objective = db.scalar(select(OkrObjectiveRow).where(
        OkrObjectiveRow.id == objective_id, OkrObjectiveRow.workspace_id == ws))
    if objective is None:
        raise LookupError(objective_id)
    editor.require_owner(objective.owner_user_id)
    title = clean_text(form.title, "title", required=True, limit=TITLE_MAX)
    assert title is not None
    if form.kind not in KR_KINDS:
        raise EditRejected("kind", N_("Choose what the key result counts."))
    kind = KeyResultKind.METRIC if form.kind in ("metric", "manual") else KeyResultKind(form.kind)
    values: dict[str, object] = {"milestones_total": 0, "milestones_done": 0}
    metric_id: str | None = None
    if kind is KeyResultKind.METRIC:
        if form.kind == "metric":
            metric_id = form.metric.strip()
            try:
                require_known_binding(db, ws, metric_id, None)
            except InvalidInput:
                raise EditRejected("metric", N_("Choose a metric of the catalogue.")) from None
        start = parse_number(form.start, "start", editor.language)
        target = parse_number(form.target, "target", editor.language)
        unit = clean_text(form.unit, "unit", required=False, limit=32)
        values |= {"start": start, "target": target, "unit": unit}
    elif kind is KeyResultKind.MILESTONE:
        values["milestones_total"] = _milestones(form.milestones_total)
    key = strategy_store.new_key(db, KeyResultRow, ws, None, title, "kr")
    position = strategy_store.position_or_last(db, KeyResultRow, ws, None,
                                               okr_objective_id=objective.id)
    row = KeyResultRow(workspace_id=ws, okr_objective_id=objective.id, key=key, title=title,
                       kind=kind.value, weight=1.0, done=False, metric_id=metric_id,
                       metric_slice=None, position=position, **values)
    try:
        row.to_domain()  # the domain's rules for the kind, as the API checks them
    except InvalidInput as invalid:
        raise EditRejected(invalid.field, N_("Check this value.")) from None
    db.add(row)
    db.flush()
    strategy_store.record(db, editor, "create", "key_result", row.id, {
        "key": key, "objective": objective.key, "title": title, "kind": kind.value,
        "unit": values.get("unit"), "start": values.get("start"),
        "target": values.get("target"), "current": None, "band_low": None, "band_high": None,
        "milestones_done": 0, "milestones_total": values["milestones_total"], "done": False,
        "weight": 1.0, "metric": {"id": metric_id, "slice": None} if metric_id else None,
        "carried_over_from": None, "position": position,
    })
    return row


CYCLE_KINDS = ("quarter", "year")
NAME_MAX = 200  # the cycle's name column


@dataclass(frozen=True)
class CycleForm:
    name: str = ""
    kind: str = "quarter"
    starts_on: str = ""
    ends_on: str = ""


def _date(text: str, field: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise EditRejected(field, N_("Enter a date.")) from None


def create_cycle(db: Session, editor: Editor, form: CycleForm) -> OkrCycleRow:
    """An open cycle (admins only, as the API's ``POST /okr/cycles``)."""
    editor.require_admin()
    name = clean_text(form.name, "name", required=True, limit=NAME_MAX)
    assert name is not None
    if form.kind not in CYCLE_KINDS:
        raise EditRejected("kind", N_("Choose a quarter or a year."))
    starts_on = _date(form.starts_on, "starts_on")
    ends_on = _date(form.ends_on, "ends_on")
    if ends_on < starts_on:
        raise EditRejected("ends_on", N_("The cycle ends on or after its first day."))
    key = strategy_store.new_key(db, OkrCycleRow, editor.workspace_id, None, name, "cycle")
    values = {"key": key, "name": name, "kind": form.kind, "starts_on": starts_on,
              "ends_on": ends_on, "status": "open"}
    row = OkrCycleRow(workspace_id=editor.workspace_id, **values)
    db.add(row)
    db.flush()
    strategy_store.record(db, editor, "create", "okr_cycle", row.id, values)
    return row


def cycle_at(db: Session, workspace_id: int, key: str) -> OkrCycleRow | None:
    return db.scalar(select(OkrCycleRow).where(OkrCycleRow.workspace_id == workspace_id,
                                               OkrCycleRow.key == key))
