"""The workspace's currency through ``/workspace/settings``: read with any token, changed
with a write token (audit-logged, one workspace only), a code that is not ISO 4217 a 422
naming ``currency`` that changes nothing, on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from kano.adapters.db.orm import AuditEntry
from kano.domain.workspaces import Scope
from tests.integration.api.seed import SeededWorkspace


def _currency(api: TestClient, ws: SeededWorkspace) -> str:
    found = api.get("workspace/settings", headers=ws.auth(Scope.READ))
    assert found.status_code == 200, found.text
    currency: str = found.json()["currency"]
    return currency


def test_the_currency_round_trips_per_workspace(
    api: TestClient, acme: SeededWorkspace, globex: SeededWorkspace,
    sessions: sessionmaker[Session],
) -> None:
    assert _currency(api, acme) == "EUR"

    changed = api.patch("workspace/settings", json={"currency": "huf"},
                        headers=acme.auth(Scope.WRITE))

    assert changed.status_code == 200, changed.text
    assert changed.json()["currency"] == "HUF"
    assert changed.json()["survey_fatigue_days"] is None  # the others stay as they were
    assert _currency(api, acme) == "HUF"
    assert _currency(api, globex) == "EUR"
    with sessions() as session:
        entry = session.scalars(select(AuditEntry).where(
            AuditEntry.entity == "workspace", AuditEntry.action == "update")).one()
    assert entry.workspace_id == acme.workspace_id and entry.actor.startswith("api-token:")
    assert entry.detail == {"before": {"currency": "EUR"}, "after": {"currency": "HUF"}}

    both = api.patch("workspace/settings", json={"currency": "RUB", "survey_fatigue_days": 9},
                     headers=acme.auth(Scope.WRITE))
    assert (both.json()["currency"], both.json()["survey_fatigue_days"]) == ("RUB", 9)


def test_a_code_that_is_not_a_currency_is_a_422_naming_the_field(
    api: TestClient, acme: SeededWorkspace
) -> None:
    for bad in ("ABC", "EUROS", "E1R", None, 978):
        refused = api.patch("workspace/settings", json={"currency": bad,
                                                        "survey_fatigue_days": 5},
                            headers=acme.auth(Scope.WRITE))
        assert refused.status_code == 422, (bad, refused.text)
        assert [error["field"] for error in refused.json()["errors"]] == ["currency"], bad
    settings = api.get("workspace/settings", headers=acme.auth(Scope.READ)).json()
    assert (settings["currency"], settings["survey_fatigue_days"]) == ("EUR", None)
    read_only = api.patch("workspace/settings", json={"currency": "USD"},
                          headers=acme.auth(Scope.READ))
    assert read_only.status_code == 403
    assert _currency(api, acme) == "EUR"
