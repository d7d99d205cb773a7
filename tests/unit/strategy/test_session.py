"""The guided strategy session's rules: which perspective is which, the order of the steps,
the arrows offered, and the thresholds derived from a baseline and a target."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kano.domain.shared.errors import InvalidInput
from kano.domain.shared.scores import Status
from kano.domain.strategy.scoring import Direction, Thresholds, score_measure
from kano.domain.strategy.session import (
    PerspectiveKind,
    arrow_pairs,
    kind_of_perspective,
    session_steps,
    session_thresholds,
)

K = PerspectiveKind


@dataclass(frozen=True)
class P:
    key: str
    name: str


@pytest.mark.parametrize(("key", "name", "kind"), [
    ("financial", "Financial", K.FINANCIAL),
    ("process", "Internal processes", K.INTERNAL),
    ("customer", "Our customers", K.CUSTOMER),
    ("learning", "Learning & growth", K.LEARNING),
    ("p1", "Pénzügyi nézőpont", K.FINANCIAL),
    ("p2", "Обучение и развитие", K.LEARNING),
    ("p3", "Клиенты", K.CUSTOMER),
    ("p4", "Belső folyamatok", K.INTERNAL),
    ("mission", "Mission impact", None),
])
def test_a_perspective_is_recognised_by_its_key_or_name(
    key: str, name: str, kind: PerspectiveKind | None
) -> None:
    assert kind_of_perspective(key, name) is kind


def test_steps_follow_the_session_order_whatever_the_band_order() -> None:
    bands = [P("customer", "Customer"), P("mission", "Mission"), P("financial", "Financial"),
             P("process", "Internal processes"), P("learning", "Learning & growth")]

    steps = session_steps(bands)

    assert [(p.key, kind) for p, kind in steps] == [
        ("financial", K.FINANCIAL), ("process", K.INTERNAL), ("customer", K.CUSTOMER),
        ("learning", K.LEARNING), ("mission", None)]


def test_arrows_are_offered_between_neighbours_of_the_chain() -> None:
    bands = [P("customer", "Customer"), P("financial", "Financial"),
             P("process", "Internal processes"), P("learning", "Learning & growth")]

    pairs = [(cause.key, effect.key) for cause, effect in arrow_pairs(bands)]

    assert pairs == [("learning", "process"), ("process", "customer"), ("customer", "financial")]


def test_a_missing_perspective_joins_its_neighbours() -> None:
    pairs = arrow_pairs([P("financial", "Financial"), P("learning", "People")])
    assert [(c.key, e.key) for c, e in pairs] == [("learning", "financial")]


def test_thresholds_run_from_the_baseline_to_halfway() -> None:
    higher = session_thresholds(Direction.HIGHER_IS_BETTER, 31, 40)
    lower = session_thresholds(Direction.LOWER_IS_BETTER, 2.4, 1.6)

    assert (higher.amber_from, higher.green_from) == (31, 35.5)
    assert (lower.amber_from, lower.green_from) == pytest.approx((2.4, 2.0))


@pytest.mark.parametrize(("baseline", "target", "amber", "green", "field"), [
    (None, 40, None, None, "baseline"),
    (40, 40, None, None, "target"),
    (45, 40, None, None, "target"),
    (31, 40, 30, None, "green_from"),
    (31, 40, None, 36, "amber_from"),
    (31, 40, 36, 30, "green_from"),
])
def test_a_threshold_problem_names_the_field(
    baseline: float | None, target: float, amber: float | None, green: float | None, field: str
) -> None:
    with pytest.raises(InvalidInput) as raised:
        session_thresholds(Direction.HIGHER_IS_BETTER, baseline, target, amber, green)
    assert raised.value.field == field


finite = st.floats(-1e9, 1e9, allow_nan=False)


@given(baseline=finite, gap=st.floats(1e-3, 1e6), higher=st.booleans())
def test_derived_thresholds_score_the_baseline_amber_and_the_target_ten(
    baseline: float, gap: float, higher: bool
) -> None:
    direction = Direction.HIGHER_IS_BETTER if higher else Direction.LOWER_IS_BETTER
    target = baseline + gap if higher else baseline - gap
    derived = session_thresholds(direction, baseline, target)
    thresholds = Thresholds(direction, amber_from=derived.amber_from,
                            green_from=derived.green_from, target=target)

    assert score_measure(baseline, thresholds).status is Status.AMBER
    assert score_measure(target, thresholds).score == 10
