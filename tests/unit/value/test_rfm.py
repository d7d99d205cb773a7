"""RFM scores and segments on hand-checked cases."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kano.analytics.value.rfm import (
    DEFAULT_SEGMENTS,
    SegmentRule,
    quintile_scores,
    rfm_scores,
    segment_names,
    segment_rules_from_yaml,
    segment_transitions,
)
from kano.domain.shared.errors import InvalidInput


def test_ten_distinct_values_make_five_pairs() -> None:
    scores = quintile_scores([10, 9, 8, 7, 6, 5, 4, 3, 2, 1])
    assert scores.tolist() == [5, 5, 4, 4, 3, 3, 2, 2, 1, 1]


def test_recency_scores_the_most_recent_highest() -> None:
    assert quintile_scores([1, 400, 30, 90, 7], higher_is_better=False).tolist() == [5, 1, 3, 2, 4]


def test_ties_share_a_score_whatever_the_row_order() -> None:
    # Six customers bought once: none of them is "more frequent" than another.
    values = [1, 1, 1, 1, 1, 1, 2, 3, 4, 5]
    assert quintile_scores(values).tolist() == [1, 1, 1, 1, 1, 1, 4, 4, 5, 5]
    shuffled = [3, 1, 5, 1, 1, 2, 1, 4, 1, 1]
    assert quintile_scores(shuffled).tolist() == [4, 1, 5, 1, 1, 4, 1, 5, 1, 1]


def test_missing_value_names_the_row() -> None:
    with pytest.raises(ValueError, match="row 2"):
        quintile_scores([1.0, float("nan")])


@given(st.lists(st.integers(0, 20), min_size=1, max_size=200))
def test_scores_are_monotone_and_in_range(values: list[int]) -> None:
    scores = quintile_scores(values)
    assert scores.min() >= 1 and scores.max() <= 5
    order = np.argsort(values, kind="stable")
    assert np.all(np.diff(scores[order]) >= 0)
    for value in set(values):
        assert len(set(scores[np.asarray(values) == value].tolist())) == 1


def test_default_segments_cover_every_cell() -> None:
    r, fm = np.meshgrid(np.arange(1, 6), np.arange(1, 6))
    names = segment_names(r.ravel(), fm.ravel(), DEFAULT_SEGMENTS)
    assert "Other" not in set(names)


@pytest.mark.parametrize(
    ("r", "f", "m", "segment"),
    [
        (5, 5, 5, "Champions"),
        (4, 4, 5, "Champions"),  # FM = (4 + 5 + 1) // 2 = 5
        (3, 5, 4, "Loyal"),
        (5, 2, 3, "Potential loyalists"),
        (5, 1, 1, "New"),
        (4, 1, 1, "Promising"),
        (4, 1, 2, "Potential loyalists"),  # FM = (1 + 2 + 1) // 2 = 2
        (2, 4, 3, "At risk"),
        (1, 5, 5, "Can't lose them"),
        (2, 1, 2, "Hibernating"),
        (1, 1, 1, "Lost"),
    ],
)
def test_segment_mapping_by_hand(r: int, f: int, m: int, segment: str) -> None:
    fm = (f + m + 1) // 2
    assert segment_names(np.array([r]), np.array([fm]), DEFAULT_SEGMENTS)[0] == segment


def test_whole_pipeline_on_a_small_book() -> None:
    scores = rfm_scores(
        recency_days=[2, 3, 300, 200, 5, 400, 10, 150, 60, 90],
        frequency=[12, 1, 15, 1, 6, 1, 3, 2, 4, 1],
        monetary=[900, 40, 1200, 30, 300, 20, 120, 80, 200, 50],
    )
    assert scores.recency.tolist() == [5, 5, 1, 2, 4, 1, 4, 2, 3, 3]
    # 12 orders: 8 of 10 customers order less → 1 + 5·8 // 10 = 5.
    assert scores.frequency.tolist() == [5, 1, 5, 1, 4, 1, 3, 3, 4, 1]
    assert scores.monetary.tolist() == [5, 2, 5, 1, 4, 1, 3, 3, 4, 2]
    assert scores.segment[0] == "Champions"
    assert scores.segment[1] == "Potential loyalists"  # R 5, FM (1 + 2 + 1) // 2 = 2
    assert scores.segment[2] == "Can't lose them"
    assert scores.segment[5] == "Lost"


def test_custom_segment_names() -> None:
    rules = (SegmentRule("Best", (3, 5), (3, 5)), SegmentRule("Rest", (1, 5), (1, 5)))
    # Two customers: the better one scores 1 + 5·1 // 2 = 3 on each axis.
    scores = rfm_scores([1, 100], [10, 1], [10, 1], segments=rules)
    assert scores.recency.tolist() == [3, 1]
    assert scores.segment.tolist() == ["Best", "Rest"]


def test_transitions_count_movers_new_and_gone() -> None:
    before = {1: "Champions", 2: "Champions", 3: "At risk", 4: "Lost"}
    after = {1: "Champions", 2: "At risk", 3: "Lost", 5: "New"}
    assert segment_transitions(before, after) == {
        ("(none)", "New"): 1,
        ("At risk", "Lost"): 1,
        ("Champions", "At risk"): 1,
        ("Champions", "Champions"): 1,
        ("Lost", "(none)"): 1,
    }


def test_segment_rules_from_yaml_rename_and_regroup_the_grid() -> None:
    rules = segment_rules_from_yaml(
        "segments:\n"
        "  - name: Stars\n    recency: [4, 5]\n    frequency_monetary: [3, 5]\n"
        "  - name: Everyone else\n    recency: [1, 5]\n    frequency_monetary: [1, 5]\n"
    )
    scores = rfm_scores([1, 300, 5, 200, 2], [9, 1, 8, 1, 7], [900, 10, 800, 20, 700],
                        segments=rules)  # fmt: skip

    assert [rule.name for rule in rules] == ["Stars", "Everyone else"]
    assert list(scores.segment) == ["Stars", "Everyone else", "Everyone else", "Everyone else",
                                    "Stars"]  # recency 5 days scores R 3: not a star


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("segments: []\n", "segments (line 1)"),
        ("segments:\n  - name: A\n    recency: [5, 1]\n    frequency_monetary: [1, 5]\n",
         "segments[0].recency (line 3)"),
        ("segments:\n  - name: A\n    recency: [1, 5]\n    frequency_monetary: [1, 6]\n",
         "segments[0].frequency_monetary (line 4)"),
        ("segments:\n  - name: A\n    recency: [1, 5]\n    frequency_monetary: [1, 5]\n"
         "    colour: red\n", "segments[0].colour (line 5)"),
        ("rules: 1\n", "segments (line 1)"),
    ],
)  # fmt: skip
def test_bad_segment_rules_name_the_field_and_line(text: str, field: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        segment_rules_from_yaml(text)
    assert raised.value.field == field
