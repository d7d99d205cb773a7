"""The scorecard's other edits: a measure's value for a month, a perspective's name and
place, a new scorecard or perspective from the strategy session, a scorecard below
another (the cascade), the team that owns a scorecard and the objective an objective is
aligned to.

The same pattern as ``strategy_edits``: the writes are the API's (``measure_value_store``,
``scorecard_store``: who may first — a measure's values belong to its objective's owner,
scorecards and perspectives are structure, admins only — then the input, then the rows
and an audit entry in the caller's session; the route commits). This module turns what
was typed into the store's values and the store's problems into form messages.
"""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from kano.adapters.db import scorecard_store, strategy_store
from kano.adapters.db.measure_store import owned_measure
from kano.adapters.db.measure_value_store import record_value
from kano.adapters.db.orm import (
    MeasureRow,
    PerspectiveRow,
    ScorecardRow,
)
from kano.adapters.db.strategy_store import require_admin, row_in
from kano.adapters.web.routes.navigation import N_
from kano.adapters.web.scorecard_cascade import CHILD_LEVELS
from kano.adapters.web.strategy_edits import (
    Editor,
    EditRejected,
    parse_number,
    store_problems,
)

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
    actual_value = parse_number(actual, "actual", editor.language)
    target_value = parse_number(target, "target", editor.language) if target.strip() else None
    with store_problems():
        record_value(db, editor, measure_id, period_start, actual=actual_value,
                     target=target_value)


def rename_perspective(db: Session, editor: Editor, perspective_id: int, name: str) -> None:
    with store_problems():
        scorecard_store.update_perspective(db, editor, perspective_id, {"name": name})


def move_perspective(db: Session, editor: Editor, perspective_id: int, direction: str) -> None:
    """Move a perspective one place up or down its scorecard (the strategy map's bands
    follow); the first one up or the last one down stays where it is."""
    with store_problems():
        row_in(db, PerspectiveRow, editor.workspace_id, perspective_id, "perspective")
        require_admin(editor, scorecard_store.PERSPECTIVES)  # who may, before the input
    if direction not in ("up", "down"):
        raise EditRejected("direction", N_("Choose up or down."))
    with store_problems():
        scorecard_store.move_perspective(db, editor, perspective_id,
                                         -1 if direction == "up" else 1)


def team_choice(text: str) -> int | None:
    """The team a form's ``<select name="owner_team">`` chose ("" for none). What no team
    has (not a number, or past the id column) goes to the store as -1, which it refuses
    by name like a team of another workspace."""
    text = text.strip()
    if not text:
        return None
    return int(text) if text.isdecimal() and len(text) < 10 else -1


def create_classic_scorecard(
    db: Session, editor: Editor, *, name: str, perspective_names: dict[str, str],
    level: str = "company", parent_id: int | None = None, owner_team_id: int | None = None,
) -> ScorecardRow:
    """A scorecard with the four classic perspectives (financial on top), for a workspace
    that starts its strategy in a session, or below ``parent_id`` in the cascade (admins
    only, as ``POST /scorecards``); ``perspective_names`` holds each perspective's name by
    key, in the reader's language, in band order. Its key is its level (``company``,
    ``department-2`` … when taken)."""
    with store_problems():
        card = scorecard_store.create_scorecard(db, editor, name=name, level=level,
                                                parent_id=parent_id, owner_team_id=owner_team_id)
        for perspective_key, perspective_name in perspective_names.items():
            scorecard_store.create_perspective(db, editor, scorecard_id=card.id,
                                               key=perspective_key, name=perspective_name)
    return card


def add_perspective(
    db: Session, editor: Editor, *, scorecard_id: int, key: str, name: str,
) -> PerspectiveRow:
    """A perspective added last to a scorecard of the workspace (admins only, as
    ``POST /scorecards/{key}/perspectives``); a key the scorecard has is refused
    (``EditRejected`` on ``key``)."""
    with store_problems():
        return scorecard_store.create_perspective(db, editor, scorecard_id=scorecard_id,
                                                  key=key, name=name)


def create_child_scorecard(
    db: Session, editor: Editor, *, parent_id: int, name: str, level: str,
    perspective_names: dict[str, str], owner_team: str = "",
) -> ScorecardRow:
    """A department or team scorecard below ``parent_id``, with the classic perspectives
    (``create_classic_scorecard``: the store's checks and audit entries). Who may comes
    first, as in the store: a manager's try is ``EditForbidden`` whatever was typed."""
    with store_problems():
        row_in(db, ScorecardRow, editor.workspace_id, parent_id, "scorecard")
        require_admin(editor, scorecard_store.SCORECARDS)
    if level not in CHILD_LEVELS:
        raise EditRejected("level", N_("Choose department or team."))
    return create_classic_scorecard(db, editor, name=name, level=level, parent_id=parent_id,
                                    perspective_names=perspective_names,
                                    owner_team_id=team_choice(owner_team))


def set_owner_team(db: Session, editor: Editor, scorecard_id: int, owner_team: str) -> None:
    """The team that owns a scorecard ("" for none), through the store's
    ``update_scorecard`` as ``PATCH /scorecards/{key}`` does: admins only, a team of the
    workspace, one audit entry of the change."""
    with store_problems():
        scorecard_store.update_scorecard(db, editor, scorecard_id,
                                         {"owner_team_id": team_choice(owner_team)})


def align_objective(db: Session, editor: Editor, objective_id: int,
                    aligned_to_id: int | None) -> None:
    """Align an objective to one of a scorecard above its own (None: to none), through the
    store's ``update_objective`` as ``PATCH /objectives/{key}`` does: the owner (or an
    admin) only, the cascade rule, one audit entry of the change."""
    try:
        with store_problems():
            strategy_store.update_objective(db, editor, objective_id,
                                            {"aligned_to_id": aligned_to_id})
    except EditRejected as rejected:
        if rejected.field != "aligned_to":
            raise
        raise EditRejected("aligned_to_id", N_(
            "Choose an objective of a scorecard above this one.")) from None
