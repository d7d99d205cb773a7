"""Case rules per workspace (issue 6 item 4): keyword, VIP and segment rules open cases,
the routing table sends them to a team, ``PUT /case-rules`` checks the whole list and
names the bad field, and one workspace's rules never touch another's."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from kano.adapters.db.orm import AuditEntry, Customer, Team
from kano.domain.workspaces import Scope
from tests.integration.api.problems import assert_invalid_field, assert_problem
from tests.integration.api.seed import SeededWorkspace

# Seeded customers: C0000 and C0003 are in segment key-accounts, C0001 in smb, C0002 in none.


def respond(api: TestClient, space: SeededWorkspace, customer: str, **answers: object) -> int:
    reply = api.post(
        "responses",
        json={"survey": "after-delivery", "customer": {"external_id": customer},
              "answers": answers},
        headers=space.auth(Scope.WRITE),
    )  # fmt: skip
    assert reply.status_code == 201, reply.text
    return int(reply.json()["id"])


def case_of(api: TestClient, space: SeededWorkspace, response_id: int) -> dict[str, Any] | None:
    items = api.get("cases", params={"response": response_id}, headers=space.auth()).json()
    assert len(items["items"]) <= 1
    return items["items"][0] if items["items"] else None


def put_rules(api: TestClient, space: SeededWorkspace, body: dict[str, Any]) -> Any:
    return api.put("case-rules", json=body, headers=space.auth(Scope.WRITE))


def add_team(sessions: sessionmaker[Session], space: SeededWorkspace, key: str) -> None:
    with sessions.begin() as session:
        session.add(Team(workspace_id=space.workspace_id, key=key, name=key.title()))


def test_without_rules_of_its_own_a_workspace_shows_and_uses_the_defaults(
    api: TestClient, acme: SeededWorkspace
) -> None:
    body = api.get("case-rules", headers=acme.auth()).json()
    assert body["defaults"] is True and body["routes"] == []
    assert [(r["key"], r["question"], r["comparison"], r["threshold"]) for r in body["rules"]] == [
        ("detractor", "nps", "<=", 6), ("dissatisfied", "csat", "<=", 2),
        ("hard-to-deal-with", "ces", "<=", 3),
    ]  # fmt: skip
    assert case_of(api, acme, respond(api, acme, "C0001", nps=6))["rule"] == "detractor"  # type: ignore[index]


def test_keyword_rule_opens_a_case_for_refund_in_a_comment(
    api: TestClient, acme: SeededWorkspace, sessions: sessionmaker[Session]
) -> None:
    saved = put_rules(api, acme, {"rules": [
        {"key": "refund", "kind": "keyword", "keywords": ["refund", "visszatérítés"],
         "priority": 1, "first_response_hours": 1, "resolution_hours": 8},
        {"key": "detractor", "kind": "score", "question": "nps", "threshold": 6},
    ]})  # fmt: skip
    assert saved.status_code == 200, saved.text
    assert saved.json()["defaults"] is False
    happy_but_refund = respond(api, acme, "C0002", nps=9, comment="Great, but I want a REFUND")
    case = case_of(api, acme, happy_but_refund)
    assert case is not None and case["rule"] == "refund" and case["priority"] == 1
    assert case["owner_team"] == "logistics"  # no route: the touchpoint's owner
    assert case_of(api, acme, respond(api, acme, "C0002", nps=9, comment="great")) is None
    # Both match: the more urgent rule (refund, priority 1) opens the one case.
    assert case_of(api, acme, respond(api, acme, "C0002", nps=2, comment="refund!"))["rule"] == (  # type: ignore[index]
        "refund"
    )
    with sessions() as session:
        entry = session.scalars(
            select(AuditEntry).where(
                AuditEntry.workspace_id == acme.workspace_id, AuditEntry.entity == "case_rules"
            )
        ).one()
    assert entry.action == "replace"
    assert entry.detail["from"]["defaults"] is True  # type: ignore[index]
    assert [r["key"] for r in entry.detail["to"]["rules"]] == ["refund", "detractor"]  # type: ignore[index]


def test_vip_rule_opens_a_case_even_for_a_passive_score(
    api: TestClient, acme: SeededWorkspace, sessions: sessionmaker[Session]
) -> None:
    with sessions.begin() as session:
        session.execute(
            update(Customer)
            .where(Customer.workspace_id == acme.workspace_id, Customer.external_id == "C0002")
            .values(attributes={"index": 2, "vip": True})
        )
    add_team(sessions, acme, "vip-desk")
    saved = put_rules(api, acme, {"rules": [
        {"key": "vip", "kind": "vip", "vip_attribute": True, "vip_accounts": ["C0004"],
         "question": "nps", "threshold": 8, "priority": 1, "team": "vip-desk"},
        {"key": "detractor", "kind": "score", "question": "nps", "threshold": 6},
    ]})  # fmt: skip
    assert saved.status_code == 200, saved.text
    by_attribute = case_of(api, acme, respond(api, acme, "C0002", nps=7))
    assert by_attribute is not None and by_attribute["rule"] == "vip"
    assert by_attribute["owner_team"] == "vip-desk"  # the rule's team
    by_account_list = case_of(api, acme, respond(api, acme, "C0004", nps=8))
    assert by_account_list is not None and by_account_list["rule"] == "vip"
    assert case_of(api, acme, respond(api, acme, "C0002", nps=9)) is None  # a VIP promoter
    assert case_of(api, acme, respond(api, acme, "C0005", nps=7)) is None  # not a VIP
    assert case_of(api, acme, respond(api, acme, "C0005", nps=3))["rule"] == "detractor"  # type: ignore[index]


def test_segment_rule_opens_cases_for_that_segment_only(
    api: TestClient, acme: SeededWorkspace
) -> None:
    saved = put_rules(api, acme, {"rules": [
        {"key": "key-account-unease", "kind": "segment", "segment": "key-accounts",
         "question": "nps", "comparison": "<", "threshold": 9},
    ]})  # fmt: skip
    assert saved.status_code == 200, saved.text
    assert case_of(api, acme, respond(api, acme, "C0003", nps=8))["rule"] == "key-account-unease"  # type: ignore[index]
    assert case_of(api, acme, respond(api, acme, "C0001", nps=8)) is None  # smb
    assert case_of(api, acme, respond(api, acme, "C0001", nps=0)) is None  # no detractor rule
    assert case_of(api, acme, respond(api, acme, "C0003", nps=9)) is None


def test_routing_by_segment_beats_the_touchpoints_owner(
    api: TestClient, acme: SeededWorkspace, sessions: sessionmaker[Session]
) -> None:
    add_team(sessions, acme, "key-account-desk")
    add_team(sessions, acme, "smb-delivery")
    saved = put_rules(api, acme, {"rules": [], "routes": [
        {"touchpoint": "delivery-call", "team": "logistics"},
        {"segment": "key-accounts", "team": "key-account-desk"},
        {"touchpoint": "delivery-call", "segment": "smb", "team": "smb-delivery"},
    ]})  # fmt: skip
    assert saved.status_code == 200, saved.text
    assert saved.json()["defaults"] is True  # no rules: the default rules, with routes
    assert case_of(api, acme, respond(api, acme, "C0000", nps=2))["owner_team"] == (  # type: ignore[index]
        "key-account-desk"
    )
    assert case_of(api, acme, respond(api, acme, "C0001", nps=2))["owner_team"] == (  # type: ignore[index]
        "smb-delivery"
    )
    assert case_of(api, acme, respond(api, acme, "C0002", nps=2))["owner_team"] == "logistics"  # type: ignore[index]
    assert api.get("case-rules", headers=acme.auth()).json()["routes"][1] == {
        "touchpoint": None, "segment": "key-accounts", "team": "key-account-desk"
    }  # fmt: skip


def test_an_invalid_rule_is_a_422_naming_the_field_and_changes_nothing(
    api: TestClient, acme: SeededWorkspace
) -> None:
    good = {"key": "refund", "kind": "keyword", "keywords": ["refund"]}
    cases = [
        ({"key": "x", "kind": "score", "question": "nps", "threshold": 11}, "rules.1.threshold"),
        ({"key": "x", "kind": "score", "question": "csat", "threshold": 6}, "rules.1.threshold"),
        ({"key": "x", "kind": "keyword"}, "rules.1.keywords"),
        ({"key": "x", "kind": "vip"}, "rules.1.vip_accounts"),
        ({"key": "x", "kind": "segment"}, "rules.1.segment"),
        ({"key": "x", "kind": "segment", "segment": "nowhere"}, "rules.1.segment"),
        ({"key": "x", "kind": "keyword", "keywords": ["a"], "team": "ghosts"}, "rules.1.team"),
        ({"key": "refund", "kind": "keyword", "keywords": ["a"]}, "rules.1.key"),
        ({"key": "x", "kind": "keyword", "keywords": ["a"], "first_response_hours": 9,
          "resolution_hours": 2}, "rules.1.resolution_hours"),
        ({"key": "x", "kind": "score", "question": "nps", "priority": 9}, "rules.1.priority"),
        ({"key": "x", "kind": "mood"}, "rules.1.kind"),
    ]  # fmt: skip
    for bad, field in cases:
        assert_invalid_field(put_rules(api, acme, {"rules": [good, bad]}), field)
    assert_invalid_field(
        put_rules(api, acme, {"rules": [good], "routes": [{"team": "logistics"}]}),
        "routes.0.touchpoint",
    )
    assert_invalid_field(
        put_rules(api, acme, {"rules": [good], "routes": [{"segment": "x", "team": "logistics"}]}),
        "routes.0.segment",
    )
    assert api.get("case-rules", headers=acme.auth()).json()["defaults"] is True
    assert_problem(api.put("case-rules", json={"rules": [good]}, headers=acme.auth()), 403)


def test_case_rules_belong_to_their_workspace(
    api: TestClient, acme: SeededWorkspace, globex: SeededWorkspace,
    sessions: sessionmaker[Session],
) -> None:
    saved = put_rules(api, acme, {"rules": [
        {"key": "refund", "kind": "keyword", "keywords": ["refund"]}]})  # fmt: skip
    assert saved.status_code == 200, saved.text
    assert api.get("case-rules", headers=globex.auth()).json()["defaults"] is True
    assert case_of(api, globex, respond(api, globex, "C0001", nps=9, comment="refund")) is None
    assert case_of(api, globex, respond(api, globex, "C0001", nps=1))["rule"] == "detractor"  # type: ignore[index]
    assert case_of(api, acme, respond(api, acme, "C0001", nps=1)) is None
    # A route may only name the workspace's own teams: globex's team is unknown to acme.
    add_team(sessions, globex, "globex-desk")
    foreign = put_rules(api, acme, {"rules": [], "routes": [
        {"segment": "smb", "team": "globex-desk"}]})  # fmt: skip
    assert_invalid_field(foreign, "routes.0.team")
    assert api.get("case-rules", headers=acme.auth()).json()["rules"][0]["key"] == "refund"
