"""Time at the API boundary: the app database stores naive UTC, the API speaks aware UTC.

Every datetime a client receives ends in ``Z``, so nobody has to guess the zone; a
datetime a client sends may carry any offset (or none, meaning UTC) and is converted to
the database's naive UTC before it reaches a query.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from pydantic import AfterValidator


def as_aware_utc(moment: datetime) -> datetime:
    """A database time (naive UTC) as an aware UTC datetime, serialised with ``Z``."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def as_naive_utc(moment: datetime) -> datetime:
    """A client's time in the database's representation (naive UTC).

    Raises ``ValueError`` (a 422 naming the parameter) when the offset pushes the moment
    outside the years 1–9999 that Python can hold, instead of failing as a 500.
    """
    if moment.tzinfo is None:
        return moment
    try:
        return moment.astimezone(UTC).replace(tzinfo=None)
    except OverflowError as error:
        raise ValueError("is outside the supported range of dates") from error


UtcDateTime = Annotated[datetime, AfterValidator(as_aware_utc)]
"""A response field holding a database time; always rendered in UTC with ``Z``."""
