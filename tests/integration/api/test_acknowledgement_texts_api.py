"""``/workspace/acknowledgement``: an admin writes the acknowledgement e-mail in the
workspace's own words, per language; the API shows what holds, what is custom and
previews; a bad part is a 422 naming it; the change is audited and the next response's
e-mail carries it."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from kano.adapters.db.orm import AuditEntry, OutboxMessageRow
from kano.config import Settings
from kano.domain.workspaces import Scope
from tests.integration.api.problems import assert_invalid_field, assert_problem
from tests.integration.api.seed import SeededWorkspace
from tests.integration.api.strategy_support import seed_actors

PATH = "/workspace/acknowledgement"


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    """E-mail on (the outbox is what is checked; nothing is delivered here)."""
    return Settings(
        database_url=db_url,
        warehouse_url=f"duckdb:///{tmp_path / 'warehouse.duckdb'}",
        secret_key="test-secret-key-0123456789abcdef",
        demo_data_dir=str(tmp_path / "demo-data"),
        smtp_url="smtp://127.0.0.1:9",
        mail_from="Kano test <kano@test.example>",
    )


def test_built_in_texts_and_previews_of_the_three_variants(
    api: TestClient, acme: SeededWorkspace
) -> None:
    found = api.get(PATH, headers=acme.auth())
    assert found.status_code == 200, found.text
    body = found.json()
    assert body["hu"]["custom"] == []
    assert body["hu"]["texts"] == body["hu"]["defaults"]
    assert body["en"]["texts"]["signature"] == ""
    previews = body["en"]["previews"]
    assert "within 4 working hours" in previews["case"]["body"]
    assert "We are sorry" in previews["sorry"]["body"]
    assert "contact" not in previews["sorry"]["body"]
    assert "sorry" not in previews["happy"]["body"]
    assert previews["happy"]["subject"] == "We received your feedback"


def test_an_admin_signs_the_russian_e_mail_and_the_next_response_carries_it(
    api: TestClient, acme: SeededWorkspace, sessions: sessionmaker[Session]
) -> None:
    change = {"texts": {"ru": {"signature": "— Команда {workspace}"}}}
    changed = api.put(PATH, json=change, headers=acme.auth(Scope.WRITE))
    assert changed.status_code == 200, changed.text
    ru = changed.json()["ru"]
    assert ru["custom"] == ["signature"]
    assert ru["texts"]["signature"] == "— Команда {workspace}"
    assert ru["previews"]["happy"]["body"].endswith("\n\n— Команда Workspace acme\n")
    assert changed.json()["en"]["custom"] == []
    assert api.get(PATH, headers=acme.auth()).json()["ru"]["custom"] == ["signature"]

    posted = api.post("/responses", headers=acme.auth(Scope.WRITE), json={
        "survey": "after-delivery", "channel": "api", "language": "ru",
        "answers": {"nps": 10},
        "customer": {"email": "ivan@example.com", "name": "Иван"}})  # fmt: skip
    assert posted.status_code == 201, posted.text
    with sessions() as session:
        email = session.scalars(select(OutboxMessageRow).where(
            OutboxMessageRow.workspace_id == acme.workspace_id,
            OutboxMessageRow.kind == "email")).one()  # fmt: skip
        audited = session.scalars(select(AuditEntry).where(
            AuditEntry.entity == "acknowledgement_texts")).one()  # fmt: skip
    assert email.payload["body"].endswith("\n\n— Команда Workspace acme\n")
    assert "Иван" in email.payload["body"]
    assert audited.detail["after"] == {"ru": {"signature": "— Команда {workspace}"}}

    reset = api.put(PATH, json={"texts": {"ru": {"signature": None}}},
                    headers=acme.auth(Scope.WRITE))  # fmt: skip
    assert reset.status_code == 200 and reset.json()["ru"]["custom"] == []
    assert reset.json()["ru"]["texts"]["signature"] == ""


def test_a_bad_part_is_a_422_naming_it_and_changes_nothing(
    api: TestClient, acme: SeededWorkspace
) -> None:
    write = acme.auth(Scope.WRITE)
    for change, field in [
        ({"hu": {"contact": "{within belül"}}, "texts.hu.contact"),
        ({"en": {"greeting": "Hi {reference}"}}, "texts.en.greeting"),
        ({"en": {"subject": "Hi\r\nBcc: evil@example.com"}}, "texts.en.subject"),
        ({"en": {"subject": "x" * 151}}, "texts.en.subject"),
        ({"en": {"motto": "x"}}, "texts.en.motto"),
        ({"de": {"subject": "x"}}, "texts.de"),
    ]:
        refused = api.put(PATH, json={"texts": change}, headers=write)
        assert_invalid_field(refused, field)
    assert all(api.get(PATH, headers=acme.auth()).json()[lang]["custom"] == []
               for lang in ("en", "ru", "hu"))  # fmt: skip


def test_only_admins_change_the_acknowledgement_and_readers_may_look(
    api: TestClient, sessions: sessionmaker[Session]
) -> None:
    actors = seed_actors(sessions)
    change = {"texts": {"en": {"signature": "Acme"}}}
    for who in ("vic", "mia", "ann", "out", "reader"):
        assert_problem(api.put(PATH, json=change, headers=actors.auth(who)), 403)
    assert api.get(PATH, headers=actors.auth("reader")).json()["en"]["custom"] == []
    changed = api.put(PATH, json=change, headers=actors.auth("admin"))
    assert changed.status_code == 200 and changed.json()["en"]["custom"] == ["signature"]


def test_a_language_set_to_null_goes_back_to_the_built_in_texts(
    api: TestClient, acme: SeededWorkspace
) -> None:
    write = acme.auth(Scope.WRITE)
    api.put(PATH, json={"texts": {"hu": {"sorry": "Bocsánat!", "fine": "Köszi."}}}, headers=write)
    assert api.get(PATH, headers=acme.auth()).json()["hu"]["custom"] == ["fine", "sorry"]
    reset = api.put(PATH, json={"texts": {"hu": None}}, headers=write)
    assert reset.status_code == 200 and reset.json()["hu"]["custom"] == []
