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

from kano.adapters.db.orm import CaseRow, Customer, FeedbackResponse
from kano.domain.workspaces import Scope
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
            reply = client.post(
                "./responses:bulk", json=batch(n), headers=acme.auth(Scope.WRITE)
            )
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
