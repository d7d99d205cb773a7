"""RFM: recency, frequency and monetary scores 1–5 by quintile, named segments, transitions.

Ties: a customer's score is 1 + ⌊5 · (number of customers strictly worse) / n⌋, so equal
values always get equal scores (a quintile cut never splits a tie) and the result does not
depend on row order. ``pandas.qcut`` is not used because it either fails on repeated edges
or, on ranks taken "first", gives tied customers different scores by their row order.

Segments use the recency score and the FM score — the mean of F and M rounded half up —
through an ordered list of rules (first match wins), so a workspace can rename or redraw
them; the default list covers all 25 (R, FM) cells.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

IntArray = NDArray[np.int64]

UNASSIGNED = "Other"
ABSENT = "(none)"


def quintile_scores(values: ArrayLike, *, higher_is_better: bool = True) -> IntArray:
    """Scores 1–5: 5 for the best fifth. Ties share a score; NaN is an error."""
    array = np.asarray(values, dtype=np.float64).reshape(-1)
    if array.size == 0:
        return np.zeros(0, dtype=np.int64)
    if np.isnan(array).any():
        raise ValueError(
            f"RFM: value in row {int(np.flatnonzero(np.isnan(array))[0]) + 1} is missing"
        )
    keyed = array if higher_is_better else -array
    worse = np.searchsorted(np.sort(keyed), keyed, side="left")
    return np.asarray(1 + (5 * worse) // array.size, dtype=np.int64)


@dataclass(frozen=True)
class SegmentRule:
    """A named block of the R × FM grid (inclusive score ranges)."""

    name: str
    recency: tuple[int, int]
    frequency_monetary: tuple[int, int]


DEFAULT_SEGMENTS: tuple[SegmentRule, ...] = (
    SegmentRule("Champions", (4, 5), (4, 5)),
    SegmentRule("Loyal", (3, 3), (4, 5)),
    SegmentRule("Potential loyalists", (3, 5), (2, 3)),
    SegmentRule("New", (5, 5), (1, 1)),
    SegmentRule("Promising", (3, 4), (1, 1)),
    SegmentRule("At risk", (1, 2), (3, 4)),
    SegmentRule("Can't lose them", (1, 2), (5, 5)),
    SegmentRule("Hibernating", (2, 2), (1, 2)),
    SegmentRule("Lost", (1, 1), (1, 2)),
)


@dataclass(frozen=True)
class RfmScores:
    recency: IntArray
    frequency: IntArray
    monetary: IntArray
    segment: NDArray[np.object_]

    @property
    def frequency_monetary(self) -> IntArray:
        return fm_score(self.frequency, self.monetary)


def fm_score(frequency: IntArray, monetary: IntArray) -> IntArray:
    """Mean of F and M, rounded half up (F 4, M 5 → 5)."""
    return np.asarray((frequency + monetary + 1) // 2, dtype=np.int64)


def rfm_scores(
    recency_days: ArrayLike,
    frequency: ArrayLike,
    monetary: ArrayLike,
    *,
    segments: tuple[SegmentRule, ...] = DEFAULT_SEGMENTS,
) -> RfmScores:
    """Score every customer (recent is better, more is better) and name the segment."""
    r = quintile_scores(recency_days, higher_is_better=False)
    f = quintile_scores(frequency)
    m = quintile_scores(monetary)
    if not (len(r) == len(f) == len(m)):
        raise ValueError("RFM: recency, frequency and monetary must have the same length")
    return RfmScores(r, f, m, segment_names(r, fm_score(f, m), segments))


def segment_names(
    recency: IntArray, frequency_monetary: IntArray, segments: tuple[SegmentRule, ...]
) -> NDArray[np.object_]:
    """Name each (R, FM) pair by the first rule that covers it; uncovered pairs get 'Other'.

    The 25 cells are looked up in a 6 × 6 table, so a million customers cost one indexing.
    """
    table = np.full((6, 6), UNASSIGNED, dtype=object)
    for r_score in range(1, 6):
        for fm in range(1, 6):
            for rule in segments:
                if (
                    rule.recency[0] <= r_score <= rule.recency[1]
                    and rule.frequency_monetary[0] <= fm <= rule.frequency_monetary[1]
                ):
                    table[r_score, fm] = rule.name
                    break
    return np.asarray(table[recency, frequency_monetary], dtype=object)


def segment_transitions(
    before: dict[object, str], after: dict[object, str]
) -> dict[tuple[str, str], int]:
    """How many customers moved from each segment to each other between two periods.

    Customers present in only one period come from or go to ``(none)``.
    """
    moves: Counter[tuple[str, str]] = Counter()
    for customer in before.keys() | after.keys():
        moves[(before.get(customer, ABSENT), after.get(customer, ABSENT))] += 1
    return dict(sorted(moves.items()))


def segment_rules_from_yaml(text: str) -> tuple[SegmentRule, ...]:
    """Segment rules a user writes, in the order they apply (the first that covers a cell
    names it)::

        segments:
          - name: Champions
            recency: [4, 5]
            frequency_monetary: [4, 5]

    A problem is an :class:`InvalidInput` naming the field and its line."""
    from kano.metrics.yaml_lines import load_lined

    document = load_lined(text)
    data = document.data
    if not isinstance(data, dict) or not isinstance(data.get("segments"), list):
        raise document.error(("segments",), "give a list `segments:` of name, recency, "
                             "frequency_monetary")  # fmt: skip
    rules = []
    for index, item in enumerate(data["segments"]):
        path: tuple[str | int, ...] = ("segments", index)
        if not isinstance(item, dict):
            raise document.error(path, "give name, recency and frequency_monetary")
        unknown = sorted(set(item) - {"name", "recency", "frequency_monetary"})
        if unknown:
            raise document.error((*path, unknown[0]), "unknown field")
        name = item.get("name")
        if not isinstance(name, str) or not name.strip() or len(name) > 64:
            raise document.error((*path, "name"), "give a name of 1 to 64 characters")
        ranges = []
        for field_name in ("recency", "frequency_monetary"):
            value = item.get(field_name)
            if (not isinstance(value, list) or len(value) != 2
                    or not all(isinstance(v, int) and 1 <= v <= 5 for v in value)
                    or value[0] > value[1]):  # fmt: skip
                raise document.error((*path, field_name), "give [low, high], 1 ≤ low ≤ high ≤ 5")
            ranges.append((int(value[0]), int(value[1])))
        rules.append(SegmentRule(name.strip(), ranges[0], ranges[1]))
    if not rules:
        raise document.error(("segments",), "give at least one segment")
    return tuple(rules)
