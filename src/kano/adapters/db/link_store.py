"""The one write path of the strategy map's cause–effect links, shared by ``/links`` and
the web pages (an objective's page, the strategy session's arrows); the pattern of
``strategy_store``. Links are the map's structure: admins only. The lag follows the
strategy-as-code file (0–120 months).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kano.adapters.db.new_ids import assign_ids
from kano.adapters.db.orm import CauseEffectLinkRow, ObjectiveRow, ScorecardRow
from kano.adapters.db.strategy_store import (
    TEXT_MAX,
    AlreadyExists,
    Author,
    apply_audited_changes_to_rows,
    record,
    require_admin,
    row_in,
    text,
    texts_checked,
)
from kano.domain.shared.errors import InvalidInput, NotFound

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
    return _snapshot(row, card, keys)


def _snapshot(row: CauseEffectLinkRow, card: str | None,
              objectives: Mapping[int, str]) -> dict[str, Any]:
    return {"scorecard": card, "cause": objectives.get(row.cause_id),
            "effect": objectives.get(row.effect_id), "hypothesis": row.hypothesis,
            "lag_months": row.lag_months}


def create_link(
    db: Session, author: Author, *, scorecard_id: int, cause_id: int, effect_id: int,
    hypothesis: str | None = None, lag_months: int = 0,
) -> CauseEffectLinkRow:
    """An arrow on a scorecard's map (admins); one per cause and effect on a map."""
    item = {"scorecard_id": scorecard_id, "cause_id": cause_id, "effect_id": effect_id,
            "hypothesis": hypothesis, "lag_months": lag_months}
    return _create(db, author, [item], lambda index, field: field)[0]


def create_links(
    db: Session, author: Author, items: Sequence[Mapping[str, Any]]
) -> list[CauseEffectLinkRow]:
    """Several arrows (a strategy file's map), each checked and audited as ``create_link``
    does, the rows they name looked up at once and stored in one flush. Each item holds
    ``scorecard_id``, ``cause_id``, ``effect_id``, ``hypothesis`` and ``lag_months``; a
    refused one names its place in ``items`` (``links[2].lag_months``)."""
    return _create(db, author, items, lambda index, field: f"links[{index}].{field}")


def _create(
    db: Session, author: Author, items: Sequence[Mapping[str, Any]],
    named: Callable[[int, str], str],
) -> list[CauseEffectLinkRow]:
    """``create_link``'s checks on each of ``items``, in its order; ``named(index,
    field)`` is the field a refusal names."""
    require_admin(author, LINKS)
    ws = author.workspace_id
    card_ids = {item["scorecard_id"] for item in items}
    cards = {card_id: key for card_id, key in db.execute(select(
        ScorecardRow.id, ScorecardRow.key).where(
        ScorecardRow.workspace_id == ws, ScorecardRow.id.in_(card_ids)))}
    objectives = {objective_id: key for objective_id, key in db.execute(select(
        ObjectiveRow.id, ObjectiveRow.key).where(
        ObjectiveRow.workspace_id == ws,
        ObjectiveRow.id.in_({item[end] for item in items for end in ("cause_id", "effect_id")}),
    ))}
    linked = {(card, cause, effect) for card, cause, effect in db.execute(select(
        CauseEffectLinkRow.scorecard_id, CauseEffectLinkRow.cause_id, CauseEffectLinkRow.effect_id
    ).where(CauseEffectLinkRow.workspace_id == ws,
            CauseEffectLinkRow.scorecard_id.in_(card_ids)))}
    rows = []
    for index, item in enumerate(items):
        ends = (item["scorecard_id"], item["cause_id"], item["effect_id"])
        for field, id_, known, entity in (("scorecard", ends[0], cards, "scorecard"),
                                          ("cause", ends[1], objectives, "objective"),
                                          ("effect", ends[2], objectives, "objective")):
            if id_ not in known:
                raise InvalidInput(named(index, field), f"no such {entity} in this workspace")
        if ends[1] == ends[2]:
            raise InvalidInput(named(index, "effect"), SELF_LINK)
        try:
            values = {"hypothesis": text(item["hypothesis"], "hypothesis", limit=TEXT_MAX),
                      "lag_months": _lag(item["lag_months"])}
        except InvalidInput as refused:
            raise InvalidInput(named(index, refused.field), refused.message) from None
        if ends in linked:
            raise AlreadyExists(named(index, "effect"),
                                f"The map of '{cards[ends[0]]}' already links "
                                f"'{objectives[ends[1]]}' to '{objectives[ends[2]]}'.")
        linked.add(ends)
        rows.append(CauseEffectLinkRow(workspace_id=ws, scorecard_id=ends[0], cause_id=ends[1],
                                       effect_id=ends[2], **values))
    assign_ids(db, rows)
    db.add_all(rows)
    db.flush()
    for row in rows:
        record(db, author, "create", "cause_effect_link", row.id,
               _snapshot(row, cards[row.scorecard_id], objectives))
    return rows


