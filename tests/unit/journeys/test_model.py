"""Journey rules: keys, at least one stage, a touchpoint on one stage, reordering."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kano.domain.journeys import Journey, JourneyStagePlan, JourneyTouchpoint
from kano.domain.journeys.templates import B2B_STAGES, journeys_for_segments, template
from kano.domain.shared.errors import InvalidInput


def _journey(*stages: JourneyStagePlan) -> Journey:
    return Journey("smb", "SMB journey", "b2b", "smb", stages)


def test_b2b_template_has_the_buying_committee_stages() -> None:
    journey = template("b2b", "accounts", "Accounts", "key_account")
    committee = [s.name for s in journey.stages if "buying committee" in s.name]
    assert len(committee) == 3
    assert journey.stage_keys == tuple(k for k, _ in B2B_STAGES)
    assert template("b2c", "c", "C", None).kind == "b2c"


def test_segments_get_b2b_or_b2c_journeys_over_the_workspace_stages() -> None:
    tp = JourneyTouchpoint("delivery-field", "Site delivery", "field", "delivery-north")
    journeys = journeys_for_segments(
        [("key_account", "Key accounts"), ("consumer", "Consumers")],
        [("purchase", "Purchase", []), ("delivery", "Delivery", [tp])],
    )
    assert [(j.key, j.kind, j.segment) for j in journeys] == [
        ("key-account", "b2b", "key_account"),
        ("consumer", "b2c", "consumer"),
    ]
    assert journeys[0].stage_of("delivery-field") == "delivery"
    assert journeys[0].stage_of("nowhere") is None


@pytest.mark.parametrize(
    ("stages", "field"),
    [
        ((), "stages"),
        ((JourneyStagePlan("Bad Key", "x"),), "stages[0].key"),
        ((JourneyStagePlan("a", "A"), JourneyStagePlan("a", "A again")), "stages[1].key"),
        (
            (
                JourneyStagePlan("a", "A", (JourneyTouchpoint("t", "T", "web"),)),
                JourneyStagePlan("b", "B", (JourneyTouchpoint("t", "T", "web"),)),
            ),
            "stages[1].touchpoints[0].key",
        ),
    ],
)
def test_bad_journeys_name_the_field(stages: tuple[JourneyStagePlan, ...], field: str) -> None:
    with pytest.raises(InvalidInput) as error:
        _journey(*stages)
    assert error.value.field == field


def test_unknown_kind_is_refused() -> None:
    with pytest.raises(InvalidInput, match="kind"):
        Journey("j", "J", "b2x", None, (JourneyStagePlan("a", "A"),))


@given(st.permutations(["a", "b", "c", "d"]))
def test_reordering_keeps_every_stage_once(order: list[str]) -> None:
    journey = _journey(*(JourneyStagePlan(k, k.upper()) for k in "abcd"))
    assert journey.reordered(list(order)).stage_keys == tuple(order)


def test_reordering_must_list_every_stage() -> None:
    journey = _journey(JourneyStagePlan("a", "A"), JourneyStagePlan("b", "B"))
    with pytest.raises(InvalidInput, match="exactly a, b"):
        journey.reordered(["a"])
