"""The one write path of scorecard objectives (links: ``link_store``, measures:
``measure_store``), shared by the API routers and the web pages (scorecard, strategy
session), and what those stores share: who writes, the checks, the audit entry.

Each function checks, in this order: that what it names is in the author's workspace
(``NotFound`` for the row being changed, ``InvalidInput`` naming the field for a row it
refers to), who may (``EditForbidden``: owners change what they own, links are the map's
structure and only admins change them — ``kano.domain.workspaces``), then the values
(``InvalidInput`` naming the field: the strategy-as-code file's text rules, the cascade
rule of ``aligned_to``); then it writes the rows and one audit entry in the
caller's transaction and flushes. The caller commits, and says the problems its own way:
the API as HTTP statuses, the web next to the form field in the reader's language.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any, Protocol

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kano.adapters.db.accounts import audit
from kano.adapters.db.new_ids import assign_ids
from kano.adapters.db.objective_refs import ObjectiveRefs
from kano.adapters.db.orm import ObjectiveRow, PerspectiveRow
from kano.domain.shared.errors import InvalidInput, KanoError, NotFound, PermissionDenied
from kano.domain.workspaces import Role, may_change_everything, may_change_owned

TITLE_MAX = 300  # the strategy-as-code file's Title and ShortText
TEXT_MAX = 20_000  # its LongText
POSITION_MAX = 32_767  # positions are SMALLINT columns
_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")

# What ``InvalidInput.message`` says for the problems a form can make; the web pages
# show their own words for these (``strategy_edits.WEB_TEXTS``).
BLANK = "must not be blank"
TOO_LONG = "is too long"
CONTROL = "contains control characters"
NO_PERSPECTIVE = "no such perspective in that scorecard"


class Author(Protocol):
    """Who writes: the API's ``Editor`` and the web's ``Editor`` both are one."""

    @property
    def workspace_id(self) -> int: ...
    @property
    def user_id(self) -> int | None: ...
    @property
    def role(self) -> Role: ...
    @property
    def actor(self) -> str: ...


class EditForbidden(PermissionDenied):
    """The author's role does not allow the change: ``needs`` is ``owner`` (a manager's
    change to what someone else owns), ``admin`` (the strategy's structure) or ``editor``
    (a viewer tried)."""

    def __init__(self, needs: str, message: str = "") -> None:
        super().__init__(message or needs)
        self.needs = needs


class AlreadyExists(KanoError):
    """A key (or a link between two objectives) that is taken; ``field`` names it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def require_admin(author: Author, what: str) -> None:
    if not may_change_everything(author.role):
        if author.role is Role.VIEWER:
            raise EditForbidden("editor", "This token acts as a viewer, who may only read.")
        raise EditForbidden("admin", f"Only an admin or owner may change {what}; this token "
                                     f"acts as a {author.role}.")


def require_owner(author: Author, owners: list[int | None], what: str) -> None:
    """Admins pass; managers and analysts pass when they are among ``owners``."""
    if may_change_owned(author.role, author.user_id, owners):
        return
    if author.role is Role.VIEWER:
        raise EditForbidden("editor", "This token acts as a viewer, who may only read.")
    raise EditForbidden("owner", f"A {author.role} may change only {what} they own (as the "
                                 "owner of it or of the objective it belongs to).")


def record(db: Session, author: Author, action: str, entity: str, entity_id: object,
           detail: Mapping[str, Any]) -> None:
    """The audit entry of a change, in its transaction (dates and times as ISO text)."""
    audit(db, author.workspace_id, author.actor, action, entity, entity_id,
          _json_safe(dict(detail)), user_id=author.user_id)


def _json_safe(value: Any) -> Any:
    if isinstance(value, date):  # datetime too
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(name): _json_safe(item) for name, item in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(item) for item in value]
    return value


