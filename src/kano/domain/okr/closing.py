"""Closing an OKR cycle (SPEC §2.8): grade every objective, carry unfinished key results over.

At the close each objective gets its grade (``grade_objective``: 0.0–1.0, success at 1.0
for committed and 0.7 for aspirational objectives). When the close names an open target
cycle, every key result that is not finished (progress < 1) continues there, under a copy
of its objective; an objective whose key results are all finished is not copied.

The copies get stable keys, ``<key>-<target cycle key>`` (a key that already ends with the
closed cycle's key swaps that ending, so ``delight-2026-q3`` becomes ``delight-2026-q4``
instead of growing a suffix per cycle). A metric key result continues from where it stands:
its copy starts at the original's current value, so its progress starts again at 0 on the
way to the same target; band, milestone and yes/no key results keep their numbers.

Everything here is pure: the adapter hands in the cycle's objectives and writes what
``close_cycle`` returns.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum

from kano.domain.okr.model import Commitment, Grade, KeyResult, KeyResultKind, grade_objective
from kano.domain.shared.errors import InvalidInput, KanoError

KEY_MAX = 64  # the longest key strategy files and the API accept


class CycleStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class ClosingConflict(KanoError):
    """The close cannot happen as asked, whatever the request says (an HTTP 409)."""


class CycleNotOpen(ClosingConflict):
    def __init__(self, cycle_key: str) -> None:
        super().__init__(
            f"Cycle '{cycle_key}' is already closed; a cycle is graded and carried over once."
        )
        self.cycle_key = cycle_key


@dataclass(frozen=True)
class CycleRef:
    key: str
    status: CycleStatus


@dataclass(frozen=True)
class KeyResultAtClose:
    key: str
    result: KeyResult


@dataclass(frozen=True)
class ObjectiveAtClose:
    key: str
    commitment: Commitment
    key_results: tuple[KeyResultAtClose, ...]
    parent: str | None = None  # the key of the objective it aligns to


@dataclass(frozen=True)
class ObjectiveGrade:
    objective: str
    grade: Grade


@dataclass(frozen=True)
class CarriedKeyResult:
    original: str
    copy: str
    result: KeyResult  # the copy's numbers


@dataclass(frozen=True)
class CarriedObjective:
    original: str
    copy: str
    parent: str | None  # the key of the parent's copy, when the parent is carried over too
    key_results: tuple[CarriedKeyResult, ...]


@dataclass(frozen=True)
class CycleClosing:
    """What closing a cycle does: a grade per objective, and the copies for the target."""

    grades: tuple[ObjectiveGrade, ...]
    carried: tuple[CarriedObjective, ...]

    def carried_key_results(self) -> tuple[CarriedKeyResult, ...]:
        return tuple(kr for objective in self.carried for kr in objective.key_results)


def check_can_close(cycle: CycleRef, target: CycleRef | None) -> None:
    """A cycle closes once; its unfinished key results go into another, open cycle."""
    if cycle.status is not CycleStatus.OPEN:
        raise CycleNotOpen(cycle.key)
    if target is None:
        return
    if target.key == cycle.key:
        raise InvalidInput("carry_over_to", "is the cycle being closed; choose another cycle")
    if target.status is not CycleStatus.OPEN:
        raise InvalidInput(
            "carry_over_to", f"cycle '{target.key}' is closed; carry over into an open cycle"
        )
    if len(target.key) >= KEY_MAX - 1:
        raise InvalidInput(
            "carry_over_to",
            f"the key of cycle '{target.key}' is too long to name the copies "
            f"(at most {KEY_MAX - 2} characters)",
        )


def is_unfinished(key_result: KeyResult) -> bool:
    return key_result.progress() < 1.0


def carried_over(key_result: KeyResult) -> KeyResult:
    """The numbers of the copy: a metric key result starts at its current value."""
    if key_result.kind is KeyResultKind.METRIC and key_result.current is not None:
        return replace(key_result, start=key_result.current)
    return key_result


def carried_key(key: str, source_cycle: str, target_cycle: str) -> str:
    """``<key>-<target>``, swapping a ``-<source>`` ending, cut to fit ``KEY_MAX``."""
    base = key
    ending = f"-{source_cycle}"
    if base.endswith(ending) and len(base) > len(ending):
        base = base[: -len(ending)]
    suffix = f"-{target_cycle}"
    return base[: max(KEY_MAX - len(suffix), 1)] + suffix


def _unique(keys: Iterable[str]) -> list[str]:
    """The keys in order, a repeated one numbered (``-2``, ``-3`` …) within ``KEY_MAX``."""
    seen: set[str] = set()
    result = []
    for key in keys:
        candidate, number = key, 2
        while candidate in seen:
            tail = f"-{number}"
            candidate = key[: KEY_MAX - len(tail)] + tail
            number += 1
        seen.add(candidate)
        result.append(candidate)
    return result


def close_cycle(
    objectives: Sequence[ObjectiveAtClose], source_cycle: str, target_cycle: str | None = None
) -> CycleClosing:
    """Grades for every objective and, with a target cycle, the copies to create there."""
    grades = tuple(
        ObjectiveGrade(o.key, grade_objective([kr.result for kr in o.key_results], o.commitment))
        for o in objectives
    )
    if target_cycle is None:
        return CycleClosing(grades, ())
    unfinished = [
        (o, [kr for kr in o.key_results if is_unfinished(kr.result)]) for o in objectives
    ]
    unfinished = [(o, krs) for o, krs in unfinished if krs]
    objective_keys = _unique(carried_key(o.key, source_cycle, target_cycle) for o, _ in unfinished)
    kr_keys = iter(_unique(
        carried_key(kr.key, source_cycle, target_cycle) for _, krs in unfinished for kr in krs
    ))
    copy_of = {o.key: copy for (o, _), copy in zip(unfinished, objective_keys, strict=True)}
    carried = tuple(
        CarriedObjective(
            original=o.key,
            copy=copy_of[o.key],
            parent=copy_of.get(o.parent) if o.parent is not None else None,
            key_results=tuple(
                CarriedKeyResult(kr.key, next(kr_keys), carried_over(kr.result)) for kr in krs
            ),
        )
        for o, krs in unfinished
    )
    return CycleClosing(grades, carried)
