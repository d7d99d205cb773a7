"""List filters and the join keys each item carries (SPEC §1), against seeded rows.

The seed is described in ``seed.py``: row ``i`` of each list has predictable values, so
each filter's expected result is written down by index.
"""

from __future__ import annotations

from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.integration.api.problems import assert_invalid_field
from tests.integration.api.seed import SeededWorkspace


def ids_of(api: TestClient, seeded: SeededWorkspace, path: str, **params: Any) -> list[int]:
    response = api.get(path, params=params, headers=seeded.auth())
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


def pick(ids: list[int], *indexes: int) -> list[int]:
    return [ids[i] for i in indexes]


def test_customer_filters(api: TestClient, acme: SeededWorkspace) -> None:
    ids = acme.customer_ids
    assert ids_of(api, acme, "/customers", segment="key-accounts") == pick(ids, 0, 3)
    assert ids_of(api, acme, "/customers", segment="no-such-segment") == []
    assert ids_of(api, acme, "/customers", kind="person") == pick(ids, 1, 3, 5)
    assert ids_of(api, acme, "/customers", region="north", segment="smb") == pick(ids, 4)
    assert ids_of(api, acme, "/customers", q="CUSTOMER 5") == pick(ids, 5)
    assert ids_of(api, acme, "/customers", q="customer2@") == pick(ids, 2)
    assert ids_of(api, acme, "/customers", q="%") == []  # taken literally, not a wildcard


def test_customer_items_carry_their_segment_key(api: TestClient, acme: SeededWorkspace) -> None:
    items = api.get("/customers", headers=acme.auth()).json()["items"]
    assert [item["segment_key"] for item in items] == [
        "key-accounts", "smb", None, "key-accounts", "smb", None
    ]
    first = api.get(f"/customers/{acme.customer_ids[0]}", headers=acme.auth()).json()
    # The single read adds the bounced address; the list shows only email_undeliverable.
    assert (first.pop("bounced_email"), first.pop("email_bounced_at")) == (None, None)
    assert first == items[0]
    assert first["external_id"] == "C0000"
    assert first["attributes"] == {"index": 0}
    assert first["created_at"].endswith("Z")


def test_response_filters(api: TestClient, acme: SeededWorkspace) -> None:
    ids = acme.response_ids
    path = "/responses"
    assert ids_of(api, acme, path, touchpoint="delivery-call") == pick(ids, 0, 2, 4)
    assert ids_of(api, acme, path, channel="web") == pick(ids, 1, 3, 5)
    assert ids_of(api, acme, path, customer_id=acme.customer_ids[3]) == pick(ids, 3)
    assert ids_of(api, acme, path, min_nps=2, max_nps=4) == pick(ids, 2, 3, 4)
    assert ids_of(api, acme, path, since="2026-01-06T09:00:00Z",
                  until="2026-01-08T09:00:00Z") == pick(ids, 1, 2)
    # An offset is honoured: 10:00+01:00 is 09:00 UTC, the moment of row 1.
    assert ids_of(api, acme, path, since="2026-01-06T10:00:00+01:00") == pick(ids, 1, 2, 3, 4, 5)
    assert ids_of(api, acme, path, until="2026-01-06") == pick(ids, 0)


def test_response_items_carry_journey_keys_where_present(
    api: TestClient, acme: SeededWorkspace
) -> None:
    items = api.get("/responses", params={"limit": 2}, headers=acme.auth()).json()["items"]
    at_touchpoint, without = items
    assert {key: at_touchpoint[key] for key in (
        "customer_id", "touchpoint_key", "stage_key", "team_key", "survey_key", "segment_key",
        "channel", "nps", "transaction_id",
    )} == {
        "customer_id": acme.customer_ids[0], "touchpoint_key": "delivery-call",
        "stage_key": "delivery", "team_key": "logistics", "survey_key": "after-delivery",
        "segment_key": "key-accounts", "channel": "email", "nps": 0,
        "transaction_id": acme.transaction_ids[0],
    }
    assert at_touchpoint["submitted_at"] == "2026-01-05T09:00:00Z"
    assert (without["touchpoint_key"], without["stage_key"], without["team_key"]) == (
        None, None, None
    )
    by_id = api.get(f"/responses/{acme.response_ids[0]}", headers=acme.auth()).json()
    assert by_id.pop("acknowledgements") == []  # seeded rows were never acknowledged
    assert by_id.pop("answers") == []  # nor answered beyond the score columns
    assert by_id == at_touchpoint


