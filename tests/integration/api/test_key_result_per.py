"""A key result's live window (``per``) through the API: `cycle` by default, `month` for a
monthly target; stored, audited, documented in the OpenAPI schema, and a bad value is a
422 naming the field."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from kano.adapters.db.orm import AuditEntry, KeyResultRow
from tests.integration.api.problems import assert_invalid_field
from tests.integration.api.strategy_support import build_strategy, nps_key_result, ok, seed_actors


def test_per_is_cycle_unless_set_month_and_a_bad_value_names_the_field(
    api: TestClient, sessions: sessionmaker[Session]
) -> None:
    actors = seed_actors(sessions)
    build_strategy(api, actors)
    admin = actors.auth()
    assert ok(api.get("/okr/key-results/mia-nps", headers=admin))["per"] == "cycle"
    monthly = ok(api.post("/okr/key-results", json={**nps_key_result("monthly", "mia-okr"),
                                                    "per": "month"}, headers=admin), 201)
    assert monthly["per"] == "month"
    assert_invalid_field(api.post("/okr/key-results", json={
        **nps_key_result("weekly", "mia-okr"), "per": "week"}, headers=admin), "per")
    assert_invalid_field(api.patch("/okr/key-results/monthly", json={"per": "week"},
                                   headers=admin), "per")
    assert_invalid_field(api.patch("/okr/key-results/monthly", json={"per": None},
                                   headers=admin), "per")
    back = ok(api.patch("/okr/key-results/monthly", json={"per": "cycle"}, headers=admin))
    assert back["per"] == "cycle"
    with sessions() as session:
        row = session.scalars(select(KeyResultRow).where(KeyResultRow.key == "monthly")).one()
        assert row.per == "cycle"
        details = [entry.detail for entry in session.scalars(
            select(AuditEntry).where(AuditEntry.entity == "key_result",
                                     AuditEntry.entity_id == str(row.id))
            .order_by(AuditEntry.id))]
        assert session.scalar(select(KeyResultRow.id).where(KeyResultRow.key == "weekly")) is None
    assert details[0] is not None and details[0]["per"] == "month"
    assert details[1] == {"key": "monthly", "per": {"from": "month", "to": "cycle"}}


def test_openapi_documents_per(api: TestClient) -> None:
    schemas = api.get("/openapi.json").json()["components"]["schemas"]
    for name in ("KeyResultCreate", "KeyResultUpdate", "KeyResult"):
        assert "per" in schemas[name]["properties"], name
    assert "month" in str(schemas["KeyResultCreate"]["properties"]["per"]) + str(
        schemas.get("Per", {}))
