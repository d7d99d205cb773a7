"""Signed Message-IDs: ``<{dedupe key}.{signature}@kano>``, so that a bounce can be matched
to the e-mail it returns without trusting whoever delivered it (issue 6)."""

from __future__ import annotations

import re
from email import message_from_bytes

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kano.adapters.messaging.email import (
    SIGNATURE_LENGTH,
    dedupe_key_of,
    message_bytes,
    message_id,
)

SECRET = "test-secret-key-0123456789abcdef"
ATEXT = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+/=?^_`{|}~-"
DOT_ATOM_TEXT = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
)
"""RFC 5322 3.2.3, written out again here rather than imported: the test's own reading."""

atoms = st.text(alphabet=ATEXT, min_size=1, max_size=20)
dedupe_keys = st.lists(atoms, min_size=1, max_size=4).map(".".join)
"""Dedupe keys as Kano writes them (``ack-email-17``, ``invitation-<hex>``) and any other
dot-atom-text."""
secrets = st.text(min_size=1, max_size=64).filter(lambda s: "\x00" not in s) | st.just(SECRET)


def _signature(value: str) -> str:
    return value.removesuffix("@kano").rpartition(".")[2]


@given(dedupe_keys, secrets)
def test_a_message_id_is_rfc5322_valid_and_gives_back_its_dedupe_key(
    key: str, secret: str
) -> None:
    value = message_id(secret, key)
    left, _, right = value.rpartition("@")
    assert DOT_ATOM_TEXT.fullmatch(left) and right == "kano"
    assert left.startswith(f"{key}.")
    assert re.fullmatch(r"[a-z2-7]+", _signature(value))
    assert len(_signature(value)) == SIGNATURE_LENGTH
    assert message_id(secret, key) == value, "derived, so a resend carries the same one"
    assert dedupe_key_of(secret, value) == key


@given(dedupe_keys, st.data())
def test_any_one_character_change_of_the_signature_is_refused(
    key: str, data: st.DataObject
) -> None:
    value = message_id(SECRET, key)
    start = len(value) - len("@kano") - SIGNATURE_LENGTH
    position = data.draw(st.integers(start, start + SIGNATURE_LENGTH - 1), label="position")
    replacement = data.draw(  # any character, lone surrogates (undecodable bytes) too
        st.characters(exclude_categories=[]).filter(lambda c: c != value[position]),
        label="replacement",
    )
    changed = value[:position] + replacement + value[position + 1 :]
    assert dedupe_key_of(SECRET, changed) is None


@given(dedupe_keys)
def test_a_dropped_or_added_signature_character_is_refused(key: str) -> None:
    value = message_id(SECRET, key)
    at = value.index("@kano")
    assert dedupe_key_of(SECRET, value[: at - 1] + value[at:]) is None
    assert dedupe_key_of(SECRET, value[:at] + "a" + value[at:]) is None


@given(dedupe_keys, secrets)
def test_another_secret_key_signs_differently(key: str, other: str) -> None:
    if other == SECRET:
        return
    assert dedupe_key_of(other, message_id(SECRET, key)) is None


@pytest.mark.parametrize("value", [
    "ack-email-17@kano",  # unsigned, as before signing began: a guessed key looks so
    "ack-email-17.@kano",
    ".@kano",
    "@kano",
    "ack-email-17.aaaaaaaaaaaaaaaaaaaa@kano",
    "ack-email-17.AAAAAAAAAAAAAAAAAAAA@elsewhere.example",
    "ack-email-17.\udce9\udce9@kano",  # undecodable bytes of a header, as email keeps them
    "",
])
def test_unsigned_forged_and_foreign_message_ids_name_no_dedupe_key(value: str) -> None:
    assert dedupe_key_of(SECRET, value) is None


def test_the_signature_of_a_real_key_is_checked_not_only_its_form() -> None:
    genuine = message_id(SECRET, "ack-email-17")
    assert dedupe_key_of(SECRET, genuine) == "ack-email-17"
    assert dedupe_key_of(SECRET, genuine.replace("ack-email-17", "ack-email-18")) is None


@pytest.mark.parametrize("key", ["", "a b", "a..b", ".a", "a.", "a\r\nBcc: x@y.example",
                                 "ключ", "a@b"])
def test_a_key_that_cannot_be_a_message_id_is_refused(key: str) -> None:
    with pytest.raises(ValueError, match="dedupe key"):
        message_id(SECRET, key)


def test_the_message_carries_the_signed_message_id() -> None:
    value = message_id(SECRET, "ack-email-17")
    raw = message_bytes("Kano <feedback@kano.example.com>", "ann@customer.example",
                        "Received", "Thank you.", value)
    assert message_from_bytes(raw)["Message-ID"] == f"<{value}>"
