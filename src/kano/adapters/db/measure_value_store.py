"""The one write path of a measure's values, period by period, shared by
``/measures/{key}/values`` and the scorecard page's value form (the pattern of
``strategy_store``): a measure's values belong to its objective's owner; one value per
period (``AlreadyExists`` on ``period``); numbers bounded, the interval in order.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kano.adapters.db.measure_store import NUMBER_LIMIT, owned_measure, owned_measures
from kano.adapters.db.new_ids import assign_ids
from kano.adapters.db.orm import MeasureRow, MeasureValueRow
from kano.adapters.db.strategy_store import (
    AlreadyExists,
    Author,
    apply_audited_changes_to_rows,
    record,
    texts_checked,
)
from kano.domain.shared.errors import InvalidInput, NotFound

VALUE_COLUMNS = ("actual", "target", "source", "n", "ci_low", "ci_high", "computed_at")
SOURCES = ("manual", "metric")
COUNT_MAX = 2**31 - 1


def _checked(row: MeasureValueRow | None, values: Mapping[str, Any]) -> dict[str, Any]:
    """The column values checked; the interval as it will be once ``values`` are set."""
    checked = texts_checked(values, VALUE_COLUMNS, {})
    for name, value in checked.items():
        if name in ("actual", "target", "ci_low", "ci_high") and value is not None and (
            isinstance(value, bool) or not isinstance(value, int | float)
            or not -NUMBER_LIMIT <= value <= NUMBER_LIMIT
        ):
            raise InvalidInput(name, f"must be a number from {-NUMBER_LIMIT:g} to "
                                     f"{NUMBER_LIMIT:g}")
        if name == "source" and value not in SOURCES:
            raise InvalidInput("source", f"must be one of {', '.join(SOURCES)}")
        if name == "n" and value is not None and not (
            isinstance(value, int) and 0 <= value <= COUNT_MAX
        ):
            raise InvalidInput("n", "must be a whole number from 0")
        if name == "computed_at" and value is not None and not isinstance(value, datetime):
            raise InvalidInput("computed_at", "must be a time")
    low = checked["ci_low"] if "ci_low" in checked else getattr(row, "ci_low", None)
    high = checked["ci_high"] if "ci_high" in checked else getattr(row, "ci_high", None)
    if low is not None and high is not None and low > high:
        raise InvalidInput("ci_low", "must not exceed ci_high")
    return checked


def value_at(db: Session, workspace_id: int, measure_id: int,
             period: date) -> MeasureValueRow | None:
    return db.scalar(select(MeasureValueRow).where(
        MeasureValueRow.workspace_id == workspace_id, MeasureValueRow.measure_id == measure_id,
        MeasureValueRow.period_start == period))


def create_value(db: Session, author: Author, measure_id: int, period: date,
                 values: Mapping[str, Any]) -> MeasureValueRow:
    """The measure's value for a period that has none yet."""
    measure = owned_measure(db, author, measure_id)
    checked = _checked(None, {"source": "manual", **values})
    return _added(db, author, [(measure, period, checked)], lambda index: "period")[0]


def create_values(db: Session, author: Author,
                  items: Sequence[tuple[int, date, Mapping[str, Any]]]) -> list[MeasureValueRow]:
    """Values (measure id, period, columns) for periods that have none yet, of measures
    whose objectives the author may change (a strategy file's lists), each checked and
    audited as ``create_value`` does, stored in one flush. A refused one names its place
    in ``items`` (``values[2].ci_low``)."""
    measures = owned_measures(db, author, {measure_id for measure_id, _, _ in items})
    checked = []
    for index, (measure_id, period, values) in enumerate(items):
        try:
            checked.append((measures[measure_id], period,
                            _checked(None, {"source": "manual", **values})))
        except InvalidInput as refused:
            raise InvalidInput(f"values[{index}].{refused.field}", refused.message) from None
    return _added(db, author, checked, lambda index: f"values[{index}].period")


