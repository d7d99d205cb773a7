"""The one write path of the strategy map's cause–effect links, shared by ``/links`` and
the web pages (an objective's page, the strategy session's arrows); the pattern of
``strategy_store``. Links are the map's structure: admins only. The lag follows the
strategy-as-code file (0–120 months).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kano.adapters.db.orm import CauseEffectLinkRow, ObjectiveRow, ScorecardRow
from kano.adapters.db.strategy_store import (
    TEXT_MAX,
    AlreadyExists,
    Author,
    apply_audited_changes,
    record,
    referenced,
    require_admin,
    row_in,
    text,
    texts_checked,
)
from kano.domain.shared.errors import InvalidInput

LAG_MAX_MONTHS = 120  # the strategy-as-code file's Link.lag_months
LAG = f"must be a whole number of months from 0 to {LAG_MAX_MONTHS}"
SELF_LINK = "must differ from cause"
LINKS = "the strategy map's links"


def _lag(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not \
            0 <= value <= LAG_MAX_MONTHS:
        raise InvalidInput("lag_months", LAG)
    return value


def link_snapshot(db: Session, row: CauseEffectLinkRow) -> dict[str, Any]:
    keys = {objective_id: key for objective_id, key in db.execute(
        select(ObjectiveRow.id, ObjectiveRow.key).where(
            ObjectiveRow.id.in_((row.cause_id, row.effect_id))))}
    card = db.scalar(select(ScorecardRow.key).where(ScorecardRow.id == row.scorecard_id))
    return {"scorecard": card, "cause": keys.get(row.cause_id),
            "effect": keys.get(row.effect_id), "hypothesis": row.hypothesis,
            "lag_months": row.lag_months}


def create_link(
    db: Session, author: Author, *, scorecard_id: int, cause_id: int, effect_id: int,
    hypothesis: str | None = None, lag_months: int = 0,
) -> CauseEffectLinkRow:
    """An arrow on a scorecard's map (admins); one per cause and effect on a map."""
    require_admin(author, LINKS)
    ws = author.workspace_id
    card = referenced(db, ScorecardRow, ws, scorecard_id, "scorecard", "scorecard")
    cause = referenced(db, ObjectiveRow, ws, cause_id, "cause", "objective")
    effect = referenced(db, ObjectiveRow, ws, effect_id, "effect", "objective")
    if cause.id == effect.id:
        raise InvalidInput("effect", SELF_LINK)
    values = {"hypothesis": text(hypothesis, "hypothesis", limit=TEXT_MAX),
              "lag_months": _lag(lag_months)}
    if db.scalar(select(CauseEffectLinkRow.id).where(
        CauseEffectLinkRow.workspace_id == ws, CauseEffectLinkRow.scorecard_id == card.id,
        CauseEffectLinkRow.cause_id == cause.id, CauseEffectLinkRow.effect_id == effect.id,
    )) is not None:
        raise AlreadyExists("effect", f"The map of '{card.key}' already links '{cause.key}' "
                                      f"to '{effect.key}'.")
    row = CauseEffectLinkRow(workspace_id=ws, scorecard_id=card.id, cause_id=cause.id,
                             effect_id=effect.id, **values)
    db.add(row)
    db.flush()
    record(db, author, "create", "cause_effect_link", row.id, link_snapshot(db, row))
    return row


def update_link(
    db: Session, author: Author, link_id: int, values: Mapping[str, Any]
) -> CauseEffectLinkRow:
    """Change a link's ``hypothesis`` or ``lag_months`` (admins)."""
    row: CauseEffectLinkRow = row_in(db, CauseEffectLinkRow, author.workspace_id, link_id,
                                     "link")
    require_admin(author, LINKS)
    checked = texts_checked(values, ("hypothesis", "lag_months"),
                            {"hypothesis": (TEXT_MAX, False)})
    if "lag_months" in checked:
        checked["lag_months"] = _lag(checked["lag_months"])
    apply_audited_changes(db, author, row, checked, "cause_effect_link", label={})
    return row


def delete_link(db: Session, author: Author, link_id: int) -> None:
    row = row_in(db, CauseEffectLinkRow, author.workspace_id, link_id, "link")
    require_admin(author, LINKS)
    record(db, author, "delete", "cause_effect_link", row.id, link_snapshot(db, row))
    db.delete(row)
    db.flush()
