"""Personal objectives with weights that must add up to 100 % and an achievement %."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from kano.domain.shared.errors import InvalidInput


@dataclass(frozen=True)
class PersonalObjective:
    title: str
    weight_percent: float
    achievement_percent: float | None = None  # may exceed 100 for over-achievement


def validate_weights(objectives: Sequence[PersonalObjective]) -> None:
    if not objectives:
        raise InvalidInput("objectives", "an MBO sheet needs at least one objective")
    for index, objective in enumerate(objectives):
        if objective.weight_percent <= 0:
            raise InvalidInput(f"objectives[{index}].weight", "must be positive")
    total = math.fsum(o.weight_percent for o in objectives)
    if not math.isclose(total, 100.0, abs_tol=1e-9):
        raise InvalidInput(
            "weights",
            f"add up to {total:g} %, they must add up to 100 % "
            f"({'remove' if total > 100 else 'add'} {abs(total - 100):g} points)",
        )


def weighted_achievement(objectives: Sequence[PersonalObjective]) -> float:
    """The review score: Σ weight × achievement / 100, unassessed objectives counting 0."""
    validate_weights(objectives)
    return math.fsum(o.weight_percent * (o.achievement_percent or 0.0) for o in objectives) / 100
