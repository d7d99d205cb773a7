"""Query and path parameter types shared by the routers, each with its limits.

The limits are not decoration: PostgreSQL rejects ids beyond 64 bits and text with NUL
characters with an error, and without these bounds such input would surface as a 500
instead of a 422 that names the parameter.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, TypeVarTuple

from fastapi import Depends, Path, Query
from pydantic import AfterValidator, BeforeValidator
from sqlalchemy import Select
from sqlalchemy.orm import InstrumentedAttribute

from kano.adapters.api.timestamps import as_naive_utc
from kano.domain.shared.errors import InvalidInput

ColumnsT = TypeVarTuple("ColumnsT")

MAX_ID = 2**63 - 1
_NO_NUL = r"^[^\x00]*$"

ResourceId = Annotated[int, Path(ge=1, le=MAX_ID, description="The resource's id.")]


def optional_id(description: str) -> Any:
    return Query(ge=1, le=MAX_ID, description=description)


def key_filter(description: str) -> Any:
    """A filter on a key (segment, touchpoint …): keys are short slugs."""
    return Query(min_length=1, max_length=64, pattern=_NO_NUL, description=description)


def text_filter(description: str, max_length: int = 200) -> Any:
    return Query(min_length=1, max_length=max_length, pattern=_NO_NUL, description=description)


_ISO_DATE_START = re.compile(r"\d{4}-")


def _iso_8601_only(value: object) -> object:
    """Refuse what pydantic would read as Unix seconds: ``20260101`` is not a date here."""
    if isinstance(value, str) and not _ISO_DATE_START.match(value):
        raise ValueError("is not an ISO 8601 date-time such as 2026-01-31T09:00:00Z")
    return value


def _naive_utc_or_none(moment: datetime | None) -> datetime | None:
    return None if moment is None else as_naive_utc(moment)


ClientDateTime = Annotated[
    datetime | None, BeforeValidator(_iso_8601_only), AfterValidator(_naive_utc_or_none)
]


@dataclass(frozen=True)
class TimeWindow:
    """A half-open window ``[since, until)`` in naive UTC; either end may be open."""

    since: datetime | None
    until: datetime | None

    def apply(
        self, statement: Select[*ColumnsT], column: InstrumentedAttribute[datetime]
    ) -> Select[*ColumnsT]:
        if self.since is not None:
            statement = statement.where(column >= self.since)
        if self.until is not None:
            statement = statement.where(column < self.until)
        return statement


def time_window(
    since: Annotated[ClientDateTime, Query(
        description="Only from this moment on (inclusive); ISO 8601, UTC unless an offset "
        "is given, e.g. `2026-01-01T00:00:00Z`."
    )] = None,
    until: Annotated[ClientDateTime, Query(
        description="Only before this moment (exclusive); ISO 8601 like `since`."
    )] = None,
) -> TimeWindow:
    if since is not None and until is not None and until < since:
        raise InvalidInput("until", "must not be before `since`")
    return TimeWindow(since=since, until=until)


TimeWindowParams = Annotated[TimeWindow, Depends(time_window)]


def contains_pattern(text: str) -> str:
    """A LIKE pattern matching ``text`` anywhere, with ``%`` and ``_`` taken literally
    (escape character ``\\``)."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
