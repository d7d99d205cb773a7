"""``POST /responses:bulk`` on the set-based path: concurrent batches that bring the same
new customers store each customer once and every response (the loser of the race on a
new customer retries and finds it), and a batch acknowledges and opens cases like
single responses do."""

from __future__ import annotations

import threading
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from kano.adapters.db.orm import (
    CaseRow,
    Customer,
    FeedbackResponse,
    OutboxMessageRow,
    WebhookEndpointRow,
)
from kano.adapters.messaging.webhooks import new_secret
from kano.domain.workspaces import Scope
from tests.integration.api.problems import assert_invalid_field
from tests.integration.api.seed import SeededWorkspace


def batch(start: int) -> dict[str, Any]:
    return {
        "responses": [
            {
                "survey": "after-delivery",
                "customer": {"external_id": f"NEW-{i}", "email": f"new{i}@example.com"},
                "answers": {"nps": (start + i) % 11},
            }
            for i in range(40)
        ]
    }


def count(sessions: sessionmaker[Session], statement: Any) -> int:
    with sessions() as session:
        return int(session.scalar(statement) or 0)


def test_concurrent_batches_with_the_same_new_customers_store_each_customer_once(
    host_app: Any, acme: SeededWorkspace, sessions: sessionmaker[Session]
) -> None:
    responses_before = count(sessions, select(func.count()).select_from(FeedbackResponse))
    results: list[dict[str, Any]] = []
    barrier = threading.Barrier(4)

    def post(n: int) -> None:
        with TestClient(host_app, base_url="http://testserver/api/v1/") as client:
            barrier.wait()
            reply = client.post("./responses:bulk", json=batch(n), headers=acme.auth(Scope.WRITE))
            assert reply.status_code == 201, reply.text
            results.append(reply.json())

    threads = [threading.Thread(target=post, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(r["accepted"] for r in results) == [40, 40, 40, 40]
    assert len({i for r in results for i in r["ids"]}) == 160
    new_customers = select(func.count()).where(Customer.external_id.like("NEW-%"))
    assert count(sessions, new_customers) == 40
    assert count(sessions, select(func.count()).select_from(FeedbackResponse)) == (
        responses_before + 160
    )


def test_bulk_batch_opens_a_case_for_each_detractor_and_returns_ids_in_order(
    api: TestClient, acme: SeededWorkspace, sessions: sessionmaker[Session]
) -> None:
    body = batch(0)
    accepted = api.post("./responses:bulk", json=body, headers=acme.auth(Scope.WRITE))
    assert accepted.status_code == 201, accepted.text
    ids = accepted.json()["ids"]
    with sessions() as session:
        scores = dict(
            session.execute(
                select(FeedbackResponse.id, FeedbackResponse.nps).where(
                    FeedbackResponse.id.in_(ids)
                )
            ).all()
        )
        cases = set(
            session.scalars(select(CaseRow.response_id).where(CaseRow.response_id.in_(ids)))
        )
    assert [scores[i] for i in ids] == [r["answers"]["nps"] for r in body["responses"]]
    assert cases == {i for i in ids if (scores[i] or 0) <= 6}


def test_bulk_errors_name_the_field_whichever_way_the_body_is_read(
    api: TestClient, acme: SeededWorkspace, sessions: sessionmaker[Session]
) -> None:
    """Plain bodies are checked a field at a time, others by the model: the same 422s
    (the model's errors and the domain's name the field alike, with dots)."""
    before = count(sessions, select(func.count()).select_from(FeedbackResponse))
    for bad, field in [
        ({"nps": 11}, "responses.3.answers.nps"),
        ({"nps": "eleven"}, "responses.3.answers.nps"),
        # Keys beyond the scores are the survey's questions: the domain names them.
        ({"nps": 7, "mood": 1}, "responses.3.answers.mood"),
        ({"comment": "   "}, "responses.3.answers"),
    ]:
        body = batch(0)
        body["responses"][3]["answers"] = bad
        refused = api.post("./responses:bulk", json=body, headers=acme.auth(Scope.WRITE))
        assert_invalid_field(refused, field)
    assert count(sessions, select(func.count()).select_from(FeedbackResponse)) == before


def test_a_repeated_bulk_key_replays_whichever_way_each_body_was_read(
    api: TestClient, acme: SeededWorkspace, sessions: sessionmaker[Session]
) -> None:
    """The idempotency fingerprint is the model's dump on both paths: a body read a field
    at a time and the same body read by the model (a score sent as text) match."""
    plain = batch(3)
    for n, item in enumerate(plain["responses"]):
        item["submitted_at"] = f"2026-03-01T10:{n:02d}:00+02:00"
        item["language"] = "hu"
    as_text = {"responses": [dict(item) for item in plain["responses"]]}
    as_text["responses"][0] = {**plain["responses"][0], "answers": {"nps": 3.0}}
    plain["responses"][0]["answers"] = {"nps": 3}
    headers = {**acme.auth(Scope.WRITE), "Idempotency-Key": "bulk-both-ways"}
    first = api.post("./responses:bulk", json=plain, headers=headers)
    assert first.status_code == 201, first.text
    again = api.post("./responses:bulk", json=as_text, headers=headers)
    assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    changed = batch(4)
    refused = api.post("./responses:bulk", json=changed, headers=headers)
    assert_invalid_field(refused, "Idempotency-Key")
    with sessions() as session:
        stored = session.execute(
            select(FeedbackResponse.submitted_at, FeedbackResponse.nps)
            .where(FeedbackResponse.id.in_(first.json()["ids"]))
            .order_by(FeedbackResponse.id)
        ).all()
    assert [at.hour for at, _ in stored] == [8] * 40
    assert stored[0].nps == 3


def test_many_concurrent_batches_with_overlapping_new_customers_all_succeed(
    host_app: Any, acme: SeededWorkspace, sessions: sessionmaker[Session]
) -> None:
    """Six batches at once, each bringing 40 of the same 60 new customers in its own
    order: every batch is accepted (a batch finds the customers another one created
    meanwhile instead of failing on their key) and each customer is stored once."""
    statuses: list[int] = []
    barrier = threading.Barrier(6)

    def post(n: int) -> None:
        body = {
            "responses": [
                {
                    "survey": "after-delivery",
                    "customer": {"external_id": f"RACE-{(n * 7 + i * (1 + n % 2)) % 60}"},
                    "answers": {"nps": 9},
                }
                for i in range(40)
            ]
        }
        with TestClient(host_app, base_url="http://testserver/api/v1/") as client:
            barrier.wait()
            reply = client.post("./responses:bulk", json=body, headers=acme.auth(Scope.WRITE))
            statuses.append(reply.status_code)

    threads = [threading.Thread(target=post, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert statuses == [201] * 6
    used = {(n * 7 + i * (1 + n % 2)) % 60 for n in range(6) for i in range(40)}
    racing = select(func.count()).where(Customer.external_id.like("RACE-%"))
    assert count(sessions, racing) == len(used)


def test_a_backfill_stores_responses_without_telling_customers_or_opening_cases(
    api: TestClient, acme: SeededWorkspace, sessions: sessionmaker[Session]
) -> None:
    """Old responses brought over from another tool: stored like any others, but the
    customers are not acknowledged again and no case is opened for old detractors, read
    a field at a time or by the model (a timestamp without seconds takes the model)."""

    def outbox_and_cases(ids: list[int]) -> tuple[int, int]:
        messages = select(func.count()).where(OutboxMessageRow.response_id.in_(ids))
        cases = select(func.count()).where(CaseRow.response_id.in_(ids))
        return count(sessions, messages), count(sessions, cases)

    with sessions.begin() as session:  # each response is then acknowledged by webhook
        session.add(WebhookEndpointRow(workspace_id=acme.workspace_id, secret=new_secret(),
                                       url="https://hooks.example.com/kano"))  # fmt: skip
    usual = api.post("./responses:bulk", json=batch(0), headers=acme.auth(Scope.WRITE))
    assert usual.status_code == 201, usual.text
    messages, cases = outbox_and_cases(usual.json()["ids"])
    assert messages == 40 and cases == 28  # nps 0–6 in 0…10, 0…10, 0…10, 0…6
    for odd_timestamp in (False, True):
        body = {**batch(0), "acknowledge": False, "open_cases": False}
        if odd_timestamp:
            body["responses"][0]["submitted_at"] = "2025-05-01T10:00+02:00"
        backfill = api.post("./responses:bulk", json=body, headers=acme.auth(Scope.WRITE))
        assert backfill.status_code == 201, backfill.text
        ids = backfill.json()["ids"]
        assert len(ids) == 40 and outbox_and_cases(ids) == (0, 0)
    only_cases = api.post("./responses:bulk", json={**batch(0), "acknowledge": False},
                          headers=acme.auth(Scope.WRITE))  # fmt: skip
    assert outbox_and_cases(only_cases.json()["ids"]) == (0, 28)
    refused = api.post("./responses:bulk", json={**batch(0), "acknowledge": "no"},
                       headers=acme.auth(Scope.WRITE))  # fmt: skip
    assert_invalid_field(refused, "acknowledge")