def _added(db: Session, author: Author, items: list[tuple[MeasureRow, date, dict[str, Any]]],
           field: Callable[[int], str]) -> list[MeasureValueRow]:
    """New rows for checked values, one create entry each; ``AlreadyExists`` on
    ``field(index)`` for a period that has a value (or comes twice)."""
    taken = {(measure_id, period) for measure_id, period in db.execute(
        select(MeasureValueRow.measure_id, MeasureValueRow.period_start).where(
            MeasureValueRow.workspace_id == author.workspace_id,
            MeasureValueRow.measure_id.in_({measure.id for measure, _, _ in items}),
            MeasureValueRow.period_start.in_({period for _, period, _ in items})))}
    for index, (measure, period, _) in enumerate(items):
        if (measure.id, period) in taken:
            raise AlreadyExists(field(index), f"Measure '{measure.key}' has a value for "
                                              f"{period} already.")
        taken.add((measure.id, period))
    rows = [MeasureValueRow(workspace_id=author.workspace_id, measure_id=measure.id,
                            period_start=period, **values) for measure, period, values in items]
    assign_ids(db, rows)
    db.add_all(rows)
    db.flush()
    for (measure, _, _), row in zip(items, rows, strict=True):
        record(db, author, "create", "measure_value", row.id, {
            "measure": measure.key, "period": row.period_start,
            **{name: getattr(row, name) for name in VALUE_COLUMNS}})
    return rows


def _existing(db: Session, author: Author, measure_id: int, period: date) -> tuple[Any, Any]:
    measure = owned_measure(db, author, measure_id)
    row = value_at(db, author.workspace_id, measure.id, period)
    if row is None:
        raise NotFound("measure value", period.isoformat())
    return measure, row


def update_value(db: Session, author: Author, measure_id: int, period: date,
                 values: Mapping[str, Any]) -> MeasureValueRow:
    """Change the period's value: only the columns in ``values``."""
    return _update(db, author, [(measure_id, period, values)], lambda index, field: field)[0]


def update_values(db: Session, author: Author,
                  items: Sequence[tuple[int, date, Mapping[str, Any]]]) -> list[MeasureValueRow]:
    """Several ``update_value`` calls (a strategy file's changed values): the same checks
    and audit entries, in the order of ``items``; the measures and values looked up at
    once, one flush. A refused one names its place in ``items`` (``values[2].ci_low``)."""
    return _update(db, author, items, lambda index, field: f"values[{index}].{field}")


def _update(db: Session, author: Author, items: Sequence[tuple[int, date, Mapping[str, Any]]],
            named: Callable[[int, str], str]) -> list[MeasureValueRow]:
    """``update_value``'s checks on each of ``items``, then one write for all of them;
    ``named(index, field)`` is the field a refusal names."""
    if not items:
        return []
    measures = owned_measures(db, author, {measure_id for measure_id, _, _ in items})
    stored = {(row.measure_id, row.period_start): row for row in db.scalars(
        select(MeasureValueRow).where(
            MeasureValueRow.workspace_id == author.workspace_id,
            MeasureValueRow.measure_id.in_(measures),
            MeasureValueRow.period_start.in_({period for _, period, _ in items})))}
    checked = []
    for index, (measure_id, period, values) in enumerate(items):
        row = stored.get((measure_id, period))
        if row is None:
            raise NotFound("measure value", period.isoformat())
        try:
            checked.append((row, _checked(row, values),
                            {"measure": measures[measure_id].key, "period": period}))
        except InvalidInput as refused:
            raise InvalidInput(named(index, refused.field), refused.message) from None
    apply_audited_changes_to_rows(db, author, checked, "measure_value")
    return [row for row, _, _ in checked]


def record_value(db: Session, author: Author, measure_id: int, period: date, *,
                 actual: float, target: float | None = None) -> MeasureValueRow:
    """A value typed by hand: new for the period, or a correction of its value, which
    then counts as entered by hand (no sample behind it); a target left out stays."""
    values: dict[str, Any] = {"actual": actual, "source": "manual", "n": None,
                              "ci_low": None, "ci_high": None, "computed_at": None}
    if target is not None:
        values["target"] = target
    owned_measure(db, author, measure_id)
    if value_at(db, author.workspace_id, measure_id, period) is None:
        return create_value(db, author, measure_id, period, values)
    return update_value(db, author, measure_id, period, values)


def delete_value(db: Session, author: Author, measure_id: int, period: date) -> None:
    measure, row = _existing(db, author, measure_id, period)
    record(db, author, "delete", "measure_value", row.id,
           {"measure": measure.key, "period": period, "actual": row.actual})
    db.delete(row)
    db.flush()
