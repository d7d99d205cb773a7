"""Root-cause tags as the web form and the API store them (``case_actions``): split on
commas and new lines only, trimmed, inner whitespace collapsed, deduplicated whatever
their case with the user's first spelling kept."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kano.adapters.db.case_actions import parse_root_causes, root_cause_key, root_cause_tags
from kano.domain.shared.errors import InvalidInput


def test_a_tag_with_spaces_stays_one_tag() -> None:
    assert parse_root_causes("Billing Issue") == ["Billing Issue"]
    assert parse_root_causes("ox:delivery-delay, Billing Issue") == [
        "ox:delivery-delay", "Billing Issue"]


def test_new_lines_separate_tags_and_whitespace_is_tidied() -> None:
    typed = "  ox:delivery-defects \n\n Late   \t route plan ,, ,\r\nBilling"
    assert parse_root_causes(typed) == ["ox:delivery-defects", "Late route plan", "Billing"]


def test_the_first_spelling_wins_over_a_repeat_in_another_case() -> None:
    assert parse_root_causes("Billing issue, billing  ISSUE, OX:Delay, ox:delay") == [
        "Billing issue", "OX:Delay"]


def test_nothing_typed_clears_the_tags() -> None:
    assert parse_root_causes(" , \n ") == []


@pytest.mark.parametrize("tags", [
    ["a" * 65],
    [f"tag {n}" for n in range(21)],
    ["Billing, issue"],  # a list item (the API's) is one tag: a comma cannot be in it
    ["bell\x07"],
])
def test_refused_tags_name_the_field(tags: list[str]) -> None:
    with pytest.raises(InvalidInput) as refused:
        root_cause_tags(tags)
    assert refused.value.field == "root_causes"


def test_twenty_one_spellings_of_twenty_tags_are_accepted() -> None:
    tags = [f"tag {n}" for n in range(20)] + ["TAG 0"]
    assert root_cause_tags(tags) == tags[:20]


TAG_TEXT = st.text(st.characters(blacklist_categories=("Cc", "Cs", "Co", "Cn", "Cf"),
                                 blacklist_characters=","), max_size=20)


@given(st.lists(TAG_TEXT, max_size=12))
def test_tags_survive_the_form_round_trip(given_tags: list[str]) -> None:
    """What the page shows (the tags joined by ", ") parses back to the same tags, each
    tidy and unique whatever its case."""
    tags = root_cause_tags(given_tags)
    assert parse_root_causes(", ".join(tags)) == tags
    assert all(tag == " ".join(tag.split()) and tag for tag in tags)
    assert len({tag.casefold() for tag in tags}) == len(tags)
    assert [tag.casefold() for tag in tags] == list(dict.fromkeys(
        " ".join(t.split()).casefold() for t in given_tags if t.split()))


def test_spellings_that_differ_in_case_or_spacing_are_one_tag() -> None:
    assert root_cause_key(" Billing \t ISSUE ") == root_cause_key("billing issue") == (
        "billing issue")
    assert root_cause_key("Straße") == root_cause_key("STRASSE")  # casefold, not lower
    assert root_cause_key("ox:delay") != root_cause_key("ox: delay")


@given(st.lists(TAG_TEXT, max_size=12))
def test_stored_tags_are_one_per_key(given_tags: list[str]) -> None:
    tags = root_cause_tags(given_tags)
    assert len({root_cause_key(tag) for tag in tags}) == len(tags)
