"""Cursor pagination by keyset: ``WHERE id > :last ORDER BY id LIMIT :limit``.

Keyset pages stay fast at any depth (an offset would scan every skipped row) and never
skip or repeat a row when rows are added while a client walks the pages. The cursor is
opaque to clients — URL-safe base64 of a versioned last id — so its encoding can change
without breaking anyone who simply passes ``next_cursor`` back.
"""

from __future__ import annotations

import base64
import binascii
import bisect
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Generic, TypeVar, TypeVarTuple

from fastapi import Depends, Query
from pydantic import BaseModel, Field
from sqlalchemy import Row, Select
from sqlalchemy.orm import InstrumentedAttribute, Session

from kano.adapters.api.params import MAX_ID
from kano.domain.shared.errors import InvalidInput

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000
_CURSOR_VERSION = "k1:"

ItemT = TypeVar("ItemT")
ColumnsT = TypeVarTuple("ColumnsT")


class Page(BaseModel, Generic[ItemT]):
    """One page of a list, oldest id first."""

    items: list[ItemT]
    next_cursor: str | None = Field(
        description="Pass as `cursor` to get the next page; null on the last page."
    )


def encode_cursor(last_id: int) -> str:
    raw = f"{_CURSOR_VERSION}{last_id}".encode("ascii")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def decode_cursor(cursor: str) -> int:
    """The last id a cursor encodes; ``InvalidInput("cursor")`` if it is not one of ours."""
    try:
        raw = base64.b64decode(cursor + "=" * (-len(cursor) % 4), altchars=b"-_", validate=True)
        text = raw.decode("ascii")
    except (binascii.Error, UnicodeError, ValueError):
        text = ""
    number = text.removeprefix(_CURSOR_VERSION)
    if text.startswith(_CURSOR_VERSION) and number.isdigit():
        last_id = int(number)
        if last_id <= MAX_ID and encode_cursor(last_id) == cursor:
            return last_id
    raise InvalidInput("cursor", "is not a cursor from this API; pass `next_cursor` back unchanged")


@dataclass(frozen=True)
class PageRequest:
    limit: int
    after_id: int | None


def page_request(
    limit: Annotated[int, Query(
        ge=1, le=MAX_PAGE_SIZE, description=f"Items per page, 1–{MAX_PAGE_SIZE}."
    )] = DEFAULT_PAGE_SIZE,
    cursor: Annotated[str | None, Query(
        min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$",
        description="The `next_cursor` of the previous page; omit for the first page.",
    )] = None,
) -> PageRequest:
    return PageRequest(limit=limit, after_id=None if cursor is None else decode_cursor(cursor))


PageParams = Annotated[PageRequest, Depends(page_request)]


def fetch_page(
    session: Session,
    statement: Select[*ColumnsT],
    id_column: InstrumentedAttribute[int],
    page: PageRequest,
) -> tuple[Sequence[Row[*ColumnsT]], str | None]:
    """The rows of one page and the cursor of the next (None when this is the last).

    ``statement`` must select the paged entity first, so a row's ``[0].id`` is its id.
    One row more than asked tells whether another page exists without a count query.
    """
    if page.after_id is not None:
        statement = statement.where(id_column > page.after_id)
    rows = session.execute(statement.order_by(id_column).limit(page.limit + 1)).all()
    if len(rows) <= page.limit:
        return rows, None
    rows = rows[: page.limit]
    last_entity: Any = next(iter(rows[-1]))
    return rows, encode_cursor(last_entity.id)


def page_of_answer(
    items: Sequence[ItemT], ids: Sequence[int], page: PageRequest
) -> tuple[Sequence[ItemT], str | None]:
    """One page of a list computed whole (an analysis' every customer), by the same cursor
    as :func:`fetch_page`: the items after the cursor's id, ``ids[i]`` being ``items[i]``'s
    id and ``ids`` ascending without repeats."""
    start = 0 if page.after_id is None else bisect.bisect_right(ids, page.after_id)
    end = start + page.limit
    if end >= len(items):
        return items[start:], None
    return items[start:end], encode_cursor(ids[end - 1])