def text(value: str | None, field: str, *, limit: int, required: bool = False) -> str | None:
    """A text as stored: trimmed; blank is None (refused when ``required``); at most
    ``limit`` characters, no control characters but tab and line breaks."""
    trimmed = (value or "").strip()
    if not trimmed:
        if required:
            raise InvalidInput(field, BLANK)
        return None
    if len(trimmed) > limit:
        raise InvalidInput(field, f"{TOO_LONG} (at most {limit} characters)")
    if _CONTROL.search(trimmed.replace("\n", "").replace("\t", "").replace("\r", "")):
        raise InvalidInput(field, CONTROL)
    return trimmed


def texts_checked(values: Mapping[str, Any], columns: tuple[str, ...],
                  texts: Mapping[str, tuple[int, bool]]) -> dict[str, Any]:
    """``values`` with each of ``texts`` (column: limit, required) checked by ``text``;
    ``TypeError`` for a name that is not one of ``columns`` (a caller's mistake)."""
    unknown = set(values) - set(columns)
    if unknown:
        raise TypeError(f"not a column one may change: {sorted(unknown)}")
    return {name: text(value, name, limit=texts[name][0], required=texts[name][1])
            if name in texts else value for name, value in values.items()}


def key_from_title(title: str, fallback: str) -> str:
    """A stable key for strategy as code: ASCII letters, digits and dashes."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")[:48].strip("-")
    return slug or fallback


def checked_key(key: str) -> None:
    """``InvalidInput`` on ``key`` unless it follows the strategy-as-code file's key rule."""
    if not _KEY.match(key):
        raise InvalidInput("key", "a key has 1–64 letters, digits, '-', '_' or '.', and "
                                  "starts with a letter or digit")


def new_key(db: Session, table: Any, workspace_id: int, key: str | None, derive_from: str,
            entity: str) -> str:
    """``key`` when it is free in the workspace (``AlreadyExists`` when taken), else one
    derived from ``derive_from`` with a number added until it is free."""
    if key is not None:
        checked_key(key)
        if db.scalar(select(table.id).where(table.workspace_id == workspace_id,
                                            table.key == key)) is not None:
            raise AlreadyExists("key", f"A {entity} with key '{key}' already exists.")
        return key
    base = key_from_title(derive_from, entity)
    taken = set(db.scalars(select(table.key).where(table.workspace_id == workspace_id,
                                                   table.key.like(f"{base}%"))))
    unused, number = base, 2
    while unused in taken:
        unused, number = f"{base}-{number}", number + 1
    return unused


def position_or_last(db: Session, table: Any, workspace_id: int, position: int | None,
                     **parent: Any) -> int:
    """``position`` when given (0 … 32767), else one after the last sibling."""
    if position is not None:
        if not 0 <= position <= POSITION_MAX:
            raise InvalidInput("position", f"must be from 0 to {POSITION_MAX}")
        return position
    statement = select(func.max(table.position)).where(table.workspace_id == workspace_id)
    for name, value in parent.items():
        statement = statement.where(getattr(table, name) == value)
    last = db.scalar(statement)
    return 0 if last is None else min(int(last) + 1, POSITION_MAX)


def row_in(db: Session, table: Any, workspace_id: int, row_id: int, entity: str) -> Any:
    """The row being changed; ``NotFound`` when the workspace has no such row."""
    row = db.scalar(select(table).where(table.id == row_id, table.workspace_id == workspace_id))
    if row is None:
        raise NotFound(entity, row_id)
    return row


def referenced(db: Session, table: Any, workspace_id: int, row_id: int, field: str,
               entity: str) -> Any:
    """A row a value refers to; ``InvalidInput`` on ``field`` when not in the workspace."""
    row = db.scalar(select(table).where(table.id == row_id, table.workspace_id == workspace_id))
    if row is None:
        raise InvalidInput(field, f"no such {entity} in this workspace")
    return row


# --- objectives -------------------------------------------------------------------------

OBJECTIVES = "objectives"
OBJECTIVE_COLUMNS = ("perspective_id", "title", "description", "customer_voice",
                     "owner_user_id", "owner_team_id", "aligned_to_id", "position")
