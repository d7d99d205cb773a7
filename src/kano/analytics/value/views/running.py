"""How every view runs an analysis: through the caller's memo, with the analytics' errors
naming the option the user gave, on the day the scores are for."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any, TypeVar, cast

from kano.analytics.value.inputs import ValueReader
from kano.domain.shared.errors import InvalidInput

Record = dict[str, Any]
T = TypeVar("T")
Memo = Callable[[tuple[Any, ...], Callable[[], Any]], Any]
"""``memo(key, work)``: ``work()``'s result, or the one kept for ``key`` (a cache the caller
owns and keys to the warehouse's state; the analyses here keep nothing themselves)."""


def remembered(
    memo: Memo | None, analysis: Callable[..., T], backend: Any, workspace_id: int, **options: Any
) -> T:
    """``analysis(backend, workspace_id, **options)`` through ``memo`` when one is given."""
    if memo is None:
        return analysis(backend, workspace_id, **options)
    # Options at their defaults are left out, so that equal requests share a key.
    defaults = {name: p.default for name, p in inspect.signature(analysis).parameters.items()}
    given = sorted((k, v) for k, v in options.items() if v is not None and v != defaults.get(k))
    key = (analysis.__name__, *given)
    return cast(T, memo(key, lambda: analysis(backend, workspace_id, **options)))


def checked(name: str, work: Callable[[], T]) -> T:
    """Run ``work``; the analytics' ``ValueError`` becomes :class:`InvalidInput` naming
    ``name`` (they know no option or parameter names)."""
    try:
        return work()
    except InvalidInput:
        raise
    except ValueError as error:
        raise InvalidInput(name, str(error)) from error


def scoring_day(reader: ValueReader, given: date | None) -> datetime:
    """``given`` at midnight, or the day after the last order (all orders counted)."""
    if given is None:
        end = reader.data_end()
        return datetime(end.year, end.month, end.day) + timedelta(days=1)
    return datetime(given.year, given.month, given.day)
