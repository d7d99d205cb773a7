"""A pilot read from untrusted fields: the rules, each failure naming its field."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from kano.domain.pilots.model import (
    Decision,
    Group,
    PilotStatus,
    StepStatus,
    checked_pilot,
    months_between,
)
from kano.domain.shared.errors import InvalidInput

FORM: dict[str, Any] = {
    "name": " Loyalty card ",
    "pilot_group": {"filters": {"region": "north, west"}},
    "control_group": {"customers": "C-1\nC-2,C-2"},
    "kpis": "revenue, nps",
    "baseline_start": "2025-01-01",
    "baseline_end": "2025-03-31",
    "test_start": "2025-04-01",
    "test_end": "2025-06-30",
}


def test_web_form_texts_become_a_pilot() -> None:
    draft = checked_pilot(FORM)
    assert draft.name == "Loyalty card"
    assert draft.pilot_group == Group(filters=(("region", ("north", "west")),))
    assert draft.control_group == Group(customers=("C-1", "C-2"))
    assert draft.kpis == ("revenue", "nps")
    assert (draft.baseline_end, draft.test_start) == (date(2025, 3, 31), date(2025, 4, 1))
    assert draft.status is PilotStatus.PLANNED and draft.decision is None


def test_a_decision_makes_the_pilot_decided() -> None:
    draft = checked_pilot({**FORM, "decision": "Iterate", "status": "running"})
    assert (draft.decision, draft.status) == (Decision.ITERATE, PilotStatus.DECIDED)


def test_rollout_steps_default_to_planned() -> None:
    draft = checked_pilot({**FORM, "rollout": [{"name": "Wave 1", "planned_on": "2025-09-01"}]})
    assert draft.rollout[0].status is StepStatus.PLANNED
    assert draft.rollout[0].as_dict()["planned_on"] == "2025-09-01"


def test_group_filters_become_the_metric_engines_filter() -> None:
    assert checked_pilot(FORM).pilot_group.metric_filters() == {"region": ["north", "west"]}
    assert checked_pilot(FORM).control_group.metric_filters() == {"customer": ["C-1", "C-2"]}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"status": "decided"}, "decision"),
        ({"test_start": "2025-03-15"}, "test_start"),
        ({"baseline_end": "2025-04-30", "test_start": "2025-05-01", "test_end": "2025-04-30"},
         "test_end"),
        ({"test_start": "2025-04-30", "baseline_end": "2025-04-02"}, "test_start"),
        ({"test_end": "2035-01-01"}, "test_end"),
        ({"kpis": "Revenue"}, "kpis"),
        ({"pilot_group": {"filters": {"store": ["A"]}}}, "pilot_group.filters.store"),
        ({"pilot_group": {}}, "pilot_group"),
        ({"pilot_group": {"customers": ["C-2"]}}, "control_group.customers"),
        ({"rollout": [{"name": "x", "planned_on": "soon"}]}, "rollout[0].planned_on"),
        ({"target_effect": -1}, "target_effect"),
        ({"colour": "red"}, "colour"),
    ],
)  # fmt: skip
def test_problems_name_their_field(changes: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        checked_pilot({**FORM, **changes})
    assert raised.value.field == field


def test_months_between_counts_both_ends() -> None:
    assert months_between(date(2025, 1, 31), date(2025, 1, 1)) == 1
    assert months_between(date(2024, 11, 5), date(2025, 2, 1)) == 4
