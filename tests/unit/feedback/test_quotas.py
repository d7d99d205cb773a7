"""Survey quota rules: who counts against which quota, what a batch adds, bad input."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kano.domain.feedback.quotas import (
    KANO_CHANNELS,
    Quota,
    QuotaCondition,
    ResponseFacts,
    checked_channel,
    checked_language,
    checked_limit,
    checked_name,
    counts_of,
    first_full,
    matching,
)
from kano.domain.shared.errors import InvalidInput

LINK_EN = ResponseFacts("link", "en", segment_id=7, touchpoint_id=3)


def test_a_quota_without_condition_counts_every_response() -> None:
    assert QuotaCondition().matches(LINK_EN)
    assert QuotaCondition().matches(ResponseFacts("api"))


@pytest.mark.parametrize(("condition", "counts"), [
    (QuotaCondition(channel="link"), True),
    (QuotaCondition(channel="widget"), False),
    (QuotaCondition(language="en", segment_id=7), True),
    (QuotaCondition(language="hu"), False),
    (QuotaCondition(segment_id=8), False),
    (QuotaCondition(touchpoint_id=3, channel="link", language="en", segment_id=7), True),
    (QuotaCondition(touchpoint_id=4), False),
])
def test_every_field_of_a_condition_must_match(condition: QuotaCondition, counts: bool) -> None:
    assert condition.matches(LINK_EN) is counts


def test_an_anonymous_response_does_not_count_against_a_segment_quota() -> None:
    assert not QuotaCondition(segment_id=7).matches(ResponseFacts("link", "en"))


def test_a_response_counts_against_every_matching_quota_in_id_order() -> None:
    quotas = [Quota(5, "links", 10, 0, QuotaCondition(channel="link")),
              Quota(2, "all", 100, 0),
              Quota(9, "widget", 10, 0, QuotaCondition(channel="widget"))]
    assert [q.id for q in matching(quotas, LINK_EN)] == [2, 5]


def test_the_first_full_quota_is_the_one_named() -> None:
    quotas = [Quota(1, "all", 100, 40), Quota(2, "English", 3, 3, QuotaCondition(language="en"))]
    found = first_full(quotas, LINK_EN)
    assert found is not None and found.name == "English"
    assert first_full(quotas, ResponseFacts("link", "ru")) is None


def test_an_over_filled_quota_shows_full_progress() -> None:
    quota = Quota(1, "all", 4, 6)  # the API is counted, never refused
    assert quota.full and quota.remaining == 0 and quota.share == 1.0
    assert Quota(1, "all", 4, 1).share == 0.25


def test_only_quotas_on_every_channel_or_on_email_stop_invitations() -> None:
    assert Quota(1, "all", 1, 0).stops_invitations
    assert Quota(1, "mail", 1, 0, QuotaCondition(channel="email")).stops_invitations
    assert not Quota(1, "web", 1, 0, QuotaCondition(channel="link")).stops_invitations


facts = st.builds(ResponseFacts, st.sampled_from(KANO_CHANNELS),
                  st.sampled_from([None, "en", "ru", "hu"]),
                  st.sampled_from([None, 1, 2]), st.sampled_from([None, 10, 11]))
conditions = st.builds(QuotaCondition, st.sampled_from([None, *KANO_CHANNELS]),
                       st.sampled_from([None, "en", "ru", "hu"]),
                       st.sampled_from([None, 1, 2]), st.sampled_from([None, 10, 11]))


@given(st.lists(conditions, max_size=4), st.lists(facts, max_size=30))
def test_a_batch_adds_what_counting_one_by_one_would(
    quota_conditions: list[QuotaCondition], batch: list[ResponseFacts]
) -> None:
    quotas = [Quota(i + 1, f"q{i}", 5, 0, c) for i, c in enumerate(quota_conditions)]
    one_by_one: dict[int, int] = {}
    for response in batch:
        for quota in matching(quotas, response):
            one_by_one[quota.id] = one_by_one.get(quota.id, 0) + 1
    assert counts_of(quotas, batch) == one_by_one


@pytest.mark.parametrize("limit", [0, -1, "0", "abc", "", 1.5, True, None, 100_000_001])
def test_a_limit_must_be_a_positive_whole_number(limit: object) -> None:
    with pytest.raises(InvalidInput) as refused:
        checked_limit(limit)
    assert refused.value.field == "limit"


def test_good_input_is_kept() -> None:
    assert checked_limit("25") == 25 and checked_limit(1) == 1
    assert checked_name("  Web respondents ") == "Web respondents"
    assert checked_channel("link") == "link" and checked_channel("") is None
    assert checked_channel("phone", other_known=["phone"]) == "phone"
    assert checked_language("hu") == "hu" and checked_language(None) is None


@pytest.mark.parametrize(("check", "value", "field"), [
    (checked_channel, "fax", "channel"),
    (checked_language, "de", "language"),
    (checked_name, " ", "name"),
    (checked_name, "x" * 121, "name"),
    (checked_name, "tab\there", "name"),
])
def test_unknown_or_bad_values_name_their_field(check: object, value: str, field: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        check(value)  # type: ignore[operator]
    assert refused.value.field == field
