"""The measures a page proposes, changes and removes (the strategy session's measure forms).

The writes go through ``kano.adapters.db.measure_store``, the API's path too: who may (a
measure belongs to its objective's owner), the domain's ``Thresholds``, the catalogue's
``require_known_binding``, the audit entry. What is the session's own is here: the form
as typed, numbers as people type them, and thresholds derived from the baseline and the
target by ``session_thresholds`` unless given. Problems are ``EditRejected`` naming the
form field.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from kano.adapters.db import measure_store
from kano.adapters.db.orm import MeasureRow
from kano.adapters.web.routes.navigation import N_
from kano.adapters.web.strategy_edits import (
    Editor,
    EditRejected,
    clean_text,
    parse_number,
    store_problems,
)
from kano.domain.shared.errors import InvalidInput
from kano.domain.strategy.scoring import Direction
from kano.domain.strategy.session import session_thresholds

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


def _optional_number(text: str, field: str, language: str) -> float | None:
    return parse_number(text, field, language) if text.strip() else None


def _values(form: MeasureForm, language: str) -> dict[str, Any]:
    """The measure's column values from the form, with the session's thresholds; the
    store checks them as it checks the API's."""
    clean_text(form.name, "name", required=True, limit=measure_store.NAME_MAX)  # first
    if form.direction not in (Direction.HIGHER_IS_BETTER, Direction.LOWER_IS_BETTER):
        raise EditRejected("direction", N_("Choose whether higher or lower is better."))
    baseline = _optional_number(form.baseline, "baseline", language)
    if not form.target.strip():
        raise EditRejected("target", N_("Please fill this in."))
    target = parse_number(form.target, "target", language)
    amber = _optional_number(form.amber_from, "amber_from", language)
    green = _optional_number(form.green_from, "green_from", language)
    if (amber is None) != (green is None):
        raise EditRejected("amber_from" if amber is None else "green_from",
                           N_("Give both thresholds, or neither."))
    try:
        thresholds = session_thresholds(Direction(form.direction), baseline, target, amber, green)
    except InvalidInput as problem:
        raise EditRejected(problem.field, THRESHOLD_PROBLEMS[problem.field]) from None
    return {
        "name": form.name, "kind": form.kind, "direction": form.direction,
        "baseline": baseline, "target": target, "amber_from": thresholds.amber_from,
        "green_from": thresholds.green_from, "metric_id": form.metric.strip() or None,
        "metric_slice": None,
    }


def create_measure(db: Session, editor: Editor, objective_id: int, form: MeasureForm) -> MeasureRow:
    """A measure on an objective the editor owns, last in its list."""
    with store_problems():
        measure_store.owned_objective(db, editor, objective_id)  # who may, before the input
    values = _values(form, editor.language)
    with store_problems():
        return measure_store.create_measure(db, editor, objective_id=objective_id, **values)


def update_measure(db: Session, editor: Editor, measure_id: int, form: MeasureForm) -> MeasureRow:
    """Change a measure's name, metric, kind, direction, baseline, target and thresholds."""
    with store_problems():
        measure_store.owned_measure(db, editor, measure_id)  # who may, before the input
    values = _values(form, editor.language)
    with store_problems():
        return measure_store.update_measure(db, editor, measure_id, values)


def delete_measure(db: Session, editor: Editor, measure_id: int) -> int:
    """Delete a measure and its values; returns its objective's id."""
    with store_problems():
        return measure_store.delete_measure(db, editor, measure_id)