OBJECTIVE_TEXTS = {"title": (TITLE_MAX, True), "customer_voice": (TITLE_MAX, False),
                   "description": (TEXT_MAX, False)}


def scorecard_of(db: Session, objective: ObjectiveRow) -> int:
    """The id of the scorecard an objective's perspective belongs to."""
    card_id = db.scalar(
        select(PerspectiveRow.scorecard_id).where(PerspectiveRow.id == objective.perspective_id)
    )
    assert card_id is not None  # a perspective always has its scorecard (NOT NULL, cascade)
    return card_id


def objective_values(
    refs: ObjectiveRefs, card_id: int, values: Mapping[str, Any]
) -> dict[str, Any]:
    """The column values checked: texts trimmed, references in the workspace, the
    perspective in the objective's scorecard, ``aligned_to`` in a parent scorecard."""
    checked = texts_checked(values, OBJECTIVE_COLUMNS, OBJECTIVE_TEXTS)
    for name, value in checked.items():
        if name == "perspective_id":
            perspective = refs.perspective(value)
            if perspective is None or perspective.scorecard_id != card_id:
                raise InvalidInput("perspective", NO_PERSPECTIVE)
        elif name == "owner_user_id" and value is not None:
            if refs.member_email(value) is None:
                raise InvalidInput("owner", "no such member in this workspace")
        elif name == "owner_team_id" and value is not None:
            if refs.team_key(value) is None:
                raise InvalidInput("owner_team", "no such team in this workspace")
        elif name == "aligned_to_id" and value is not None:
            target = refs.objective(value)
            if target is None:
                raise InvalidInput("aligned_to", "no such objective in this workspace")
            if target[1] not in refs.ancestors(card_id):
                raise InvalidInput("aligned_to", f"objective '{target[0]}' is not in a parent "
                                   "scorecard of this objective's scorecard")
        elif name == "position":
            checked[name] = position_or_last(refs.db, ObjectiveRow, refs.workspace_id, value)
    return checked


def objective_snapshot(refs: ObjectiveRefs, row: ObjectiveRow) -> dict[str, Any]:
    """What the audit log keeps of an objective: its values, references by key."""
    perspective = refs.perspective(row.perspective_id)
    assert perspective is not None
    card = refs.card(perspective.scorecard_id)
    assert card is not None
    aligned = None if row.aligned_to_id is None else refs.objective(row.aligned_to_id)
    return {"key": row.key, "scorecard": card[0], "perspective": perspective.key,
            "title": row.title, "description": row.description,
            "customer_voice": row.customer_voice,
            "owner": None if row.owner_user_id is None else refs.member_email(row.owner_user_id),
            "owner_team": None if row.owner_team_id is None else refs.team_key(row.owner_team_id),
            "aligned_to": None if aligned is None else aligned[0], "position": row.position}


def create_objective(
    db: Session, author: Author, *, perspective_id: int, title: str, key: str | None = None,
    description: str | None = None, customer_voice: str | None = None,
    owner_user_id: int | None = None, owner_team_id: int | None = None,
    aligned_to_id: int | None = None, position: int | None = None,
) -> ObjectiveRow:
    """An objective in a perspective of the workspace, owned by ``owner_user_id`` (a
    manager may create only objectives they own); without ``key`` one is derived from the
    title, without ``position`` it goes last in its perspective."""
    ws = author.workspace_id
    refs = ObjectiveRefs(db, ws)
    perspective = refs.perspective(perspective_id)
    if perspective is None:
        raise InvalidInput("perspective", "no such perspective in this workspace")
    require_owner(author, [owner_user_id], OBJECTIVES)
    values = objective_values(refs, perspective.scorecard_id, {
        "title": title, "description": description, "customer_voice": customer_voice,
        "owner_user_id": owner_user_id, "owner_team_id": owner_team_id,
        "aligned_to_id": aligned_to_id,
    })
    row = ObjectiveRow(
        workspace_id=ws, perspective_id=perspective.id,
        key=new_key(db, ObjectiveRow, ws, key, values["title"], "objective"),
        position=position_or_last(db, ObjectiveRow, ws, position, perspective_id=perspective.id),
        **values,
    )
    db.add(row)
    db.flush()
    record(db, author, "create", "objective", row.id, objective_snapshot(refs, row))
    return row


