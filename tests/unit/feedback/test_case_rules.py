"""Case rules by kind and the routing table, as pure domain rules (no database)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kano.domain.feedback.answers import Answers
from kano.domain.feedback.cases import (
    CaseRoute,
    CaseRule,
    CustomerFacts,
    case_team,
    check_rules,
    first_matching_rule,
)
from kano.domain.shared.errors import InvalidInput

VIP = CaseRule("vip", kind="vip", vip_attribute=True, vip_accounts=("A-7",), question="nps",
               threshold=8, priority=1)  # fmt: skip
KEY_ACCOUNTS = CaseRule("ka", kind="segment", segment="key-accounts")


@pytest.mark.parametrize("value", [True, "true", "Yes", 1])
def test_the_vip_attribute_is_read_as_spreadsheets_write_it(value: object) -> None:
    assert VIP.matches(Answers(nps=8), CustomerFacts("C1", {"vip": value}))


@pytest.mark.parametrize("value", [False, "no", 0, None, "vip"])
def test_other_vip_attribute_values_are_not_vips(value: object) -> None:
    assert not VIP.matches(Answers(nps=8), CustomerFacts("C1", {"vip": value}))


def test_a_vip_rule_with_a_question_needs_both_the_vip_and_the_score() -> None:
    assert VIP.matches(Answers(nps=7), CustomerFacts("A-7"))  # a listed account
    assert not VIP.matches(Answers(nps=9), CustomerFacts("A-7"))
    assert not VIP.matches(Answers(csat=1), CustomerFacts("A-7"))  # no NPS answer
    assert not VIP.matches(Answers(nps=0))  # anonymous: no facts


def test_a_segment_rule_without_a_question_opens_a_case_for_any_answer_of_the_segment() -> None:
    assert KEY_ACCOUNTS.matches(Answers(nps=10), CustomerFacts(segment="key-accounts"))
    assert not KEY_ACCOUNTS.matches(Answers(nps=0), CustomerFacts(segment="smb"))


def test_a_disabled_rule_never_matches() -> None:
    off = CaseRule("off", kind="keyword", keywords=("refund",), enabled=False)
    assert first_matching_rule([off], Answers(comment="refund")) is None


def test_rules_written_before_kinds_keep_their_meaning() -> None:
    assert CaseRule("legal", keywords=("lawyer",)).kind == "keyword"
    assert CaseRule("detractor", "nps", "<=", 6).kind == "score"


@pytest.mark.parametrize(
    ("rule", "field"),
    [
        (dict(key="x", kind="score"), "question"),
        (dict(key="x", kind="score", question="nps", threshold=11), "threshold"),
        (dict(key="x", kind="score", question="ces", threshold=0), "threshold"),
        (dict(key="x", kind="score", question="mood"), "question"),
        (dict(key="x", kind="keyword", keywords=(" ",)), "keywords"),
        (dict(key="x", kind="vip"), "vip_accounts"),
        (dict(key="x", kind="segment"), "segment"),
        (dict(key="x", kind="nice"), "kind"),
        (dict(key="", kind="segment", segment="s"), "key"),
        (dict(key="x", kind="segment", segment="s", priority=0), "priority"),
        (dict(key="x", kind="segment", segment="s", first_response_hours=0),
         "first_response_hours"),
        (dict(key="x", kind="segment", segment="s", first_response_hours=8, resolution_hours=4),
         "resolution_hours"),
        (dict(key="x", kind="segment", segment="s", comparison="=="), "comparison"),
    ],
)  # fmt: skip
def test_a_bad_rule_names_its_field(rule: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        CaseRule(**rule)  # type: ignore[arg-type]
    assert raised.value.field == field


def test_rule_keys_are_unique_in_a_list() -> None:
    rule = CaseRule("a", keywords=("x",))
    with pytest.raises(InvalidInput, match=r"rules\.1\.key"):
        check_rules([rule, rule])


ROUTES = (
    CaseRoute("desk", touchpoint="call"),
    CaseRoute("ka-desk", segment="key-accounts"),
    CaseRoute("ka-call", touchpoint="call", segment="key-accounts"),
    CaseRoute("other-ka", segment="key-accounts"),
)
DETRACTOR = CaseRule("detractor", "nps", "<=", 6)


def test_the_most_specific_route_wins_and_the_earlier_on_a_tie() -> None:
    assert case_team(DETRACTOR, ROUTES, "call", "key-accounts") == "ka-call"
    assert case_team(DETRACTOR, ROUTES, "shop", "key-accounts") == "ka-desk"
    assert case_team(DETRACTOR, ROUTES, "call", "smb") == "desk"
    assert case_team(DETRACTOR, ROUTES, "shop", "smb") is None  # the touchpoint's owner
    assert case_team(DETRACTOR, ROUTES, None, None) is None


def test_a_rules_own_team_beats_every_route() -> None:
    assert case_team(CaseRule("d", "nps", team="legal"), ROUTES, "call", "key-accounts") == "legal"


def test_a_route_needs_a_touchpoint_or_a_segment() -> None:
    with pytest.raises(InvalidInput) as raised:
        CaseRoute("desk")
    assert raised.value.field == "touchpoint"


@given(
    touchpoint=st.sampled_from([None, "call", "shop"]),
    segment=st.sampled_from([None, "key-accounts", "smb"]),
    routes=st.permutations(ROUTES),
)
def test_the_chosen_route_applies_and_none_that_applies_is_more_specific(
    touchpoint: str | None, segment: str | None, routes: list[CaseRoute]
) -> None:
    team = case_team(DETRACTOR, routes, touchpoint, segment)
    applying = [route for route in routes if route.applies(touchpoint, segment)]
    if team is None:
        assert applying == []
    else:
        chosen = next(route for route in applying if route.team == team)
        assert all(route.specificity <= chosen.specificity for route in applying)


def test_a_blank_keyword_is_refused_because_it_would_match_every_comment() -> None:
    with pytest.raises(InvalidInput) as raised:
        CaseRule("x", kind="keyword", keywords=("refund", " "))
    assert raised.value.field == "keywords"


@pytest.mark.parametrize(
    ("document", "field"),
    [
        ({"rules": [{"key": "x", "kind": "score", "question": "nps", "threshold": None}]},
         "rules.0.threshold"),
        ({"rules": [{"key": "x", "kind": "score", "question": "nps", "threshold": "6"}]},
         "rules.0.threshold"),
        ({"rules": [{"key": "x", "kind": "keyword", "keywords": "refund"}]}, "rules.0.keywords"),
        ({"rules": [{"kind": "keyword", "keywords": ["refund"]}]}, "rules.0.key"),
        ({"rules": [{"key": "x", "kind": "vip", "vip_attribute": "yes"}]},
         "rules.0.vip_attribute"),
        ({"rules": [{"key": "x", "kind": "keyword", "keywords": ["a"], "colour": 1}]},
         "rules.0.colour"),
        ({"rules": [], "routes": [{"segment": "smb"}]}, "routes.0.team"),
        ({"rules": [], "routes": "smb"}, "routes"),
        ({"rulez": []}, "rulez"),
        (["x"], "rules"),
    ],
)  # fmt: skip
def test_a_bad_rules_file_names_the_field(document: object, field: str) -> None:
    from kano.adapters.db.case_rules import parse_document

    with pytest.raises(InvalidInput) as raised:
        parse_document(document)
    assert raised.value.field == field


NEGATIVE = CaseRule("negative", kind="sentiment", threshold_probability=0.8, priority=1)


@pytest.mark.parametrize(
    ("probability", "opens"),
    [(0.8, True), (0.97, True), (0.79, False), (None, False), (float("nan"), False)],
)
def test_a_sentiment_rule_opens_a_case_from_its_probability_of_negative(
    probability: float | None, opens: bool
) -> None:
    answers = Answers(nps=8, comment="Terrible, never again")
    assert NEGATIVE.matches(answers, None, probability) is opens
    chosen = first_matching_rule([CaseRule("detractor", "nps", "<=", 6), NEGATIVE], answers,
                                 None, probability)  # fmt: skip
    assert (chosen is NEGATIVE) is opens


def test_a_question_narrows_a_sentiment_rule_and_a_disabled_one_never_fires() -> None:
    narrowed = CaseRule("n", kind="sentiment", question="nps", comparison="<=", threshold=8)
    assert narrowed.matches(Answers(nps=8, comment="x"), None, 0.9)
    assert not narrowed.matches(Answers(nps=9, comment="x"), None, 0.9)
    off = CaseRule("off", kind="sentiment", enabled=False)
    assert not off.matches(Answers(nps=1, comment="x"), None, 1.0)


@pytest.mark.parametrize("bad", [0, -0.1, 1.01, True])
def test_a_sentiment_threshold_outside_0_to_1_names_its_field(bad: float) -> None:
    with pytest.raises(InvalidInput) as error:
        CaseRule("n", kind="sentiment", threshold_probability=bad)
    assert error.value.field == "threshold_probability"
