"""The scorecard's other edits: a measure's value for a month, a perspective's name and place.

The same pattern as ``strategy_edits``: who may first (a measure's values belong to its
objective's owner; perspectives are structure, admins only — the API's rule), then the
input, then the rows and an audit entry in the caller's session (the route commits).
"""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from kano.adapters.db.accounts import audit
from kano.adapters.db.measure_store import owned_measure
from kano.adapters.db.measure_value_store import record_value
from kano.adapters.db.orm import (
    MeasureRow,
    PerspectiveRow,
    ScorecardRow,
)
from kano.adapters.web.routes.navigation import N_
from kano.adapters.web.strategy_edits import (
    Editor,
    EditRejected,
    clean_text,
    parse_number,
    store_problems,
)

NAME_MAX = 200
_MONTH = re.compile(r"^\s*(\d{4})-(\d{1,2})(?:-\d{1,2})?\s*$")


def parse_month(text: str) -> date:
    """The first day of a month typed as ``YYYY-MM`` (what ``<input type="month">`` sends)."""
    match = _MONTH.match(text)
    if match is None or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < 1900:
        raise EditRejected("period", N_("Enter a month as YYYY-MM."))
    return date(int(match.group(1)), int(match.group(2)), 1)


def objective_of_measure(db: Session, workspace_id: int, measure_id: int) -> int | None:
    """The objective a measure of this workspace belongs to (None: no such measure)."""
    return db.scalar(select(MeasureRow.objective_id).where(
        MeasureRow.id == measure_id, MeasureRow.workspace_id == workspace_id
    ))


def scorecard_of_perspective(db: Session, workspace_id: int, perspective_id: int) -> str | None:
    """The key of the scorecard a perspective of this workspace belongs to."""
    return db.scalar(
        select(ScorecardRow.key)
        .join(PerspectiveRow, PerspectiveRow.scorecard_id == ScorecardRow.id)
        .where(PerspectiveRow.id == perspective_id, PerspectiveRow.workspace_id == workspace_id)
    )


def record_measure_value(
    db: Session, editor: Editor, *, measure_id: int, period: str, actual: str, target: str = "",
) -> None:
    """Set a measure's actual (and optionally its target) for a month: a new value, or a
    correction of the month's value, which then counts as entered by hand (the store's
    ``record_value``, the API's checks and audit entries)."""
    with store_problems():
        owned_measure(db, editor, measure_id)  # who may, before the input
    period_start = parse_month(period)
    actual_value = parse_number(actual, "actual")
    target_value = parse_number(target, "target") if target.strip() else None
    with store_problems():
        record_value(db, editor, measure_id, period_start, actual=actual_value,
                     target=target_value)


def _perspective(db: Session, editor: Editor, perspective_id: int) -> PerspectiveRow:
    perspective = db.scalar(select(PerspectiveRow).where(
        PerspectiveRow.id == perspective_id, PerspectiveRow.workspace_id == editor.workspace_id
    ))
    if perspective is None:
        raise LookupError(perspective_id)
    editor.require_admin()
    return perspective


def rename_perspective(db: Session, editor: Editor, perspective_id: int, name: str) -> None:
    perspective = _perspective(db, editor, perspective_id)
    new_name = clean_text(name, "name", required=True, limit=NAME_MAX)
    assert new_name is not None
    if new_name != perspective.name:
        audit(db, editor.workspace_id, editor.email, "update", "perspective", perspective.id,
              {"key": perspective.key, "name": {"from": perspective.name, "to": new_name}},
              user_id=editor.user_id)
        perspective.name = new_name
        db.flush()


def move_perspective(db: Session, editor: Editor, perspective_id: int, direction: str) -> None:
    """Move a perspective one place up or down its scorecard (the strategy map's bands
    follow); the first one up or the last one down stays where it is."""
    perspective = _perspective(db, editor, perspective_id)
    if direction not in ("up", "down"):
        raise EditRejected("direction", N_("Choose up or down."))
    siblings = list(db.scalars(
        select(PerspectiveRow)
        .where(PerspectiveRow.workspace_id == editor.workspace_id,
               PerspectiveRow.scorecard_id == perspective.scorecard_id)
        .order_by(PerspectiveRow.position, PerspectiveRow.id)
    ))
    at = siblings.index(perspective)
    to = at - 1 if direction == "up" else at + 1
    if not 0 <= to < len(siblings):
        return
    siblings[at], siblings[to] = siblings[to], siblings[at]
    for position, sibling in enumerate(siblings):
        sibling.position = position
    audit(db, editor.workspace_id, editor.email, "update", "perspective", perspective.id,
          {"key": perspective.key, "position": {"from": at, "to": to}}, user_id=editor.user_id)
    db.flush()


def create_classic_scorecard(
    db: Session, editor: Editor, *, name: str, perspective_names: dict[str, str],
) -> ScorecardRow:
    """A company scorecard with the four classic perspectives (financial on top), for a
    workspace that starts its strategy in a session. Scorecards are structure: admins only,
    as ``POST /scorecards``; ``perspective_names`` holds each perspective's name by key,
    in the reader's language, in band order."""
    editor.require_admin()
    card_name = clean_text(name, "name", required=True, limit=NAME_MAX)
    taken = set(db.scalars(select(ScorecardRow.key).where(
        ScorecardRow.workspace_id == editor.workspace_id)))
    key, number = "company", 2
    while key in taken:
        key, number = f"company-{number}", number + 1
    card = ScorecardRow(workspace_id=editor.workspace_id, key=key, name=card_name,
                        level="company")
    db.add(card)
    db.flush()
    audit(db, editor.workspace_id, editor.email, "create", "scorecard", card.id,
          {"key": key, "name": card_name, "level": "company"}, user_id=editor.user_id)
    for position, (perspective_key, perspective_name) in enumerate(perspective_names.items()):
        perspective = PerspectiveRow(workspace_id=editor.workspace_id, scorecard_id=card.id,
                                     key=perspective_key, name=perspective_name,
                                     position=position)
        db.add(perspective)
        db.flush()
        audit(db, editor.workspace_id, editor.email, "create", "perspective", perspective.id,
              {"scorecard": key, "key": perspective_key, "name": perspective_name,
               "position": position}, user_id=editor.user_id)
    return card


def add_perspective(
    db: Session, editor: Editor, *, scorecard_id: int, key: str, name: str,
) -> PerspectiveRow:
    """A perspective added last to a scorecard of the workspace (admins only, as
    ``POST /scorecards/{key}/perspectives``); a key the scorecard has gets a suffix."""
    editor.require_admin()
    card = db.scalar(select(ScorecardRow).where(
        ScorecardRow.id == scorecard_id, ScorecardRow.workspace_id == editor.workspace_id))
    if card is None:
        raise LookupError(scorecard_id)
    siblings = db.execute(select(PerspectiveRow.key, PerspectiveRow.position).where(
        PerspectiveRow.workspace_id == editor.workspace_id,
        PerspectiveRow.scorecard_id == card.id)).all()
    taken = {row.key for row in siblings}
    unused, number = key, 2
    while unused in taken:
        unused, number = f"{key}-{number}", number + 1
    position = max((row.position for row in siblings), default=-1) + 1
    perspective = PerspectiveRow(workspace_id=editor.workspace_id, scorecard_id=card.id,
                                 key=unused, name=name, position=position)
    db.add(perspective)
    db.flush()
    audit(db, editor.workspace_id, editor.email, "create", "perspective", perspective.id,
          {"scorecard": card.key, "key": unused, "name": name, "position": position},
          user_id=editor.user_id)
    return perspective