def test_transaction_filters_and_keys(api: TestClient, acme: SeededWorkspace) -> None:
    ids = acme.transaction_ids
    path = "/transactions"
    assert ids_of(api, acme, path, product="gadget") == pick(ids, 1, 3, 5)
    assert ids_of(api, acme, path, channel="store", since="2026-01-07") == pick(ids, 2, 4)
    assert ids_of(api, acme, path, customer_id=acme.customer_ids[4]) == pick(ids, 4)
    first = api.get(f"/transactions/{ids[0]}", headers=acme.auth()).json()
    assert first == {
        "id": ids[0], "customer_id": acme.customer_ids[0], "segment_key": "key-accounts",
        "team_key": "logistics", "channel": "store", "product": "widget",
        "product_name": None, "amount": 100.0, "margin": 30.0,
        "occurred_at": "2026-01-05T09:00:00Z",
    }


@pytest.mark.parametrize("path", ["/responses", "/transactions"])
@pytest.mark.parametrize("parameter", ["since", "until"])
def test_unparseable_time_is_422_naming_the_parameter(
    api: TestClient, acme: SeededWorkspace, path: str, parameter: str
) -> None:
    response = api.get(path, params={parameter: "notadate"}, headers=acme.auth())
    assert_invalid_field(response, parameter)


def test_until_before_since_is_422_naming_until(api: TestClient, acme: SeededWorkspace) -> None:
    response = api.get("/transactions", params={"since": "2026-02-01", "until": "2026-01-01"},
                       headers=acme.auth())
    assert_invalid_field(response, "until")


def test_time_out_of_range_after_offset_is_422_not_500(
    api: TestClient, acme: SeededWorkspace
) -> None:
    response = api.get("/responses", params={"since": "0001-01-01T00:00:00+05:00"},
                       headers=acme.auth())
    assert_invalid_field(response, "since")


@pytest.mark.parametrize(("params", "field"), [
    ({"min_nps": "11"}, "min_nps"),
    ({"max_nps": "-1"}, "max_nps"),
    ({"min_nps": "8", "max_nps": "3"}, "max_nps"),
    ({"customer_id": str(2**63)}, "customer_id"),
    ({"channel": "web\x00"}, "channel"),
])
def test_bad_response_filters_are_422_naming_them(
    api: TestClient, acme: SeededWorkspace, params: dict[str, str], field: str
) -> None:
    assert_invalid_field(api.get("/responses", params=params, headers=acme.auth()), field)


def test_every_invalid_parameter_is_listed(api: TestClient, acme: SeededWorkspace) -> None:
    response = api.get("/customers", params={"limit": "0", "kind": "robot"}, headers=acme.auth())
    body = assert_invalid_field(response, "kind")
    assert {error["field"] for error in body["errors"]} == {"limit", "kind"}
    assert "and 1 more problem" in body["detail"]


def test_out_of_range_path_id_is_422_not_a_database_error(
    api: TestClient, acme: SeededWorkspace
) -> None:
    assert_invalid_field(api.get(f"/customers/{2**63}", headers=acme.auth()), "customer_id")


@pytest.mark.parametrize("value", ["20260101", "1767225600", "2.5e-39", "-5", "2026"])
def test_numbers_are_not_taken_as_unix_time(
    api: TestClient, acme: SeededWorkspace, value: str
) -> None:
    response = api.get("/transactions", params={"until": value}, headers=acme.auth())
    body = assert_invalid_field(response, "until")
    assert "ISO 8601" in body["detail"]
