"""The guided strategy session (SPEC §2.7): which perspective is which, the order the
session walks them, the metrics it suggests for each, the arrows it offers, and the
thresholds it derives from a baseline and a target.

A session works on the scorecard itself (nothing is a draft), so it must recognise the
classic perspectives whatever a workspace calls them or wherever it put them: a
non-profit may put the customer on top, a Hungarian team may call the band "Pénzügyi".
A perspective is recognised by its key or its name; what is not recognised keeps its
own place after the classic four.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from itertools import pairwise
from typing import Protocol, TypeVar

from kano.domain.shared.errors import InvalidInput
from kano.domain.strategy.scoring import Direction, Thresholds


class PerspectiveKind(StrEnum):
    FINANCIAL = "financial"
    INTERNAL = "internal"
    CUSTOMER = "customer"
    LEARNING = "learning"


#: The order of the session (SPEC §2.7): money first, then how we operate to earn it,
#: then the customers who pay, then the people and skills behind it all.
SESSION_ORDER: tuple[PerspectiveKind, ...] = (
    PerspectiveKind.FINANCIAL,
    PerspectiveKind.INTERNAL,
    PerspectiveKind.CUSTOMER,
    PerspectiveKind.LEARNING,
)

#: The chain of cause and effect, from root causes up to results: the service-profit
#: chain EX → OX → CX/TX → financial. Arrows the session offers join neighbours in it.
CHAIN: tuple[PerspectiveKind, ...] = (
    PerspectiveKind.LEARNING,
    PerspectiveKind.INTERNAL,
    PerspectiveKind.CUSTOMER,
    PerspectiveKind.FINANCIAL,
)

#: The metric layers (``kano.metrics.Layer`` values) suggested for each kind, first first.
SUGGESTED_LAYERS: dict[PerspectiveKind, tuple[str, ...]] = {
    PerspectiveKind.FINANCIAL: ("financial", "TX"),
    PerspectiveKind.INTERNAL: ("OX",),
    PerspectiveKind.CUSTOMER: ("CX", "TX"),
    PerspectiveKind.LEARNING: ("EX",),
}

#: Whether a customer measure on a metric of this layer records what customers say or do.
KIND_OF_LAYER: dict[str, str] = {"CX": "say", "TX": "do"}

# Keys and names people give the classic perspectives (English, Russian, Hungarian),
# matched as whole words in lower case.
_WORDS: dict[PerspectiveKind, tuple[str, ...]] = {
    PerspectiveKind.FINANCIAL: ("financ", "money", "финанс", "pénzügy"),
    PerspectiveKind.INTERNAL: ("internal", "process", "operation", "операц",
                               "процесс", "внутрен", "folyamat", "belső", "működés"),
    PerspectiveKind.CUSTOMER: ("customer", "client", "клиент",
                               "потребител", "покупател", "ügyfél", "vevő", "vásárló"),
    PerspectiveKind.LEARNING: ("learning", "growth", "people", "employee", "обучен",
                               "развит", "персонал", "сотрудник", "tanulás", "fejlődés",
                               "munkatárs"),
}
_WORD = re.compile(r"\w+")


class PerspectiveLike(Protocol):
    @property
    def key(self) -> str: ...

    @property
    def name(self) -> str: ...


def kind_of_perspective(key: str, name: str) -> PerspectiveKind | None:
    """The classic perspective a key or name stands for (the key decides first)."""
    for text in (key, name):
        words = _WORD.findall(text.lower().replace("&", " "))
        for kind in (PerspectiveKind.LEARNING, PerspectiveKind.CUSTOMER,
                     PerspectiveKind.INTERNAL, PerspectiveKind.FINANCIAL):
            if any(word.startswith(stem) for word in words for stem in _WORDS[kind]):
                return kind
    return None


P = TypeVar("P", bound=PerspectiveLike)


def session_steps(perspectives: Sequence[P]) -> list[tuple[P, PerspectiveKind | None]]:
    """The perspectives in the session's order, each with its kind: the classic four in
    ``SESSION_ORDER`` (the first of each kind), then the rest in the order given."""
    kinds = [kind_of_perspective(p.key, p.name) for p in perspectives]
    steps: list[tuple[P, PerspectiveKind | None]] = []
    taken: set[int] = set()
    for kind in SESSION_ORDER:
        at = next((i for i, k in enumerate(kinds) if k is kind), None)
        if at is not None:
            steps.append((perspectives[at], kind))
            taken.add(at)
    steps += [(p, kinds[i] if kinds[i] not in {k for _, k in steps} else None)
              for i, p in enumerate(perspectives) if i not in taken]
    return steps


def arrow_pairs(perspectives: Sequence[P]) -> list[tuple[P, P]]:
    """(cause perspective, effect perspective) for each neighbouring pair of the chain
    learning → internal → customer → financial that the scorecard has."""
    by_kind = {kind: p for p, kind in session_steps(perspectives) if kind is not None}
    present = [by_kind[kind] for kind in CHAIN if kind in by_kind]
    return list(pairwise(present))


@dataclass(frozen=True)
class SessionThresholds:
    """Where a measure proposed in a session turns amber and green."""

    amber_from: float
    green_from: float


def session_thresholds(
    direction: Direction, baseline: float | None, target: float,
    amber_from: float | None = None, green_from: float | None = None,
) -> SessionThresholds:
    """The thresholds a session measure gets: the ones given, else derived from where it
    starts and where it should get to — amber from the baseline, green from halfway to
    the target, so the score climbs evenly from 3.3 at the baseline to 10 at the target
    (below the baseline it is red). :class:`InvalidInput` names the field to fix.
    """
    if direction is Direction.WITHIN_BAND:
        raise InvalidInput("direction", "a session proposes higher- or lower-is-better measures")
    if amber_from is None and green_from is None:
        if baseline is None:
            raise InvalidInput("baseline", "give a baseline, or the amber and green thresholds")
        sign = 1 if direction is Direction.HIGHER_IS_BETTER else -1
        if not sign * baseline < sign * target:
            raise InvalidInput("target", "the target must be better than the baseline")
        amber_from, green_from = baseline, baseline + (target - baseline) / 2
    elif amber_from is None:
        raise InvalidInput("amber_from", "give both thresholds, or neither")
    elif green_from is None:
        raise InvalidInput("green_from", "give both thresholds, or neither")
    try:
        Thresholds(direction, amber_from=amber_from, green_from=green_from, target=target)
    except InvalidInput as error:
        raise InvalidInput("green_from", error.message) from None
    return SessionThresholds(amber_from, green_from)
