"""``POST /segments:preview`` says as of which moment the stored 12-month customer facts it
counted on are (``facts_as_of``, ISO 8601 in UTC), as the web preview does; null when the
rule reads none of them. SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from kano.adapters.db import segments as store
from kano.adapters.db.customer_facts import refresh_facts
from kano.adapters.db.engine import transaction
from tests.integration.api.seed import SeededWorkspace

FACTS_MOMENT = datetime(2026, 3, 1, 6, 30, 15)  # naive UTC, as the database keeps it
ON_REVENUE = {"all": [{"field": "revenue_12m", "op": "gte", "value": 0}]}
ON_REGION = {"all": [{"field": "region", "op": "eq", "value": "north"}]}


def test_a_preview_on_the_facts_names_their_moment_in_utc(
    api: TestClient, acme: SeededWorkspace, globex: SeededWorkspace,
    sessions: sessionmaker[Session],
) -> None:  # fmt: skip
    with transaction(sessions) as session:
        refresh_facts(session, acme.workspace_id, FACTS_MOMENT)

    answer = api.post("./segments:preview", headers=acme.auth(), json={"rule": ON_REVENUE})

    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["facts_as_of"] == "2026-03-01T06:30:15Z"
    assert body["count"] == len(acme.customer_ids)
    with sessions() as session:  # the moment the web preview shows, from the same store
        shown = store.preview_rule(session, acme.workspace_id, ON_REVENUE).facts_as_of
    assert shown == FACTS_MOMENT
    # Another workspace without stored facts counts on facts computed now: their moment.
    theirs = api.post("./segments:preview", headers=globex.auth(), json={"rule": ON_REVENUE})
    moment = datetime.fromisoformat(theirs.json()["facts_as_of"])
    assert moment.utcoffset() == timedelta(0)
    assert abs(moment - datetime.now(UTC)) < timedelta(minutes=5)


def test_a_preview_reading_no_fact_has_no_moment(
    api: TestClient, acme: SeededWorkspace, sessions: sessionmaker[Session]
) -> None:
    with transaction(sessions) as session:
        refresh_facts(session, acme.workspace_id, FACTS_MOMENT)
    body = api.post("./segments:preview", headers=acme.auth(), json={"rule": ON_REGION}).json()
    assert body["facts_as_of"] is None and body["count"] == 3


def test_the_moment_is_documented_as_a_date_time(api: TestClient) -> None:
    schema = api.get("/openapi.json").json()["components"]["schemas"]["PreviewOut"]
    field = schema["properties"]["facts_as_of"]
    assert "facts_as_of" in schema["required"]
    assert {"type": "string", "format": "date-time"} in field["anyOf"]
    assert "UTC" in field["description"] and "12-month" in field["description"]
