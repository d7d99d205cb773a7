"""The one write path of scorecard measures, shared by ``/measures`` and the strategy
session's measure forms (the pattern of ``strategy_store``).

A measure belongs to its objective's owner. Its thresholds are checked by the domain
(``Thresholds``) on the measure as it will be after the change, and a metric binding by
the workspace's catalogue (``require_known_binding``), so neither path can store what a
scorecard could not score. A measure bound to a metric without a unit of its own takes
the metric's unit.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kano.adapters.db.metric_catalogue import binding_problems, built_in_ids, workspace_catalogue
from kano.adapters.db.new_ids import assign_ids
from kano.adapters.db.orm import MeasureRow, ObjectiveRow
from kano.adapters.db.strategy_store import (
    OBJECTIVES,
    AlreadyExists,
    Author,
    apply_audited_changes_to_rows,
    checked_key,
    new_key,
    position_or_last,
    record,
    referenced,
    require_owner,
    row_in,
    texts_checked,
)
from kano.domain.shared.errors import InvalidInput, NotFound
from kano.domain.strategy.scoring import Direction, Thresholds

if TYPE_CHECKING:  # kano.metrics brings in Ibis: imported where a binding is checked
    from kano.metrics import Catalogue

NAME_MAX = 200  # the strategy-as-code file's Name
UNIT_MAX = 32
NUMBER_LIMIT = 1e15  # no score or progress can overflow
WEIGHT_LIMIT = 1e9
KINDS = ("say", "do", "other")
FREQUENCIES = ("weekly", "monthly", "quarterly", "yearly")
THRESHOLD_COLUMNS = ("direction", "amber_from", "green_from", "target", "band_low",
                     "band_high", "tolerance")
NUMBER_COLUMNS = ("baseline", "amber_from", "green_from", "target", "band_low", "band_high",
                  "tolerance")
MEASURE_COLUMNS = ("objective_id", "name", "unit", "kind", "direction", "weight", "frequency",
                   "metric_id", "metric_slice", "position", *NUMBER_COLUMNS)


def _number(value: Any, field: str, limit: float = NUMBER_LIMIT, low: float | None = None) -> Any:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise InvalidInput(field, "must be a number")
    floor = -limit if low is None else low
    if not floor <= value <= limit:
        raise InvalidInput(field, f"must be from {floor:g} to {limit:g}")
    return float(value)


class BindingCatalogue:
    """The catalogue measures' metric bindings are checked against, each part loaded at
    most once: the built-in metrics for a built-in id (no custom metric is parsed, nor
    fails on one stored long ago), the workspace's built-in and custom metrics for any
    other. One serves a whole batch, or a whole strategy import (which stores its custom
    metrics before its measures), instead of a load per bound measure: the workspace's
    custom metrics are read and parsed afresh on each load."""

    def __init__(self, db: Session, workspace_id: int) -> None:
        self._db, self._workspace_id = db, workspace_id
        self._built_in: Catalogue | None = None
        self._workspace: Catalogue | None = None

    def for_metric(self, metric_id: str) -> Catalogue:
        if metric_id in built_in_ids():
            if self._built_in is None:
                from kano.metrics import Catalogue

                self._built_in = Catalogue()
            return self._built_in
        if self._workspace is None:
            self._workspace = workspace_catalogue(self._db, self._workspace_id)
        return self._workspace

    def require_known(self, metric_id: str, metric_slice: Mapping[str, Any] | None) -> None:
        """:class:`InvalidInput` naming ``metric.id`` (or ``metric.slice.KEY``) when the
        binding does not fit the catalogue (as ``require_known_binding``)."""
        problems = binding_problems(self.for_metric(metric_id), metric_id, metric_slice)
        if problems:
            field, message = problems[0]
            raise InvalidInput(f"metric.{field}", message)

    def unit(self, metric_id: str | None) -> str | None:
        """The unit the catalogue gives a metric (None: no metric, or it has none)."""
        if metric_id is None:
            return None
        catalogue = self.for_metric(metric_id)
        return (catalogue.get(metric_id).unit or None) if metric_id in catalogue else None


def metric_unit(db: Session, workspace_id: int, metric_id: str | None) -> str | None:
    """The unit the catalogue gives a metric (None: no metric, or it has none)."""
    return BindingCatalogue(db, workspace_id).unit(metric_id)


def _checked(db: Session, author: Author, row: MeasureRow | None,
             values: Mapping[str, Any],
             objectives: Mapping[int, ObjectiveRow] | None = None,
             catalogue: BindingCatalogue | None = None) -> dict[str, Any]:
    """The column values checked; thresholds as they will be once ``values`` are set. An
    ``objective_id`` is looked up in ``objectives`` when given (a batch's, read at once;
    one not there is not in the workspace), else in the database; a metric binding in
    ``catalogue`` (a batch's), else in one loaded for this measure."""
    checked = texts_checked(values, MEASURE_COLUMNS,
                            {"name": (NAME_MAX, True), "unit": (UNIT_MAX, False)})
    for name, value in checked.items():
        if name == "kind" and value not in KINDS:
            raise InvalidInput("kind", f"must be one of {', '.join(KINDS)}")
        elif name == "frequency" and value not in FREQUENCIES:
            raise InvalidInput("frequency", f"must be one of {', '.join(FREQUENCIES)}")
        elif name == "direction":
            try:
                value = Direction(value).value
            except ValueError:
                raise InvalidInput("direction", "must be one of "
                                   + ", ".join(d.value for d in Direction)) from None
        elif name == "weight":
            value = _number(value, "weight", WEIGHT_LIMIT, low=0)
            if value is None:
                raise InvalidInput("weight", "must be a number")
        elif name in NUMBER_COLUMNS:
            value = _number(value, name)
        elif name == "objective_id":
            objective = referenced(db, ObjectiveRow, author.workspace_id, value, "objective",
                                   "objective") if objectives is None else objectives.get(value)
            if objective is None:  # the words of ``referenced``
                raise InvalidInput("objective", "no such objective in this workspace")
            require_owner(author, [objective.owner_user_id], OBJECTIVES)
        elif name == "position" and value is not None:
            value = position_or_last(db, MeasureRow, author.workspace_id, value)
        checked[name] = value
    if checked.get("metric_id") is not None:
        catalogue = catalogue or BindingCatalogue(db, author.workspace_id)
        catalogue.require_known(checked["metric_id"], checked.get("metric_slice"))
        unit_after = checked["unit"] if "unit" in checked else getattr(row, "unit", None)
        if unit_after is None:
            checked["unit"] = catalogue.unit(checked["metric_id"])
    after: dict[str, Any] = {name: checked[name] if name in checked else getattr(row, name, None)
                             for name in THRESHOLD_COLUMNS}
    Thresholds(direction=Direction(after.pop("direction")), **after)
    return checked


def measure_snapshot(db: Session, row: MeasureRow,
                     objective: str | None = None) -> dict[str, Any]:
    """What the audit log keeps of a measure: its values, its objective by key (looked up
    unless given)."""
    if objective is None:
        objective = db.scalar(select(ObjectiveRow.key).where(
            ObjectiveRow.id == row.objective_id))
    metric = None if row.metric_id is None else {"id": row.metric_id, "slice": row.metric_slice}
    return {"key": row.key, "objective": objective, "name": row.name, "unit": row.unit,
            "kind": row.kind, "direction": row.direction,
            **{name: getattr(row, name) for name in NUMBER_COLUMNS},
            "weight": row.weight, "frequency": row.frequency, "metric": metric,
            "position": row.position}


def owned_objective(db: Session, author: Author, objective_id: int) -> ObjectiveRow:
    """An objective of the workspace the author may add measures to."""
    objective: ObjectiveRow = row_in(db, ObjectiveRow, author.workspace_id, objective_id,
                                     "objective")
    require_owner(author, [objective.owner_user_id], OBJECTIVES)
    return objective


def create_measure(
    db: Session, author: Author, *, objective_id: int, name: str, direction: str,
    key: str | None = None, unit: str | None = None, kind: str = "other",
    baseline: float | None = None, amber_from: float | None = None,
    green_from: float | None = None, target: float | None = None,
    band_low: float | None = None, band_high: float | None = None,
    tolerance: float | None = None, weight: float = 1.0, frequency: str = "monthly",
    metric_id: str | None = None, metric_slice: Mapping[str, Any] | None = None,
    position: int | None = None,
) -> MeasureRow:
    """A measure on an objective the author owns; without ``key`` one is derived from the
    name, without ``position`` it goes last in its objective's list."""
    objective = owned_objective(db, author, objective_id)
    values = _checked(db, author, None, {
        "name": name, "unit": unit, "kind": kind, "direction": direction,
        "baseline": baseline, "amber_from": amber_from, "green_from": green_from,
        "target": target, "band_low": band_low, "band_high": band_high,
        "tolerance": tolerance, "weight": weight, "frequency": frequency,
        "metric_id": metric_id, "metric_slice": None if metric_slice is None
        else dict(metric_slice),
    })
    row = MeasureRow(
        workspace_id=author.workspace_id, objective_id=objective.id,
        key=new_key(db, MeasureRow, author.workspace_id, key, values["name"], "measure"),
        position=position_or_last(db, MeasureRow, author.workspace_id, position,
                                  objective_id=objective.id),
        **values,
    )
    db.add(row)
    db.flush()
    record(db, author, "create", "measure", row.id, measure_snapshot(db, row))
    return row


def create_measures(
    db: Session, author: Author, items: Sequence[Mapping[str, Any]],
    catalogue: BindingCatalogue | None = None,
) -> list[MeasureRow]:
    """Several measures on objectives the author owns (a strategy file's lists), each
    checked and audited as ``create_measure`` does, stored in one flush. Each item holds a
    ``key`` and every column of ``MEASURE_COLUMNS``; a refused one names its place in
    ``items`` (``measures[1].target``). Bindings are checked in ``catalogue`` (the
    caller's, e.g. an import's), else in one loaded once for the batch."""
    ws = author.workspace_id
    catalogue = catalogue or BindingCatalogue(db, ws)
    objectives = {objective.id: objective for objective in db.scalars(select(ObjectiveRow).where(
        ObjectiveRow.workspace_id == ws,
        ObjectiveRow.id.in_({item["objective_id"] for item in items})))}
    rows = []
    for index, item in enumerate(items):
        fields = {name: value for name, value in item.items()
                  if name not in ("key", "objective_id")}
        objective = objectives.get(item["objective_id"])
        try:
            if objective is None:
                raise InvalidInput("objective", "no such objective in this workspace")
            require_owner(author, [objective.owner_user_id], OBJECTIVES)
            checked_key(item["key"])
            values = _checked(db, author, None, fields, catalogue=catalogue)
        except InvalidInput as refused:
            raise InvalidInput(f"measures[{index}].{refused.field}", refused.message) from None
        rows.append(MeasureRow(workspace_id=ws, key=item["key"], objective_id=objective.id,
                               **values))
    keys = [row.key for row in rows]
    taken = set(db.scalars(select(MeasureRow.key).where(MeasureRow.workspace_id == ws,
                                                         MeasureRow.key.in_(keys))))
    for index, key in enumerate(keys):
        if key in taken:
            raise AlreadyExists(f"measures[{index}].key",
                                f"A measure with key '{key}' already exists.")
        taken.add(key)
    assign_ids(db, rows)
    db.add_all(rows)
    db.flush()
    for row in rows:
        objective_key = objectives[row.objective_id].key
        record(db, author, "create", "measure", row.id,
               measure_snapshot(db, row, objective_key))
    return rows


def owned_measure(db: Session, author: Author, measure_id: int) -> MeasureRow:
    """A measure of the workspace whose objective the author may change."""
    row: MeasureRow = row_in(db, MeasureRow, author.workspace_id, measure_id, "measure")
    owner = db.scalar(select(ObjectiveRow.owner_user_id).where(
        ObjectiveRow.id == row.objective_id))
    require_owner(author, [owner], OBJECTIVES)
    return row


def owned_measures(db: Session, author: Author, ids: set[int]) -> dict[int, MeasureRow]:
    """``owned_measure`` for many measures in one query."""
    found: dict[int, MeasureRow] = {}
    for measure, owner in db.execute(
        select(MeasureRow, ObjectiveRow.owner_user_id)
        .join(ObjectiveRow, ObjectiveRow.id == MeasureRow.objective_id)
        .where(MeasureRow.workspace_id == author.workspace_id, MeasureRow.id.in_(ids))
    ):
        require_owner(author, [owner], OBJECTIVES)
        found[measure.id] = measure
    for missing in sorted(ids - found.keys()):
        raise NotFound("measure", missing)
    return found


def update_measure(
    db: Session, author: Author, measure_id: int, values: Mapping[str, Any]
) -> MeasureRow:
    """Change the columns in ``values`` (``MEASURE_COLUMNS``); moving it to another
    objective needs that one to be the author's too."""
    return _update(db, author, [(measure_id, values)], lambda index, field: field)[0]


def update_measures(
    db: Session, author: Author, items: Sequence[tuple[int, Mapping[str, Any]]],
    catalogue: BindingCatalogue | None = None,
) -> list[MeasureRow]:
    """Several ``update_measure`` calls (a strategy file's changed measures): the same
    checks and audit entries, in the order of ``items``; the measures and the objectives
    they move to looked up at once, bindings checked in ``catalogue`` (else in one loaded
    once for the batch), one flush. A refused one names its place in ``items``
    (``measures[1].target``)."""
    return _update(db, author, items, lambda index, field: f"measures[{index}].{field}",
                   catalogue)


def _update(db: Session, author: Author, items: Sequence[tuple[int, Mapping[str, Any]]],
            named: Callable[[int, str], str],
            catalogue: BindingCatalogue | None = None) -> list[MeasureRow]:
    """``update_measure``'s checks on each of ``items``, then one write for all of them;
    ``named(index, field)`` is the field a refusal names."""
    if not items:
        return []
    catalogue = catalogue or BindingCatalogue(db, author.workspace_id)
    rows = owned_measures(db, author, {measure_id for measure_id, _ in items})
    targets = {values["objective_id"] for _, values in items if "objective_id" in values}
    objectives = {objective.id: objective for objective in db.scalars(select(ObjectiveRow).where(
        ObjectiveRow.workspace_id == author.workspace_id, ObjectiveRow.id.in_(targets)))}
    checked = []
    for index, (measure_id, values) in enumerate(items):
        row = rows[measure_id]
        try:
            checked.append((row, _checked(db, author, row, values, objectives, catalogue),
                            None))
        except InvalidInput as refused:
            raise InvalidInput(named(index, refused.field), refused.message) from None
    apply_audited_changes_to_rows(db, author, checked, "measure")
    return [row for row, _, _ in checked]


def delete_measure(db: Session, author: Author, measure_id: int) -> int:
    """Delete a measure and its values; returns its objective's id."""
    row = owned_measure(db, author, measure_id)
    objective_id = row.objective_id
    record(db, author, "delete", "measure", row.id, {"key": row.key, "name": row.name})
    db.delete(row)
    db.flush()
    return objective_id
