"""Tenant isolation: a token of one workspace never sees a row of another (SPEC §2.1)."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from tests.integration.api.problems import assert_problem
from tests.integration.api.seed import SeededWorkspace

RESOURCES = [
    pytest.param("customers", "customer_ids", id="customers"),
    pytest.param("responses", "response_ids", id="responses"),
    pytest.param("transactions", "transaction_ids", id="transactions"),
]


@pytest.mark.parametrize(("path", "ids"), RESOURCES)
def test_list_shows_only_the_token_workspace_rows(
    api: TestClient, acme: SeededWorkspace, globex: SeededWorkspace, path: str, ids: str
) -> None:
    for tenant, other in ((acme, globex), (globex, acme)):
        listed = [item["id"] for item in api.get(f"/{path}", headers=tenant.auth()).json()["items"]]
        assert listed == getattr(tenant, ids)
        assert not set(listed) & set(getattr(other, ids))


@pytest.mark.parametrize(("path", "ids"), RESOURCES)
def test_other_workspace_id_is_404_like_a_missing_one(
    api: TestClient, acme: SeededWorkspace, globex: SeededWorkspace, path: str, ids: str
) -> None:
    foreign_id = getattr(globex, ids)[0]
    missing_id = max(getattr(acme, ids) + getattr(globex, ids)) + 1000
    foreign = assert_problem(api.get(f"/{path}/{foreign_id}", headers=acme.auth()), 404)
    missing = assert_problem(api.get(f"/{path}/{missing_id}", headers=acme.auth()), 404)
    assert foreign.keys() == missing.keys()
    assert foreign["detail"].replace(str(foreign_id), "N") == missing["detail"].replace(
        str(missing_id), "N"
    )
    own_id = getattr(acme, ids)[0]
    assert api.get(f"/{path}/{own_id}", headers=acme.auth()).json()["id"] == own_id


def test_filtering_by_another_workspace_customer_finds_nothing(
    api: TestClient, acme: SeededWorkspace, globex: SeededWorkspace
) -> None:
    foreign_customer = globex.customer_ids[0]
    for path in ("responses", "transactions"):
        page = api.get(f"/{path}", params={"customer_id": foreign_customer}, headers=acme.auth())
        assert page.json() == {"items": [], "next_cursor": None}
