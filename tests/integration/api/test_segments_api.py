"""``/api/v1/segments`` on each engine: define, list, preview and page through members;
a bad rule is a 422 naming the place in it; a viewer's token or a read token cannot
write; one workspace never sees or changes another's segments."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from kano.adapters.db.orm import AuditEntry
from kano.domain.workspaces import Scope
from tests.integration.api.problems import assert_invalid_field, assert_problem
from tests.integration.api.seed import SeededWorkspace

ACCOUNTS_NORTH = {
    "all": [
        {"field": "kind", "op": "eq", "value": "account"},
        {"field": "region", "op": "eq", "value": "north"},
    ]
}


def put(api: TestClient, ws: SeededWorkspace, key: str, body: dict[str, Any]) -> Any:
    return api.put(f"segments/{key}", json=body, headers=ws.auth(Scope.WRITE))


def test_rule_segment_is_created_filled_listed_and_replaced(
    api: TestClient, acme: SeededWorkspace, sessions: sessionmaker[Session]
) -> None:
    # acme's accounts (even i of 6) are all in the north: customers 0, 2, 4
    created = put(api, acme, "north-accounts", {"name": "Northern accounts", "source": "rule",
                                                "rule": ACCOUNTS_NORTH})  # fmt: skip
    assert created.status_code == 201, created.text
    assert created.json()["members_now"] == 3 and created.json()["rule"] == ACCOUNTS_NORTH
    listed = api.get("segments", headers=acme.auth()).json()["items"]
    assert {s["key"]: s["members_now"] for s in listed} == {
        "key-accounts": 0, "smb": 0, "north-accounts": 3}  # fmt: skip
    page = api.get("segments/north-accounts/members", params={"limit": 2},
                   headers=acme.auth()).json()  # fmt: skip
    assert [m["customer_id"] for m in page["items"]] == acme.customer_ids[0:4:2]
    rest = api.get("segments/north-accounts/members", headers=acme.auth(),
                   params={"limit": 2, "cursor": page["next_cursor"]}).json()  # fmt: skip
    assert [m["customer_id"] for m in rest["items"]] == [acme.customer_ids[4]]
    assert rest["next_cursor"] is None
    searched = api.get("segments/north-accounts/members", headers=acme.auth(),
                       params={"search": "CUSTOMER 2"}).json()  # fmt: skip
    assert [m["external_id"] for m in searched["items"]] == ["C0002"]

    replaced = put(api, acme, "north-accounts", {"name": "Persons", "source": "rule", "rule": {
        "all": [{"field": "kind", "op": "eq", "value": "person"}]}})  # fmt: skip
    assert replaced.status_code == 200 and replaced.json()["members_now"] == 3
    with sessions() as session:
        actions = session.scalars(select(AuditEntry.action).where(
            AuditEntry.entity == "segment", AuditEntry.workspace_id == acme.workspace_id))
        assert list(actions) == ["create", "update"]


def test_value_tier_segment_is_filled_when_saved(api: TestClient, acme: SeededWorkspace) -> None:
    # one order each of 100 + i: fewer than 20 % of the six spend more than customers 5
    # (none above) and 4 (one above: 17 %); customer 3 has two above (33 %)
    body = put(api, acme, "tier-a", {"name": "Tier A", "source": "value_tier",
                                     "parameter": "A"}).json()  # fmt: skip
    assert body["source"] == "value_tier" and body["parameter"] == "A"
    members = api.get("segments/tier-a/members", headers=acme.auth()).json()["items"]
    assert sorted(m["external_id"] for m in members) == ["C0004", "C0005"]


def test_bad_definitions_are_422_naming_the_field(api: TestClient, acme: SeededWorkspace) -> None:
    bad_value = {"all": [{"field": "kind", "op": "eq", "value": "account"},
                         {"field": "revenue_12m", "op": "gte", "value": "lots"}]}  # fmt: skip
    assert_invalid_field(put(api, acme, "x", {"name": "X", "source": "rule", "rule": bad_value}),
                         "rule.all.1.value")  # fmt: skip
    nested = {"any": [{"all": [{"field": "colour", "op": "eq", "value": "red"}]}]}
    assert_invalid_field(put(api, acme, "x", {"name": "X", "source": "rule", "rule": nested}),
                         "rule.any.0.all.0.field")  # fmt: skip
    assert_invalid_field(put(api, acme, "x", {"name": "X", "source": "rfm",
                                              "parameter": "Winners"}), "parameter")  # fmt: skip
    assert_invalid_field(put(api, acme, "x", {"name": "X", "source": "rule"}), "rule")
    assert_invalid_field(put(api, acme, "Big", {"name": "X"}), "key")
    preview = api.post("./segments:preview", headers=acme.auth(),
                       json={"rule": {"all": [{"field": "kind", "op": "between", "value": 3}]}})
    assert_invalid_field(preview, "rule.all.0.value")
    keys = {s["key"] for s in api.get("segments", headers=acme.auth()).json()["items"]}
    assert keys == {"key-accounts", "smb"}


def test_preview_counts_without_saving(api: TestClient, acme: SeededWorkspace) -> None:
    found = api.post("./segments:preview", headers=acme.auth(),
                     json={"rule": ACCOUNTS_NORTH, "limit": 1}).json()  # fmt: skip
    assert found["count"] == 3 and len(found["sample"]) == 1
    assert {s["key"] for s in api.get("segments", headers=acme.auth()).json()["items"]} == {
        "key-accounts", "smb"}  # fmt: skip


def test_read_token_cannot_write_and_deleting_removes_the_segment(
    api: TestClient, acme: SeededWorkspace
) -> None:
    refused = api.put("segments/n", json={"name": "N"}, headers=acme.auth(Scope.READ))
    assert refused.status_code == 403
    assert put(api, acme, "n", {"name": "N", "source": "rule", "rule": ACCOUNTS_NORTH}).is_success
    assert api.delete("segments/n", headers=acme.auth(Scope.WRITE)).status_code == 204
    assert_problem(api.get("segments/n", headers=acme.auth()), 404)
    assert_problem(api.delete("segments/n", headers=acme.auth(Scope.WRITE)), 404)


def test_workspaces_never_see_each_others_segments(
    api: TestClient, acme: SeededWorkspace, globex: SeededWorkspace
) -> None:
    assert put(api, acme, "north-accounts", {"name": "N", "source": "rule",
                                             "rule": ACCOUNTS_NORTH}).is_success  # fmt: skip
    assert_problem(api.get("segments/north-accounts", headers=globex.auth()), 404)
    assert_problem(api.get("segments/north-accounts/members", headers=globex.auth()), 404)
    assert_problem(api.delete("segments/north-accounts", headers=globex.auth(Scope.WRITE)), 404)
    # the same key in globex is globex's own segment, with globex's customers only
    body = put(api, globex, "north-accounts", {"name": "G", "source": "rule",
                                               "rule": ACCOUNTS_NORTH}).json()  # fmt: skip
    members = api.get("segments/north-accounts/members", headers=globex.auth()).json()
    assert body["members_now"] == 2  # globex has 4 customers: accounts 0 and 2
    assert {m["customer_id"] for m in members["items"]} <= set(globex.customer_ids)
    assert api.get("segments/north-accounts", headers=acme.auth()).json()["name"] == "N"
