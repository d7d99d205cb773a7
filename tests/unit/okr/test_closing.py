"""Closing a cycle: grades for committed and aspirational objectives, which key results carry
over, the keys and numbers of the copies, and who may close into what (table tests and
hypothesis properties)."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kano.domain.okr.closing import (
    KEY_MAX,
    CycleNotOpen,
    CycleRef,
    CycleStatus,
    KeyResultAtClose,
    ObjectiveAtClose,
    carried_key,
    carried_over,
    check_can_close,
    close_cycle,
)
from kano.domain.okr.model import Commitment, KeyResult, KeyResultKind, is_success
from kano.domain.shared.errors import InvalidInput

M = KeyResultKind.METRIC
KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$")  # the API's and the files' key rule
OPEN, CLOSED = CycleStatus.OPEN, CycleStatus.CLOSED


def metric(current: float | None, start: float = 0, target: float = 10,
           weight: float = 1) -> KeyResult:
    return KeyResult(M, start=start, target=target, current=current, weight=weight)


def objective(key: str, commitment: Commitment, *krs: tuple[str, KeyResult],
              parent: str | None = None) -> ObjectiveAtClose:
    return ObjectiveAtClose(key, commitment,
                            tuple(KeyResultAtClose(k, kr) for k, kr in krs), parent)


@pytest.mark.parametrize(("commitment", "currents", "grade", "success"), [
    (Commitment.COMMITTED, (10, 10), 1.0, True),
    (Commitment.COMMITTED, (10, 8), 0.9, False),  # committed: only 1.0 is success
    (Commitment.ASPIRATIONAL, (7, 7), 0.7, True),  # aspirational: 0.7 is success
    (Commitment.ASPIRATIONAL, (7, 6.4), 0.7, True),  # 0.67 is graded 0.7
    (Commitment.ASPIRATIONAL, (6, 6), 0.6, False),
    (Commitment.ASPIRATIONAL, (None, None), 0.0, False),  # never checked in
])
def test_grades_follow_the_commitment(
    commitment: Commitment, currents: tuple[float | None, float | None], grade: float,
    success: bool,
) -> None:
    closing = close_cycle([objective("o", commitment, ("a", metric(currents[0])),
                                     ("b", metric(currents[1])))], "q3")

    assert [(g.objective, g.grade.score, g.grade.success) for g in closing.grades] == [
        ("o", grade, success)]
    assert closing.carried == ()  # no target cycle: nothing carries over


def test_an_objective_without_key_results_is_graded_zero() -> None:
    closing = close_cycle([objective("empty", Commitment.COMMITTED)], "q3", "q4")

    assert closing.grades[0].grade.score == 0.0
    assert closing.carried == ()


def test_weights_count_in_the_grade() -> None:
    closing = close_cycle([objective("o", Commitment.ASPIRATIONAL,
                                     ("big", metric(10, weight=3)), ("small", metric(0)))], "q3")

    assert closing.grades[0].grade.score == 0.8  # (3 × 1 + 1 × 0) / 4 = 0.75 → 0.8


def test_only_unfinished_key_results_carry_over_under_a_copy_of_their_objective() -> None:
    done = KeyResult(KeyResultKind.YES_NO, done=True)
    band_out = KeyResult(KeyResultKind.BAND, band_low=1.5, band_high=2.0, current=2.4)
    closing = close_cycle([
        objective("company", Commitment.COMMITTED, ("nps", metric(7.2, start=3)),
                  ("launch", done)),
        objective("team", Commitment.ASPIRATIONAL, ("churn", band_out), parent="company"),
        objective("person", Commitment.COMMITTED, ("finished", metric(10)), parent="team"),
        objective("orphan", Commitment.COMMITTED, ("half", metric(5)), parent="elsewhere"),
    ], "2026-q3", "2026-q4")

    assert [(o.original, o.copy, o.parent) for o in closing.carried] == [
        ("company", "company-2026-q4", None),
        ("team", "team-2026-q4", "company-2026-q4"),
        ("orphan", "orphan-2026-q4", None),  # its parent is not carried over
    ]
    assert [(kr.original, kr.copy) for kr in closing.carried_key_results()] == [
        ("nps", "nps-2026-q4"), ("churn", "churn-2026-q4"), ("half", "half-2026-q4")]


@pytest.mark.parametrize(("original", "copy"), [
    (metric(7.2, start=3, target=10), metric(7.2, start=7.2, target=10)),  # from where it is
    (metric(None, start=3, target=10), metric(None, start=3, target=10)),  # never checked in
    (metric(9, start=8, target=5), metric(9, start=9, target=5)),  # target below the start
    (KeyResult(KeyResultKind.MILESTONE, milestones_done=6, milestones_total=10),
     KeyResult(KeyResultKind.MILESTONE, milestones_done=6, milestones_total=10)),
    (KeyResult(KeyResultKind.BAND, band_low=1, band_high=2, current=3),
     KeyResult(KeyResultKind.BAND, band_low=1, band_high=2, current=3)),
])
def test_the_copy_of_a_metric_key_result_starts_at_its_current_value(
    original: KeyResult, copy: KeyResult
) -> None:
    assert carried_over(original) == copy


@pytest.mark.parametrize(("key", "copy"), [
    ("delight-b2b", "delight-b2b-2026-q4"),
    ("delight-b2b-2026-q3", "delight-b2b-2026-q4"),  # the closed cycle's ending is swapped
    ("2026-q3", "2026-q3-2026-q4"),  # nothing would be left: kept whole
    ("x" * 64, "x" * 56 + "-2026-q4"),  # cut to the key length
])
def test_copies_get_stable_keys(key: str, copy: str) -> None:
    assert carried_key(key, "2026-q3", "2026-q4") == copy


def test_keys_that_would_collide_after_cutting_are_numbered() -> None:
    long_a, long_b = "a" * 60 + "-one", "a" * 60 + "-two"
    closing = close_cycle([
        objective(long_a, Commitment.COMMITTED, ("k1", metric(1))),
        objective(long_b, Commitment.COMMITTED, ("k2", metric(1))),
    ], "q3", "2026-q4")

    first, second = (o.copy for o in closing.carried)
    assert first == "a" * 56 + "-2026-q4"
    assert second == "a" * 56 + "-2026-q4"[:-2] + "-2"
    assert len(second) == KEY_MAX


@pytest.mark.parametrize(("cycle", "target", "problem"), [
    (CycleRef("q3", CLOSED), None, CycleNotOpen),
    (CycleRef("q3", CLOSED), CycleRef("q4", OPEN), CycleNotOpen),
    (CycleRef("q3", OPEN), CycleRef("q3", OPEN), InvalidInput),  # into itself
    (CycleRef("q3", OPEN), CycleRef("q4", CLOSED), InvalidInput),  # into a closed cycle
    (CycleRef("q3", OPEN), CycleRef("q" * 63, OPEN), InvalidInput),  # no room for a key
])
def test_what_cannot_be_closed(
    cycle: CycleRef, target: CycleRef | None, problem: type[Exception]
) -> None:
    with pytest.raises(problem) as raised:
        check_can_close(cycle, target)
    if isinstance(raised.value, InvalidInput):
        assert raised.value.field == "carry_over_to"


def test_an_open_cycle_closes_with_or_without_a_target() -> None:
    check_can_close(CycleRef("q3", OPEN), None)
    check_can_close(CycleRef("q3", OPEN), CycleRef("q4", OPEN))


def test_success_bars() -> None:
    assert is_success(0.7, Commitment.ASPIRATIONAL) and not is_success(0.6,
                                                                      Commitment.ASPIRATIONAL)
    assert is_success(1.0, Commitment.COMMITTED) and not is_success(0.9, Commitment.COMMITTED)


# -- properties ------------------------------------------------------------------------------

keys = st.from_regex(r"[a-z0-9][a-z0-9-]{0,63}", fullmatch=True)
numbers = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False)


@st.composite
def key_results(draw: st.DrawFn) -> KeyResult:
    kind = draw(st.sampled_from(list(KeyResultKind)))
    weight = draw(st.floats(min_value=0, max_value=10))
    if kind is KeyResultKind.METRIC:
        return KeyResult(kind, weight=weight, start=draw(numbers), target=draw(numbers),
                         current=draw(st.none() | numbers))
    if kind is KeyResultKind.BAND:
        low, high = sorted((draw(numbers), draw(numbers)))
        return KeyResult(kind, weight=weight, band_low=low, band_high=high,
                         current=draw(st.none() | numbers))
    if kind is KeyResultKind.MILESTONE:
        total = draw(st.integers(0, 20))
        return KeyResult(kind, weight=weight, milestones_total=total,
                         milestones_done=draw(st.integers(0, total)))
    return KeyResult(kind, weight=weight, done=draw(st.booleans()))


@st.composite
def cycles(draw: st.DrawFn) -> list[ObjectiveAtClose]:
    objective_keys = draw(st.lists(keys, min_size=0, max_size=8, unique=True))
    kr_keys = iter(draw(st.lists(keys, min_size=40, max_size=40, unique=True)))
    result = []
    for index, key in enumerate(objective_keys):
        parent = draw(st.none() | st.sampled_from(objective_keys[:index] or ["elsewhere"]))
        krs = [(next(kr_keys), draw(key_results())) for _ in range(draw(st.integers(0, 4)))]
        result.append(objective(key, draw(st.sampled_from(list(Commitment))), *krs,
                                parent=parent))
    return result


@given(cycles(), st.from_regex(r"[a-z0-9][a-z0-9-]{0,20}", fullmatch=True))
def test_closing_grades_every_objective_and_carries_exactly_the_unfinished(
    objectives: list[ObjectiveAtClose], target: str
) -> None:
    closing = close_cycle(objectives, "2026-q3", target)

    assert [g.objective for g in closing.grades] == [o.key for o in objectives]
    for graded, original in zip(closing.grades, objectives, strict=True):
        assert 0.0 <= graded.grade.score <= 1.0
        assert graded.grade.success == is_success(graded.grade.score, original.commitment)
    unfinished = [(o.key, kr.key) for o in objectives for kr in o.key_results
                  if kr.result.progress() < 1]
    carried = [(o.original, kr.original) for o in closing.carried for kr in o.key_results]
    assert carried == unfinished
    copies = [o.copy for o in closing.carried]
    kr_copies = [kr.copy for kr in closing.carried_key_results()]
    for copy_keys in (copies, kr_copies):
        assert len(set(copy_keys)) == len(copy_keys)
        assert all(KEY.match(key) for key in copy_keys)
    carried_objectives = {o.copy for o in closing.carried}
    assert all(o.parent is None or o.parent in carried_objectives for o in closing.carried)


@given(key_results())
def test_a_copy_never_counts_as_further_along_than_its_original(original: KeyResult) -> None:
    copy = carried_over(original)

    assert copy.progress() <= original.progress()
    assert (copy.kind, copy.target, copy.weight) == (original.kind, original.target,
                                                     original.weight)
