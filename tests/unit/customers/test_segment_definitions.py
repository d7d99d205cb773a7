"""Segment definitions (``kano.domain.customers.segments``): every valid rule survives a
round trip through its JSON form, and every broken one is refused with the exact place in
the rule named, never with a crash."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kano.domain.customers.segments import (
    FACT_FIELDS,
    MATRIX_CELLS,
    SegmentDefinition,
    definition_from,
    parse_rule,
    rfm_segment_names,
)
from kano.domain.shared.errors import InvalidInput

texts = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=20)
numbers = st.integers(-1000, 10**6) | st.floats(-1e6, 1e6, allow_nan=False)


def conditions() -> st.SearchStrategy[dict[str, Any]]:
    text_field = st.sampled_from(["region", "industry", "segment", "attributes.tier"])
    numeric = st.sampled_from(FACT_FIELDS)
    pair = st.tuples(numbers, numbers).map(lambda p: sorted(p))
    return st.one_of(
        st.fixed_dictionaries({"field": text_field, "op": st.sampled_from(["eq", "ne"]),
                               "value": texts}),
        st.fixed_dictionaries({"field": text_field, "op": st.sampled_from(["in", "not_in"]),
                               "value": st.lists(texts, min_size=1, max_size=4)}),
        st.fixed_dictionaries({"field": text_field, "op": st.just("contains"), "value": texts}),
        st.fixed_dictionaries({"field": st.just("kind"), "op": st.just("eq"),
                               "value": st.sampled_from(["account", "person"])}),
        st.fixed_dictionaries({"field": numeric, "op": st.sampled_from(["gte", "lte", "eq"]),
                               "value": numbers}),
        st.fixed_dictionaries({"field": numeric, "op": st.just("between"), "value": pair}),
        st.fixed_dictionaries({"field": numeric | text_field, "op": st.just("exists"),
                               "value": st.booleans()}),
    )  # fmt: skip


matches = st.sampled_from(["all", "any"])
rules = st.recursive(
    st.lists(conditions(), min_size=1, max_size=4),
    lambda inner: st.lists(
        conditions() | st.builds(lambda m, parts: {m: parts}, matches, inner),
        min_size=1, max_size=3,
    ),
    max_leaves=8,
).flatmap(lambda parts: st.sampled_from(["all", "any"]).map(lambda m: {m: parts}))


@given(rules)
def test_every_valid_rule_round_trips_through_its_json_form(raw: dict[str, Any]) -> None:
    try:
        rule = parse_rule(raw)
    except InvalidInput as error:  # only nesting deeper than allowed may be refused
        assert "nest" in error.message
        return
    assert parse_rule(rule.as_json()) == rule
    assert rule.as_json() == raw


@given(st.recursive(st.none() | st.booleans() | numbers | texts,
                    lambda inner: st.lists(inner, max_size=3)
                    | st.dictionaries(texts | st.sampled_from(["all", "any", "field", "op",
                                                               "value"]), inner, max_size=3),
                    max_leaves=10))  # fmt: skip
def test_any_json_is_a_rule_or_an_error_naming_a_place_in_the_rule(raw: Any) -> None:
    try:
        parse_rule(raw)
    except InvalidInput as error:
        assert error.field == "rule" or error.field.startswith(("rule.all", "rule.any"))


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ({"all": []}, "rule.all"),
        ({"all": [{"field": "kind", "op": "eq", "value": "robot"}]}, "rule.all.0.value"),
        ({"any": [{"field": "kind", "op": "eq", "value": "person"},
                  {"field": "revenue_12m", "op": "between", "value": [5, 1]}]}, "rule.any.1.value"),
        ({"all": [{"field": "revenue_12m", "op": "contains", "value": "1"}]}, "rule.all.0.value"),
        ({"all": [{"field": "region", "op": "like", "value": "n"}]}, "rule.all.0.op"),
        ({"all": [{"field": "attributes.", "op": "eq", "value": "n"}]}, "rule.all.0.field"),
        ({"all": [{"field": "region", "op": "eq", "value": "n", "x": 1}]}, "rule.all.0.x"),
        ({"all": [{"any": [{"field": "region", "op": "in", "value": []}]}]},
         "rule.all.0.any.0.value"),
        ({"all": [{"field": "orders_12m", "op": "gte", "value": True}]}, "rule.all.0.value"),
        ({"none": []}, "rule"),
    ],
)  # fmt: skip
def test_a_broken_rule_names_the_place(raw: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidInput) as error:
        parse_rule(raw)
    assert error.value.field == field


def test_computed_parameters_are_what_the_analyses_produce() -> None:
    assert "Champions" in rfm_segment_names() and "high-low" in MATRIX_CELLS
    tier = definition_from({"key": "tier-a", "name": "Tier A", "source": "value_tier",
                            "parameter": "A"})  # fmt: skip
    assert tier == SegmentDefinition("tier-a", "Tier A", "value_tier", None, "A")
    assert tier.kind == "computed" and tier.stored_rule() == {"parameter": "A"}
    for raw, field in [
        ({"key": "x", "name": "X", "source": "rfm", "parameter": "champions"}, "parameter"),
        ({"key": "x", "name": "X", "source": "matrix_cell", "parameter": "high-high-low"},
         "parameter"),
        ({"key": "x", "name": "X", "source": "value_tier", "parameter": "A", "rule": {}}, "rule"),
        ({"key": "x", "name": "X", "source": "manual", "parameter": "A"}, "parameter"),
        ({"key": "x", "name": " ", "source": "manual"}, "name"),
        ({"key": "X Y", "name": "X", "source": "manual"}, "key"),
        ({"key": "x", "name": "X", "source": "crm"}, "source"),
        ({"key": "x", "name": "X", "colour": "red"}, "colour"),
    ]:  # fmt: skip
        with pytest.raises(InvalidInput) as error:
            definition_from(raw)
        assert error.value.field == field, raw