def create_objectives(
    db: Session, author: Author, items: Sequence[Mapping[str, Any]]
) -> list[ObjectiveRow]:
    """Several objectives (a strategy file's lists), each checked, keyed and audited as
    ``create_objective`` does, the rows they name looked up at once and stored in one
    flush. Each item holds a ``key``, a ``position`` and every column of
    ``OBJECTIVE_COLUMNS``; ``aligned_to_id`` names a stored objective (one of an earlier
    call). A refused one names its place in ``items`` (``objectives[1].owner``)."""
    ws = author.workspace_id
    refs = ObjectiveRefs(db, ws)
    refs.prefetch(items)
    taken = set(db.scalars(select(ObjectiveRow.key).where(
        ObjectiveRow.workspace_id == ws, ObjectiveRow.key.in_({item["key"] for item in items}))))
    rows = []
    for index, item in enumerate(items):
        try:
            perspective = refs.perspective(item["perspective_id"])
            if perspective is None:
                raise InvalidInput("perspective", "no such perspective in this workspace")
            require_owner(author, [item["owner_user_id"]], OBJECTIVES)
            values = objective_values(refs, perspective.scorecard_id, {
                name: value for name, value in item.items() if name != "key"})
            key = item["key"]
            checked_key(key)
            if key in taken:  # the words of ``new_key``
                raise AlreadyExists("key", f"A objective with key '{key}' already exists.")
        except (InvalidInput, AlreadyExists) as refused:
            field = f"objectives[{index}].{refused.field}"
            if isinstance(refused, AlreadyExists):
                raise AlreadyExists(field, str(refused)) from None
            raise InvalidInput(field, refused.message) from None
        taken.add(key)
        rows.append(ObjectiveRow(workspace_id=ws, key=key, **values))
    assign_ids(db, rows)
    db.add_all(rows)
    db.flush()
    for row in rows:
        record(db, author, "create", "objective", row.id, objective_snapshot(refs, row))
    return rows


def apply_audited_changes(
    db: Session, author: Author, row: Any, values: Mapping[str, Any], entity: str, *,
    label: Mapping[str, Any] | None = None,
) -> dict[str, dict[str, Any]]:
    """Set ``values`` on ``row`` and audit what changed (from → to) beside ``label`` (the
    row's key unless given); nothing is written when nothing changed. Returns the changes."""
    return apply_audited_changes_to_rows(db, author, [(row, values, label)], entity)[0]


def apply_audited_changes_to_rows(
    db: Session, author: Author,
    items: Sequence[tuple[Any, Mapping[str, Any], Mapping[str, Any] | None]], entity: str,
) -> list[dict[str, dict[str, Any]]]:
    """``apply_audited_changes`` for many rows of one table — (row, values, label) each —
    with one flush: the ORM sends rows that change the same columns as one executemany
    (pipelined by psycopg), where a flush per row cost a round trip per row. The entries
    are written in the order of ``items``. Returns each row's changes."""
    audited = []
    for row, values, label in items:
        changes = {name: {"from": getattr(row, name), "to": value}
                   for name, value in values.items() if getattr(row, name) != value}
        for name in changes:
            setattr(row, name, values[name])
        audited.append((row, label, changes))
    if any(changes for _, _, changes in audited):
        db.flush()
    for row, label, changes in audited:
        if changes:
            record(db, author, "update", entity, row.id,
                   {**({"key": row.key} if label is None else label), **changes})
    return [changes for _, _, changes in audited]


