"""The customer form's attribute lines (``name: value``) read back what they show: a form
sent back untouched changes no attribute, whatever the attributes hold."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from kano.adapters.web.routes.customers import as_line, attribute_changes, attributes_text

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False,
                                                           allow_infinity=False) | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=6,
)
ATTRIBUTES = st.dictionaries(st.text(max_size=20), JSON_VALUES, max_size=6)


@given(ATTRIBUTES)
def test_an_untouched_form_changes_no_attribute(attributes: dict[str, Any]) -> None:
    assert attribute_changes(attributes_text(attributes), attributes) == {}


@given(ATTRIBUTES)
def test_a_removed_line_removes_its_attribute_and_a_new_line_adds_text(
    attributes: dict[str, Any],
) -> None:
    attributes.pop("new-key", None)
    shown = [key for key, value in attributes.items() if as_line(key, value)]
    lines = attributes_text(attributes).splitlines()
    assert len(lines) == len(shown), "one line per attribute shown"
    changes = attribute_changes("\n".join([*lines[1:], "new-key: 42"]), attributes)
    assert changes == {"new-key": "42", **({shown[0]: None} if shown else {})}


def test_numbers_survive_and_awkward_attributes_are_left_alone() -> None:
    attributes = {"employees": 250, "a:b": "x", "note": "two\nlines", "tags": ["x", "y"]}
    assert attributes_text(attributes) == 'employees: 250\ntags: ["x", "y"]'
    assert attribute_changes("employees: 250\ntags: [\"x\", \"y\"]", attributes) == {}
    assert attribute_changes("employees: 300", attributes) == {"employees": "300",
                                                               "tags": None}
