"""The one write path of a measure's values, period by period, shared by
``/measures/{key}/values`` and the scorecard page's value form (the pattern of
``strategy_store``): a measure's values belong to its objective's owner; one value per
period (``AlreadyExists`` on ``period``); numbers bounded, the interval in order.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kano.adapters.db.measure_store import NUMBER_LIMIT, owned_measure
from kano.adapters.db.orm import MeasureValueRow
from kano.adapters.db.strategy_store import (
    AlreadyExists,
    Author,
    apply_audited_changes,
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
    if value_at(db, author.workspace_id, measure.id, period) is not None:
        raise AlreadyExists("period", f"Measure '{measure.key}' has a value for {period} "
                                      "already.")
    row = MeasureValueRow(workspace_id=author.workspace_id, measure_id=measure.id,
                          period_start=period, **checked)
    db.add(row)
    db.flush()
    record(db, author, "create", "measure_value", row.id, {
        "measure": measure.key, "period": period,
        **{name: getattr(row, name) for name in VALUE_COLUMNS}})
    return row


def _existing(db: Session, author: Author, measure_id: int, period: date) -> tuple[Any, Any]:
    measure = owned_measure(db, author, measure_id)
    row = value_at(db, author.workspace_id, measure.id, period)
    if row is None:
        raise NotFound("measure value", period.isoformat())
    return measure, row


def update_value(db: Session, author: Author, measure_id: int, period: date,
                 values: Mapping[str, Any]) -> MeasureValueRow:
    """Change the period's value: only the columns in ``values``."""
    measure, row = _existing(db, author, measure_id, period)
    apply_audited_changes(db, author, row, _checked(row, values), "measure_value",
                          label={"measure": measure.key, "period": period})
    return row


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
