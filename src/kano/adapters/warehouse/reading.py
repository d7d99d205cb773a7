"""Reading metrics from the warehouse for one request: open, compute, close.

A DuckDB file opened read-write by one process (``kano warehouse load``, ``kano compute``)
cannot be opened by another, and the reverse holds while a reader keeps it open. Web and
API requests therefore open the warehouse read-only for the duration of one request and
close it at once (:func:`read_only_warehouse`), so a load in another process is never
blocked for longer than a query.

:class:`MetricQuery` is what the API and the explorer page both ask for (slices, filters,
period, condition, comparison); :func:`compute_query` runs it with the field names of
every error stated the way the API and the page name their inputs.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any

from kano.adapters.warehouse.connection import connect
from kano.adapters.warehouse.location import parse_warehouse_url
from kano.domain.shared.errors import InvalidInput
from kano.metrics.definitions import Metric
from kano.metrics.expressions import ExpressionError, parse_expression
from kano.metrics.request import MetricRow, SliceRequest

# The compiler and the star schema (Ibis, sqlglot, pyarrow, numpy) are imported by the
# functions that run a query: this module is imported when the app is built.

# The earliest and latest day a period may name: the engine steps one period back for a
# comparison and one day past the end for the range, which must stay valid dates.
FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2199, 12, 31)


Filters = tuple[tuple[str, tuple[str, ...]], ...]


@contextmanager
def read_only_warehouse(url: str) -> Iterator[Any]:
    """An Ibis backend on the warehouse, opened read-only and closed when the block ends.

    Raises ``WarehouseNotLoaded`` when a DuckDB file does not exist yet, ``WarehouseBusy``
    when a writer holds it. A Spark backend is left running: its session is the process's
    one Spark session, and stopping it would cost a restart per request.
    """
    backend = connect(url, read_only=True)
    try:
        yield backend
    finally:
        if parse_warehouse_url(url).engine != "spark":
            backend.disconnect()


@dataclass(frozen=True)
class MetricQuery:
    """Slices (a grain and/or dimensions, in output order), filters (name → allowed
    values), an inclusive period, an extra condition and whether to compare."""

    by: tuple[str, ...] = ()
    filters: Filters = ()
    period: tuple[date, date] | None = None
    where: str | None = None
    compare: bool = False

    def filter_map(self) -> dict[str, list[str]]:
        return {name: list(values) for name, values in self.filters}


def split_names(texts: Sequence[str]) -> tuple[str, ...]:
    """``["month,segment", "stage"]`` → ``("month", "segment", "stage")``."""
    return tuple(name.strip() for text in texts for name in text.split(",") if name.strip())


def parse_filters(texts: Sequence[str], field: str = "filter") -> Filters:
    """``["segment=smb,key_account", "channel=web"]`` as (name, values) pairs; a name given
    twice allows the values of both."""
    merged: dict[str, list[str]] = {}
    for text in texts:
        name, sep, allowed = text.partition("=")
        values = [value.strip() for value in allowed.split(",") if value.strip()]
        if not sep or not name.strip() or not values:
            raise InvalidInput(field, f"{text!r}: write NAME=VALUE or NAME=VALUE1,VALUE2")
        merged.setdefault(name.strip(), []).extend(values)
    return tuple((name, tuple(values)) for name, values in merged.items())


def checked_period(
    start: date | None, end: date | None, fields: tuple[str, str] = ("from", "to")
) -> tuple[date, date] | None:
    """Both ends or neither, in order and within ``FIRST_DAY`` … ``LAST_DAY``."""
    first, last = fields
    for field, day in ((first, start), (last, end)):
        if day is not None and not FIRST_DAY <= day <= LAST_DAY:
            raise InvalidInput(field, f"must be between {FIRST_DAY} and {LAST_DAY}")
    if start is None and end is None:
        return None
    if start is None:
        raise InvalidInput(first, f"give both ends of the period (`{last}` is given)")
    if end is None:
        raise InvalidInput(last, f"give both ends of the period (`{first}` is given)")
    if end < start:
        raise InvalidInput(last, f"must not be before `{first}`")
    return start, end


def checked_where(text: str | None) -> str | None:
    """The condition, parsed once here so its errors name ``where``."""
    if text is None or not text.strip():
        return None
    try:
        parse_expression(text)
    except ExpressionError as error:
        raise InvalidInput("where", str(error)) from error
    except RecursionError:
        raise InvalidInput("where", "is nested too deeply") from None
    return text


def field_of(error: InvalidInput) -> tuple[str, str]:
    """The engine's field names as the inputs are named: ``filter segment`` → ``filter``
    (its message then starts with the name), ``period`` → ``from``."""
    if error.field.startswith("filter "):
        return "filter", f"{error.field.removeprefix('filter ')}: {error.message}"
    if error.field == "period":
        return "from", error.message
    return error.field, error.message


def compute_query(
    backend: Any, metric: Metric, query: MetricQuery, workspace_id: int
) -> list[MetricRow]:
    """The metric's rows for ``query`` in one workspace; input errors name the input."""
    from kano.metrics.compute import compute_metric

    try:
        return compute_metric(
            backend, metric, by=list(query.by), filters=query.filter_map(), period=query.period,
            workspace_id=workspace_id, where=checked_where(query.where), compare=query.compare,
        )
    except InvalidInput as error:
        field, message = field_of(error)
        raise InvalidInput(field, message) from error
    except RecursionError:  # a condition nested deeper than the compiler can follow
        raise InvalidInput("where", "is nested too deeply") from None


def metric_slices(backend: Any, metric: Metric, workspace_id: int) -> list[str]:
    """Every name ``metric`` can be sliced or filtered by: its grains, then the columns
    and dimension attributes of its table, as the engine checks them."""
    from kano.metrics.star import Star

    star = Star(backend, workspace_id)
    base = metric.aggregation.base(star, metric.source, SliceRequest())
    return star.available(base)