def update_link(
    db: Session, author: Author, link_id: int, values: Mapping[str, Any]
) -> CauseEffectLinkRow:
    """Change a link's ``hypothesis`` or ``lag_months`` (admins)."""
    return _update(db, author, [(link_id, values)], lambda index, field: field)[0]


def update_links(
    db: Session, author: Author, items: Sequence[tuple[int, Mapping[str, Any]]]
) -> list[CauseEffectLinkRow]:
    """Several ``update_link`` calls (a strategy file's changed links): the same checks
    and audit entries, in the order of ``items``; the rows looked up at once, one flush.
    A refused one names its place in ``items`` (``links[2].lag_months``)."""
    return _update(db, author, items, lambda index, field: f"links[{index}].{field}")


def _update(db: Session, author: Author, items: Sequence[tuple[int, Mapping[str, Any]]],
            named: Callable[[int, str], str]) -> list[CauseEffectLinkRow]:
    """``update_link``'s checks on each of ``items``, then one write for all of them;
    ``named(index, field)`` is the field a refusal names."""
    if not items:
        return []
    found = {row.id: row for row in db.scalars(select(CauseEffectLinkRow).where(
        CauseEffectLinkRow.workspace_id == author.workspace_id,
        CauseEffectLinkRow.id.in_({link_id for link_id, _ in items})))}
    for link_id, _ in items:
        if link_id not in found:
            raise NotFound("link", link_id)
    require_admin(author, LINKS)
    checked: list[tuple[CauseEffectLinkRow, dict[str, Any], dict[str, Any]]] = []
    for index, (link_id, values) in enumerate(items):
        try:
            update = texts_checked(values, ("hypothesis", "lag_months"),
                                   {"hypothesis": (TEXT_MAX, False)})
            if "lag_months" in update:
                update["lag_months"] = _lag(update["lag_months"])
        except InvalidInput as refused:
            raise InvalidInput(named(index, refused.field), refused.message) from None
        checked.append((found[link_id], update, {}))
    apply_audited_changes_to_rows(db, author, checked, "cause_effect_link")
    return [row for row, _, _ in checked]


def delete_link(db: Session, author: Author, link_id: int) -> None:
    row = row_in(db, CauseEffectLinkRow, author.workspace_id, link_id, "link")
    require_admin(author, LINKS)
    record(db, author, "delete", "cause_effect_link", row.id, link_snapshot(db, row))
    db.delete(row)
    db.flush()


def delete_links(db: Session, author: Author, link_ids: Sequence[int]) -> None:
    """Several ``delete_link`` calls (a strategy file's stale links): the same check and
    audit entries, in the order of ``link_ids``; the rows and the keys their entries name
    looked up at once, one flush."""
    if not link_ids:
        return
    found = {row.id: row for row in db.scalars(select(CauseEffectLinkRow).where(
        CauseEffectLinkRow.workspace_id == author.workspace_id,
        CauseEffectLinkRow.id.in_(link_ids)))}
    for link_id in link_ids:
        if link_id not in found:
            raise NotFound("link", link_id)
    require_admin(author, LINKS)
    rows = [found[link_id] for link_id in link_ids]
    objectives = dict(db.execute(select(ObjectiveRow.id, ObjectiveRow.key).where(
        ObjectiveRow.id.in_({row.cause_id for row in rows} | {row.effect_id for row in rows}))
    ).all())
    cards = dict(db.execute(select(ScorecardRow.id, ScorecardRow.key).where(
        ScorecardRow.id.in_({row.scorecard_id for row in rows}))).all())
    for row in rows:
        record(db, author, "delete", "cause_effect_link", row.id,
               _snapshot(row, cards.get(row.scorecard_id), objectives))
        db.delete(row)
    db.flush()
