"""Strategy rows found by key inside the caller's workspace, and the keys and e-mails
that responses show instead of ids.

Where a key comes from decides the answer when nothing matches: a key in the URL is a 404
(``NotFound``), a key in the request body is a 422 naming the field (``InvalidInput``) —
the request is wrong, not the address. Every query filters by the workspace, so a row of
another workspace is exactly as invisible as a missing one.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kano.adapters.api.editing import conflict
from kano.adapters.db.orm import Employee, Membership, Team, User
from kano.domain.shared.errors import InvalidInput, NotFound

SMALLINT_MAX = 32_767


def find_row(session: Session, table: Any, workspace_id: int, **columns: Any) -> Any | None:
    """The row of ``table`` in the workspace whose columns equal ``columns``, or None."""
    statement = select(table).where(table.workspace_id == workspace_id)
    for name, value in columns.items():
        statement = statement.where(getattr(table, name) == value)
    return session.scalars(statement).first()


def row_at(session: Session, table: Any, workspace_id: int, entity: str, **columns: Any) -> Any:
    """The row a URL names; 404 when the workspace has none."""
    row = find_row(session, table, workspace_id, **columns)
    if row is None:
        raise NotFound(entity, next(iter(columns.values())))
    return row


def referenced_row(
    session: Session, table: Any, workspace_id: int, field: str, entity: str, **columns: Any
) -> Any:
    """The row a body field names; 422 on that field when the workspace has none."""
    row = find_row(session, table, workspace_id, **columns)
    if row is None:
        raise InvalidInput(field, f"no {entity} '{next(iter(columns.values()))}' in this workspace")
    return row


def referenced_id(
    session: Session, table: Any, workspace_id: int, field: str, entity: str, key: str | None
) -> int | None:
    """The id of the row with key ``key`` (None for no key); 422 on ``field`` if unknown."""
    if key is None:
        return None
    return int(referenced_row(session, table, workspace_id, field, entity, key=key).id)


def require_free_key(
    session: Session, table: Any, workspace_id: int, entity: str, **columns: Any
) -> None:
    """409 when a row with these key columns exists already."""
    if find_row(session, table, workspace_id, **columns) is not None:
        raise conflict(f"A {entity} with key '{columns['key']}' already exists.")


def next_position(session: Session, table: Any, workspace_id: int, **parent: Any) -> int:
    """One after the last sibling (the end of the list), capped at the column's limit."""
    statement = select(func.max(table.position)).where(table.workspace_id == workspace_id)
    for name, value in parent.items():
        statement = statement.where(getattr(table, name) == value)
    last = session.scalar(statement)
    return 0 if last is None else min(int(last) + 1, SMALLINT_MAX)


def member_id(session: Session, workspace_id: int, field: str, email: str | None) -> int | None:
    """The user id of a member of the workspace with this e-mail; 422 on ``field`` if none
    (users of other workspaces are not revealed)."""
    if email is None:
        return None
    user_id = session.scalar(
        select(User.id)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.workspace_id == workspace_id, User.email == email.strip().lower())
    )
    if user_id is None:
        raise InvalidInput(field, f"no member with e-mail '{email}' in this workspace")
    return int(user_id)


def team_id(session: Session, workspace_id: int, field: str, key: str | None) -> int | None:
    return referenced_id(session, Team, workspace_id, field, "team", key)


def employee_id(session: Session, workspace_id: int, field: str, external_id: str) -> int:
    row = referenced_row(
        session, Employee, workspace_id, field, "employee", external_id=external_id
    )
    return int(row.id)


def key_map(
    session: Session, table: Any, ids: Iterable[int | None], column: str = "key"
) -> dict[int, str]:
    """``{id: key}`` for the given ids (one query; None ids are skipped)."""
    wanted = {row_id for row_id in ids if row_id is not None}
    if not wanted:
        return {}
    rows = session.execute(select(table.id, getattr(table, column)).where(table.id.in_(wanted)))
    return {row_id: value for row_id, value in rows}


def email_map(session: Session, ids: Iterable[int | None]) -> dict[int, str]:
    return key_map(session, User, ids, column="email")


def team_key_map(session: Session, ids: Iterable[int | None]) -> dict[int, str]:
    return key_map(session, Team, ids)


def ancestors(session: Session, table: Any, start_id: int | None, parent_column: str) -> list[int]:
    """Ids up the parent chain from ``start_id`` (itself first), stopping at a repeat."""
    chain: list[int] = []
    current = start_id
    while current is not None and current not in chain:
        chain.append(current)
        current = session.scalar(select(getattr(table, parent_column)).where(table.id == current))
    return chain
