"""Case rules of kind ``sentiment`` (SPEC 2.5): a comment that reads negative opens a case
even with a passive score, once the workspace has a trained sentiment model; the model is
stored as plain numbers and reads exactly as the in-memory one; a workspace without an
enabled sentiment rule never loads a model nor queries for one."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import numpy as np
import pytest
import yaml
from sqlalchemy import event, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from kano.adapters.db import sentiment_models
from kano.adapters.db.case_rules import parse_document, replace_policy
from kano.adapters.db.feedback_bulk import accept_responses
from kano.adapters.db.feedback_intake import Submission, accept_response
from kano.adapters.db.orm import CaseRow, SentimentModelRow, utcnow
from kano.analytics.text.stored import storable
from kano.domain.feedback.answers import Answers
from kano.domain.feedback.cases import CaseRule
from kano.domain.shared.errors import InvalidInput
from tests.integration.api.problems import assert_invalid_field
from tests.integration.api.seed import SeededWorkspace
from tests.integration.api.test_case_rules import case_of, put_rules, respond
from tests.integration.sentiment_training import trained_model

NEGATIVE_RULE = {"key": "reads-negative", "kind": "sentiment", "threshold_probability": 0.8,
                 "priority": 1, "first_response_hours": 2, "resolution_hours": 16}  # fmt: skip


def store_model(sessions: sessionmaker[Session], workspace_id: int) -> None:
    with sessions.begin() as session:
        sentiment_models.save_model(session, workspace_id, trained_model(), fingerprint="test")


def test_a_negative_comment_opens_a_case_with_a_passive_score_once_a_model_is_trained(
    api: TestClient, acme: SeededWorkspace, sessions: sessionmaker[Session]
) -> None:
    saved = put_rules(api, acme, {"rules": [NEGATIVE_RULE]})
    assert saved.status_code == 200, saved.text
    assert "no sentiment model" in saved.json()["warnings"][0]
    assert "reads-negative" in saved.json()["warnings"][0]
    before = respond(api, acme, "C0002", nps=8, comment="Terrible, never again")
    assert case_of(api, acme, before) is None, "no model yet: the rule does not fire"

    store_model(sessions, acme.workspace_id)
    assert api.get("case-rules", headers=acme.auth()).json()["warnings"] == []
    terrible = respond(api, acme, "C0002", nps=8, comment="Terrible, never again")
    case = case_of(api, acme, terrible)
    assert case is not None and case["rule"] == "reads-negative" and case["priority"] == 1
    assert case_of(api, acme, respond(api, acme, "C0002", nps=8, comment="Great service")) is None
    assert case_of(api, acme, respond(api, acme, "C0002", nps=8)) is None  # no comment
    # The default detractor rule is gone with the workspace's own list: NPS 3 with praise
    # opens nothing.
    assert case_of(api, acme, respond(api, acme, "C0002", nps=3, comment="Great service")) is None


def test_a_question_narrows_a_sentiment_rule_and_the_document_round_trips(
    api: TestClient, acme: SeededWorkspace, sessions: sessionmaker[Session]
) -> None:
    store_model(sessions, acme.workspace_id)
    narrowed = {**NEGATIVE_RULE, "threshold_probability": 0.75, "question": "nps",
                "comparison": "<=", "threshold": 8}  # fmt: skip
    saved = put_rules(api, acme, {"rules": [narrowed]})
    assert saved.status_code == 200, saved.text
    assert saved.json()["warnings"] == []
    rule = api.get("case-rules", headers=acme.auth()).json()["rules"][0]
    assert rule["kind"] == "sentiment" and rule["threshold_probability"] == 0.75
    assert (rule["question"], rule["threshold"]) == ("nps", 8)
    # the same document through YAML (the CLI's file) gives the same rule
    data = yaml.safe_load(yaml.safe_dump({"rules": [rule]}))
    rules, _ = parse_document(data)
    assert rules[0] == CaseRule(
        "reads-negative", "nps", "<=", 8, kind="sentiment", threshold_probability=0.75,
        priority=1, first_response_hours=2, resolution_hours=16,
    )  # fmt: skip
    terrible = "Terrible, never again"
    assert case_of(api, acme, respond(api, acme, "C0002", nps=9, comment=terrible)) is None
    assert case_of(api, acme, respond(api, acme, "C0002", nps=8, comment=terrible))


def test_a_bad_threshold_probability_is_a_422_naming_the_field(
    api: TestClient, acme: SeededWorkspace
) -> None:
    for bad in (0, 1.5, -0.2, "high"):
        body = {"rules": [{"key": "ok", "kind": "keyword", "keywords": ["refund"]},
                          {**NEGATIVE_RULE, "threshold_probability": bad}]}  # fmt: skip
        assert_invalid_field(put_rules(api, acme, body), "rules.1.threshold_probability")
    assert api.get("case-rules", headers=acme.auth()).json()["defaults"] is True
    # the YAML file's checks name it too
    for bad in (0, 2, "high", True):
        with pytest.raises(InvalidInput) as error:
            parse_document({"rules": [{**NEGATIVE_RULE, "threshold_probability": bad}]})
        assert error.value.field == "rules.0.threshold_probability"


def test_the_stored_model_reads_exactly_as_the_in_memory_one(
    acme: SeededWorkspace, sessions: sessionmaker[Session]
) -> None:
    model = trained_model()
    store_model(sessions, acme.workspace_id)
    texts = ["Terrible, never again", "Great service", "Доставка опоздала на три дня.",
             "Kiváló kiszolgálás, köszönöm!", "late", "ok"]  # fmt: skip
    with sessions() as session:
        row = session.scalar(select(SentimentModelRow))
        assert row is not None and row.status == "trained" and row.accuracy > 0.9  # type: ignore[operator]
        assert len(row.coefficients or b"") == 4 * 2**18  # float32, nothing else
        stored = sentiment_models.stored_model(session, acme.workspace_id)
    assert stored is not None
    in_memory = 1 - model.p_positive(texts)
    np.testing.assert_allclose(stored.p_negative(texts), in_memory, atol=1e-5)
    np.testing.assert_allclose(storable(model).p_negative(texts), in_memory, atol=1e-5)  # type: ignore[union-attr]


def test_the_model_is_loaded_once_and_again_when_it_is_retrained(
    acme: SeededWorkspace, sessions: sessionmaker[Session]
) -> None:
    store_model(sessions, acme.workspace_id)
    with sessions() as session:
        first = sentiment_models.loads
        assert sentiment_models.stored_model(session, acme.workspace_id) is not None
        assert sentiment_models.stored_model(session, acme.workspace_id) is not None
        assert sentiment_models.loads == first + 1
    with sessions.begin() as session:
        sentiment_models.save_model(session, acme.workspace_id, trained_model(),
                                    trained_at=utcnow() + timedelta(seconds=5))  # fmt: skip
    with sessions() as session:
        assert sentiment_models.stored_model(session, acme.workspace_id) is not None
        assert sentiment_models.loads == first + 2


@pytest.fixture
def statements(sessions: sessionmaker[Session]) -> Iterator[list[str]]:
    """Every SQL statement the app database runs while the test does."""
    engine: Engine = sessions.kw["bind"]
    seen: list[str] = []

    def before(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", before)
    yield seen
    event.remove(engine, "before_cursor_execute", before)


def commented(n: int) -> list[Submission]:
    start = utcnow().replace(microsecond=0) - timedelta(days=1)
    texts = ("Terrible, never again", "Great service")
    return [
        Submission(survey="after-delivery", channel="import",
                   answers=Answers(nps=8, comment=texts[i % 2]),
                   submitted_at=start + timedelta(minutes=i), customer_external_id="C0002")
        for i in range(n)
    ]  # fmt: skip


def test_without_an_enabled_sentiment_rule_no_model_is_queried_loaded_or_used(
    acme: SeededWorkspace, sessions: sessionmaker[Session], statements: list[str]
) -> None:
    store_model(sessions, acme.workspace_id)  # a model exists, but no rule reads it
    with sessions.begin() as session:
        replace_policy(session, acme.workspace_id, [
            CaseRule("detractor", "nps", "<=", 6),
            CaseRule("off", kind="sentiment", enabled=False),
        ], [])  # fmt: skip
    loads = sentiment_models.loads
    statements.clear()
    with sessions.begin() as session:
        accept_responses(session, acme.workspace_id, commented(20), email_enabled=False)
    with sessions.begin() as session:
        accept_response(session, acme.workspace_id, commented(1)[0], email_enabled=False)
    assert statements and not [s for s in statements if "sentiment_models" in s]
    assert sentiment_models.loads == loads
    with sessions() as session:
        assert session.scalars(select(CaseRow)).all() == []

    # the control: with the rule enabled the same intake reads the model (one query for its
    # trained_at per batch) and opens a case for each negative comment
    with sessions.begin() as session:
        replace_policy(session, acme.workspace_id, [CaseRule("on", kind="sentiment")], [])
    statements.clear()
    with sessions.begin() as session:
        accept_responses(session, acme.workspace_id, commented(20), email_enabled=False)
    assert len([s for s in statements if "sentiment_models" in s]) in (1, 2)
    with sessions() as session:
        assert len(session.scalars(select(CaseRow)).all()) == 10
