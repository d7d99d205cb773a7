"""The one write path of scorecards (the cascade) and their perspectives (the strategy
map's bands), shared by ``/scorecards`` and the web pages (the scorecard page, the
strategy session); the pattern of ``strategy_store``.

Both are the strategy's structure: admins and owners only (``require_admin``). Each
function checks that what it changes is in the author's workspace (``NotFound``), the
role (``EditForbidden``), then the values (``InvalidInput`` naming the field: names as
the strategy-as-code file's ``Name``, trimmed; a level of the cascade; a parent in the
workspace that does not make the cascade a loop; an owner team of the workspace;
positions that fit the column), then a
taken key (``AlreadyExists``); it writes the rows and one audit entry per changed row in
the caller's transaction and flushes. The caller commits.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kano.adapters.db.orm import PerspectiveRow, ScorecardRow, Team
from kano.adapters.db.strategy_store import (
    POSITION_MAX,
    AlreadyExists,
    Author,
    apply_audited_changes,
    checked_key,
    key_from_title,
    new_key,
    position_or_last,
    record,
    referenced,
    require_admin,
    row_in,
    text,
)
from kano.domain.shared.errors import InvalidInput

NAME_MAX = 200  # the strategy-as-code file's Name, the columns' length
LEVELS = ("company", "department", "team")
SCORECARDS, PERSPECTIVES = "scorecards", "perspectives"
LOOP = "would make the cascade a loop (a scorecard cannot be its own ancestor)"


def _name(value: str | None) -> str:
    name = text(value, "name", limit=NAME_MAX, required=True)
    assert name is not None  # required
    return name


def _level(value: Any) -> str:
    if value not in LEVELS:
        raise InvalidInput("level", f"must be one of {', '.join(LEVELS)}")
    return str(value)


def _parent_id(db: Session, ws: int, card_id: int | None, parent_id: int | None) -> int | None:
    """The parent in the workspace, not the scorecard itself nor one below it."""
    if parent_id is None:
        return None
    current: int | None = referenced(db, ScorecardRow, ws, parent_id, "parent", "scorecard").id
    seen: list[int] = []
    while current is not None and current not in seen:
        if current == card_id:
            raise InvalidInput("parent", LOOP)
        seen.append(current)
        current = db.scalar(select(ScorecardRow.parent_id).where(ScorecardRow.id == current))
    return parent_id


def _owner_team_id(db: Session, ws: int, team_id: int | None) -> int | None:
    """A team of the workspace (``InvalidInput`` on ``owner_team`` for another's)."""
    if team_id is None:
        return None
    return int(referenced(db, Team, ws, team_id, "owner_team", "team").id)


def scorecard_snapshot(db: Session, row: ScorecardRow) -> dict[str, Any]:
    """What the audit log keeps of a scorecard: its values, the parent and team by key."""
    parent = db.scalar(select(ScorecardRow.key).where(ScorecardRow.id == row.parent_id))
    team = db.scalar(select(Team.key).where(Team.id == row.owner_team_id))
    return {"key": row.key, "name": row.name, "level": row.level, "parent": parent,
            "owner_team": team}


def create_scorecard(
    db: Session, author: Author, *, name: str, key: str | None = None,
    level: str = "company", parent_id: int | None = None, owner_team_id: int | None = None,
) -> ScorecardRow:
    """A scorecard of the cascade; without ``key`` one is derived from the level
    (``company``, ``company-2`` …)."""
    require_admin(author, SCORECARDS)
    ws = author.workspace_id
    values = {"name": _name(name), "level": _level(level),
              "parent_id": _parent_id(db, ws, None, parent_id),
              "owner_team_id": _owner_team_id(db, ws, owner_team_id)}
    key = new_key(db, ScorecardRow, ws, key, values["level"], "scorecard")
    return _added(db, author, ScorecardRow(workspace_id=ws, key=key, **values))


def update_scorecard(
    db: Session, author: Author, scorecard_id: int, values: Mapping[str, Any]
) -> ScorecardRow:
    """Change ``name``, ``level``, ``parent_id`` (None detaches it from the cascade) or
    ``owner_team_id`` (None: no team)."""
    ws = author.workspace_id
    return _changed(db, author, ScorecardRow, scorecard_id, values, {
        "name": _name, "level": _level,
        "parent_id": lambda value: _parent_id(db, ws, scorecard_id, value),
        "owner_team_id": lambda value: _owner_team_id(db, ws, value)})


def _added(db: Session, author: Author, row: Any) -> Any:
    """A new scorecard or perspective, stored with its audit entry."""
    db.add(row)
    db.flush()
    if isinstance(row, ScorecardRow):
        record(db, author, "create", "scorecard", row.id, scorecard_snapshot(db, row))
    else:
        record(db, author, "create", "perspective", row.id, perspective_snapshot(db, row))
    return row


def _changed(db: Session, author: Author, table: Any, row_id: int, values: Mapping[str, Any],
             checks: Mapping[str, Callable[[Any], Any]]) -> Any:
    """The row of ``table`` with ``values`` set (each checked by its ``checks``) and one
    audit entry of what changed: a scorecard by its key, a perspective by its scorecard's
    and its own. ``TypeError`` for a column not in ``checks`` (a caller's mistake)."""
    entity = "scorecard" if table is ScorecardRow else "perspective"
    row = row_in(db, table, author.workspace_id, row_id, entity)
    require_admin(author, SCORECARDS if table is ScorecardRow else PERSPECTIVES)
    unknown = set(values) - set(checks)
    if unknown:
        raise TypeError(f"not a column one may change: {sorted(unknown)}")
    label = None if table is ScorecardRow else {"scorecard": _card_key(db, row), "key": row.key}
    apply_audited_changes(db, author, row,
                          {name: checks[name](value) for name, value in values.items()},
                          entity, label=label)
    return row


def delete_scorecard(db: Session, author: Author, scorecard_id: int) -> None:
    """Deletes its perspectives, objectives, measures, links and initiatives (the
    database's cascades); scorecards below it lose their parent."""
    row = row_in(db, ScorecardRow, author.workspace_id, scorecard_id, "scorecard")
    require_admin(author, SCORECARDS)
    record(db, author, "delete", "scorecard", row.id, {"key": row.key, "name": row.name})
    db.delete(row)
    db.flush()


# --- perspectives -----------------------------------------------------------------------

def _card_key(db: Session, row: PerspectiveRow) -> str:
    key = db.scalar(select(ScorecardRow.key).where(ScorecardRow.id == row.scorecard_id))
    assert key is not None  # a perspective always has its scorecard (NOT NULL, cascade)
    return key


def _position(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or \
            not 0 <= value <= POSITION_MAX:
        raise InvalidInput("position", f"must be from 0 to {POSITION_MAX}")
    return value


def _perspective_key(db: Session, card: ScorecardRow, key: str | None, name: str) -> str:
    """``key`` when the scorecard has no perspective with it (``AlreadyExists``), else one
    derived from the name; keys are unique per scorecard, not per workspace."""
    taken = set(db.scalars(select(PerspectiveRow.key).where(
        PerspectiveRow.workspace_id == card.workspace_id, PerspectiveRow.scorecard_id == card.id)))
    if key is not None:
        checked_key(key)
        if key in taken:
            raise AlreadyExists("key", f"A perspective with key '{key}' already exists.")
        return key
    base = key_from_title(name, "perspective")
    unused, number = base, 2
    while unused in taken:
        unused, number = f"{base}-{number}", number + 1
    return unused


def perspective_snapshot(db: Session, row: PerspectiveRow) -> dict[str, Any]:
    return {"scorecard": _card_key(db, row), "key": row.key, "name": row.name,
            "position": row.position}


def create_perspective(
    db: Session, author: Author, *, scorecard_id: int, name: str, key: str | None = None,
    position: int | None = None,
) -> PerspectiveRow:
    """A band of a scorecard's map; without ``position`` it goes last."""
    ws = author.workspace_id
    card: ScorecardRow = row_in(db, ScorecardRow, ws, scorecard_id, "scorecard")
    require_admin(author, PERSPECTIVES)
    checked_name = _name(name)
    place = position_or_last(db, PerspectiveRow, ws,
                             None if position is None else _position(position),
                             scorecard_id=card.id)
    return _added(db, author, PerspectiveRow(
        workspace_id=ws, scorecard_id=card.id, name=checked_name,
        key=_perspective_key(db, card, key, checked_name), position=place))


def update_perspective(
    db: Session, author: Author, perspective_id: int, values: Mapping[str, Any]
) -> PerspectiveRow:
    """Rename (``name``) or place (``position``) a perspective; its key stays."""
    return _changed(db, author, PerspectiveRow, perspective_id, values,
                    {"name": _name, "position": _position})


def move_perspective(db: Session, author: Author, perspective_id: int, by: int) -> None:
    """Move a perspective ``by`` places down its scorecard (negative: up), as far as the
    first or last place; the siblings are numbered 0, 1, … in their new order, and each
    one whose position changed gets its audit entry."""
    ws = author.workspace_id
    row: PerspectiveRow = row_in(db, PerspectiveRow, ws, perspective_id, "perspective")
    require_admin(author, PERSPECTIVES)
    siblings = list(db.scalars(
        select(PerspectiveRow)
        .where(PerspectiveRow.workspace_id == ws,
               PerspectiveRow.scorecard_id == row.scorecard_id)
        .order_by(PerspectiveRow.position, PerspectiveRow.id)))
    card_key = _card_key(db, row)
    at = siblings.index(row)
    siblings.remove(row)
    siblings.insert(max(0, min(len(siblings), at + by)), row)
    for place, sibling in enumerate(siblings):
        apply_audited_changes(db, author, sibling, {"position": place}, "perspective",
                              label={"scorecard": card_key, "key": sibling.key})


def delete_perspective(db: Session, author: Author, perspective_id: int) -> None:
    """Deletes the objectives in it (with their measures and links)."""
    row = row_in(db, PerspectiveRow, author.workspace_id, perspective_id, "perspective")
    require_admin(author, PERSPECTIVES)
    record(db, author, "delete", "perspective", row.id,
           {"scorecard": _card_key(db, row), "key": row.key, "name": row.name})
    db.delete(row)
    db.flush()
