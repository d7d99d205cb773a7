"""The rules of a change to a customer (:mod:`kano.domain.customers.edits`)."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kano.domain.customers.edits import (
    EMAIL_MAX,
    EMAIL_PATTERN,
    TEXT_PATTERN,
    checked_changes,
    checked_email,
    merged_attributes,
)
from kano.domain.shared.errors import InvalidInput


@given(st.from_regex(EMAIL_PATTERN, fullmatch=True).filter(lambda s: len(s) <= EMAIL_MAX))
def test_every_address_the_openapi_pattern_allows_is_accepted(address: str) -> None:
    assert checked_email(address) == address


@given(st.text(max_size=40))
def test_an_accepted_address_matches_the_openapi_pattern(text: str) -> None:
    try:
        address = checked_email(text)
    except InvalidInput as error:
        assert error.field == "email"
        return
    assert address is not None and re.fullmatch(EMAIL_PATTERN, address)


@given(st.from_regex(TEXT_PATTERN, fullmatch=True).filter(lambda s: len(s) <= 200))
def test_every_name_the_openapi_pattern_allows_is_accepted(name: str) -> None:
    assert checked_changes({"name": name})["name"] == name.strip()


@pytest.mark.parametrize(("raw", "field"), [
    ({"email": "ann@localhost"}, "email"),
    ({"email": " "}, "email"),
    ({"name": None}, "name"),
    ({"external_id": "x" * 65}, "external_id"),
    ({"consent_contact": 1}, "consent_contact"),
    ({"attributes": {"": 1}}, "attributes"),
    ({"attributes": {"note": "a\x00b"}}, "attributes.note"),
    ({"attributes": {"big": "x" * 10_001}}, "attributes"),
    ({"email_deliverable": False}, "email_deliverable"),
    ({"kind": "account"}, "kind"),
])
def test_a_bad_change_names_its_field(raw: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidInput) as error:
        checked_changes(raw)
    assert error.value.field == field


def test_attributes_merge_like_rfc_7396() -> None:
    assert merged_attributes({"a": 1, "b": {"x": 1}}, {"a": None, "b": {"y": 2}, "c": "z"}) \
        == {"b": {"y": 2}, "c": "z"}
    assert checked_changes({"email": None, "region": " "}) == {"email": None, "region": None}
