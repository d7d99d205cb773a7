"""The measures a page proposes, changes and removes (the strategy session's measure forms).

The pattern of ``strategy_edits``: who may first — a measure belongs to its objective's
owner, the API's rule (``measures.py``) — then the input, then the rows and an audit entry
in the caller's session (the route commits). The checks are the API's: the domain's
``Thresholds`` and the catalogue's ``require_known_binding``; a session gives a baseline
and a target, and the thresholds between them come from ``session_thresholds`` unless
given. Problems are ``EditRejected`` naming the form field.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kano.adapters.db.accounts import audit
from kano.adapters.db.metric_catalogue import require_known_binding, workspace_catalogue
from kano.adapters.db.orm import MeasureRow, ObjectiveRow
from kano.adapters.web.routes.navigation import N_
from kano.adapters.web.strategy_edits import (
    Editor,
    EditRejected,
    apply_audited_changes,
    clean_text,
    key_from_title,
    parse_number,
)
from kano.domain.shared.errors import InvalidInput
from kano.domain.strategy.scoring import Direction
from kano.domain.strategy.session import session_thresholds

NAME_MAX = 200
KINDS = ("say", "do", "other")
THRESHOLD_PROBLEMS = {
    "baseline": N_("Give a baseline, or the amber and green thresholds."),
    "target": N_("The target must be better than the baseline."),
    "green_from": N_("Amber, green and the target must rise in this order (fall, when lower "
                     "is better)."),
}


@dataclass(frozen=True)
class MeasureForm:
    """A measure form as typed (texts, so a rejected form can be shown again)."""

    name: str = ""
    metric: str = ""
    kind: str = "other"
    direction: str = "higher"
    baseline: str = ""
    target: str = ""
    amber_from: str = ""
    green_from: str = ""

    def as_dict(self) -> dict[str, str]:
        return dict(self.__dict__)


def _optional_number(text: str, field: str) -> float | None:
    return parse_number(text, field) if text.strip() else None


def _checked(db: Session, editor: Editor, form: MeasureForm) -> dict[str, Any]:
    """The measure's column values from the form, checked as the API checks them."""
    name = clean_text(form.name, "name", required=True, limit=NAME_MAX)
    if form.kind not in KINDS:
        raise EditRejected("kind", N_("Choose what the measure records."))
    if form.direction not in (Direction.HIGHER_IS_BETTER, Direction.LOWER_IS_BETTER):
        raise EditRejected("direction", N_("Choose whether higher or lower is better."))
    unit = None
    metric_id = form.metric.strip() or None
    if metric_id is not None:
        try:
            require_known_binding(db, editor.workspace_id, metric_id, None)
        except InvalidInput:
            raise EditRejected("metric", N_("Choose a metric of the catalogue.")) from None
        unit = workspace_catalogue(db, editor.workspace_id).get(metric_id).unit or None
    baseline = _optional_number(form.baseline, "baseline")
    if not form.target.strip():
        raise EditRejected("target", N_("Please fill this in."))
    target = parse_number(form.target, "target")
    amber = _optional_number(form.amber_from, "amber_from")
    green = _optional_number(form.green_from, "green_from")
    if (amber is None) != (green is None):
        raise EditRejected("amber_from" if amber is None else "green_from",
                           N_("Give both thresholds, or neither."))
    try:
        thresholds = session_thresholds(Direction(form.direction), baseline, target, amber, green)
    except InvalidInput as problem:
        raise EditRejected(problem.field, THRESHOLD_PROBLEMS[problem.field]) from None
    return {
        "name": name, "kind": form.kind, "direction": form.direction, "baseline": baseline,
        "target": target, "amber_from": thresholds.amber_from,
        "green_from": thresholds.green_from, "metric_id": metric_id, "metric_slice": None,
        "unit": unit,
    }


def _owned_objective(db: Session, editor: Editor, objective_id: int) -> ObjectiveRow:
    objective = db.scalar(select(ObjectiveRow).where(
        ObjectiveRow.id == objective_id, ObjectiveRow.workspace_id == editor.workspace_id
    ))
    if objective is None:
        raise LookupError(objective_id)
    editor.require_owner(objective.owner_user_id)
    return objective


def _unused_key(db: Session, workspace_id: int, base: str) -> str:
    taken = set(db.scalars(select(MeasureRow.key).where(
        MeasureRow.workspace_id == workspace_id, MeasureRow.key.like(f"{base}%")
    )))
    key, number = base, 2
    while key in taken:
        key, number = f"{base}-{number}", number + 1
    return key


def _audit_detail(row: MeasureRow) -> dict[str, Any]:
    return {"key": row.key, "name": row.name, "kind": row.kind, "direction": row.direction,
            "baseline": row.baseline, "target": row.target, "amber_from": row.amber_from,
            "green_from": row.green_from, "metric": row.metric_id}


def create_measure(db: Session, editor: Editor, objective_id: int, form: MeasureForm) -> MeasureRow:
    """A measure on an objective the editor owns, last in its list."""
    objective = _owned_objective(db, editor, objective_id)
    values = _checked(db, editor, form)
    last = db.scalar(select(func.max(MeasureRow.position)).where(
        MeasureRow.workspace_id == editor.workspace_id, MeasureRow.objective_id == objective.id
    ))
    row = MeasureRow(
        workspace_id=editor.workspace_id, objective_id=objective.id,
        key=_unused_key(db, editor.workspace_id, key_from_title(values["name"], "measure")),
        position=(last + 1) if last is not None else 0, weight=1.0, frequency="monthly",
        **values,
    )
    db.add(row)
    db.flush()
    audit(db, editor.workspace_id, editor.email, "create", "measure", row.id,
          {**_audit_detail(row), "objective": objective.key}, user_id=editor.user_id)
    return row


def _owned_measure(db: Session, editor: Editor, measure_id: int) -> MeasureRow:
    found = db.execute(
        select(MeasureRow, ObjectiveRow.owner_user_id)
        .join(ObjectiveRow, ObjectiveRow.id == MeasureRow.objective_id)
        .where(MeasureRow.id == measure_id, MeasureRow.workspace_id == editor.workspace_id)
    ).first()
    if found is None:
        raise LookupError(measure_id)
    measure, owner = found
    editor.require_owner(owner)
    return measure


def update_measure(db: Session, editor: Editor, measure_id: int, form: MeasureForm) -> MeasureRow:
    """Change a measure's name, metric, kind, direction, baseline, target and thresholds."""
    row = _owned_measure(db, editor, measure_id)
    values = _checked(db, editor, form)
    apply_audited_changes(db, editor, row, values, "measure")
    return row


def delete_measure(db: Session, editor: Editor, measure_id: int) -> int:
    """Delete a measure and its values; returns its objective's id."""
    row = _owned_measure(db, editor, measure_id)
    objective_id = row.objective_id
    audit(db, editor.workspace_id, editor.email, "delete", "measure", row.id,
          {"key": row.key, "name": row.name}, user_id=editor.user_id)
    db.delete(row)
    db.flush()
    return objective_id