def update_objective(
    db: Session, author: Author, objective_id: int, values: Mapping[str, Any], *,
    across_scorecards: bool = False,
) -> ObjectiveRow:
    """Change the columns in ``values`` (``OBJECTIVE_COLUMNS``); its key stays, so strategy
    files still match. The owner may not hand the objective to someone else (managers).

    ``perspective_id`` moves it within its scorecard; with ``across_scorecards`` (a
    strategy file that lists it under another scorecard) to a perspective of any
    scorecard, which changes the cascade's structure (admins), and ``aligned_to`` is then
    checked against the scorecard it moves to."""
    ws = author.workspace_id
    row: ObjectiveRow = row_in(db, ObjectiveRow, ws, objective_id, "objective")
    require_owner(author, [row.owner_user_id], OBJECTIVES)
    if "owner_user_id" in values:
        require_owner(author, [values["owner_user_id"]], OBJECTIVES)
    card_id = scorecard_of(db, row)
    if across_scorecards and "perspective_id" in values:
        destination = referenced(db, PerspectiveRow, ws, values["perspective_id"],
                                 "perspective", "perspective")
        if destination.scorecard_id != card_id:
            require_admin(author, "which scorecard an objective is on")
            card_id = destination.scorecard_id
    checked = objective_values(ObjectiveRefs(db, ws), card_id, values)
    apply_audited_changes(db, author, row, checked, "objective")
    return row


def update_objectives(
    db: Session, author: Author, items: Sequence[tuple[int, Mapping[str, Any]]], *,
    across_scorecards: bool = False,
) -> list[ObjectiveRow]:
    """Several ``update_objective`` calls (a strategy file's changed objectives, each with
    only the columns that change): the same checks and audit entries, the rows and what
    they name looked up at once, one flush. A refused one names its place in ``items``
    (``objectives[1].owner``)."""
    ws = author.workspace_id
    found = {row.id: row for row in db.scalars(select(ObjectiveRow).where(
        ObjectiveRow.workspace_id == ws, ObjectiveRow.id.in_({id_ for id_, _ in items})))}
    refs = ObjectiveRefs(db, ws)
    refs.prefetch([*({"perspective_id": row.perspective_id} for row in found.values()),
                   *(values for _, values in items)])
    checked_rows: list[tuple[ObjectiveRow, dict[str, Any]]] = []
    for index, (objective_id, values) in enumerate(items):
        row = found.get(objective_id)
        if row is None:
            raise NotFound("objective", objective_id)
        require_owner(author, [row.owner_user_id], OBJECTIVES)
        if "owner_user_id" in values:
            require_owner(author, [values["owner_user_id"]], OBJECTIVES)
        own = refs.perspective(row.perspective_id)
        assert own is not None  # its perspective, in its workspace
        card_id = own.scorecard_id
        try:
            if across_scorecards and "perspective_id" in values:
                destination = refs.perspective(values["perspective_id"])
                if destination is None:  # the words of ``referenced``
                    raise InvalidInput("perspective", "no such perspective in this workspace")
                if destination.scorecard_id != card_id:
                    require_admin(author, "which scorecard an objective is on")
                    card_id = destination.scorecard_id
            checked_rows.append((row, objective_values(refs, card_id, values)))
        except InvalidInput as refused:
            raise InvalidInput(f"objectives[{index}].{refused.field}", refused.message) from None
    apply_audited_changes_to_rows(
        db, author, [(row, checked, None) for row, checked in checked_rows], "objective")
    return [row for row, _ in checked_rows]


def delete_objective(db: Session, author: Author, objective_id: int) -> None:
    """Deletes its measures and values and the links that start or end at it."""
    row = row_in(db, ObjectiveRow, author.workspace_id, objective_id, "objective")
    require_owner(author, [row.owner_user_id], OBJECTIVES)
    record(db, author, "delete", "objective", row.id, {"key": row.key, "title": row.title})
    db.delete(row)
    db.flush()
