"""Bearer tokens: who gets in, what they may do, and what is recorded about it."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from kano.adapters.db.orm import ApiToken, AuditEntry, utcnow
from kano.domain.workspaces import Scope
from tests.integration.api.problems import assert_problem
from tests.integration.api.seed import SeededWorkspace


def test_missing_token_is_401_problem_with_bearer_challenge(
    api: TestClient, acme: SeededWorkspace
) -> None:
    response = api.get("/customers")
    body = assert_problem(response, 401)
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert "Authorization: Bearer" in body["detail"]
    assert body["instance"] == "/api/v1/customers"


def test_unknown_token_is_401_invalid_token(api: TestClient, acme: SeededWorkspace) -> None:
    for token in ("kano_not-a-real-token", "nonsense", acme.read_token + "x"):
        response = api.get("/customers", headers={"Authorization": f"Bearer {token}"})
        assert_problem(response, 401)
        assert 'error="invalid_token"' in response.headers["www-authenticate"]


def test_other_authorization_schemes_are_401(api: TestClient, acme: SeededWorkspace) -> None:
    response = api.get("/customers", headers={"Authorization": f"Basic {acme.read_token}"})
    assert_problem(response, 401)
    assert response.headers["www-authenticate"].startswith("Bearer")


def test_revoked_token_is_401(
    api: TestClient, acme: SeededWorkspace, sessions: sessionmaker[Session]
) -> None:
    with sessions() as session:
        token = session.scalars(select(ApiToken).where(ApiToken.name == "reader")).one()
        token.revoked_at = utcnow()
        session.commit()
    assert_problem(api.get("/customers", headers=acme.auth()), 401)


def test_read_token_cannot_revoke_itself(api: TestClient, acme: SeededWorkspace) -> None:
    response = api.delete("/tokens/current", headers=acme.auth(Scope.READ))
    body = assert_problem(response, 403)
    assert "write" in body["detail"]
    assert 'error="insufficient_scope"' in response.headers["www-authenticate"]
    assert api.get("/workspace", headers=acme.auth(Scope.READ)).status_code == 200


def test_write_token_revokes_itself_and_the_revocation_is_audited(
    api: TestClient, acme: SeededWorkspace, sessions: sessionmaker[Session]
) -> None:
    assert api.get("/customers", headers=acme.auth(Scope.WRITE)).status_code == 200
    response = api.delete("/tokens/current", headers=acme.auth(Scope.WRITE))
    assert response.status_code == 204
    assert response.content == b""
    assert_problem(api.get("/customers", headers=acme.auth(Scope.WRITE)), 401)
    assert api.get("/customers", headers=acme.auth(Scope.READ)).status_code == 200
    with sessions() as session:
        entry = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "revoke")
        ).one()
        writer = session.scalars(select(ApiToken).where(ApiToken.name == "writer")).one()
    assert (entry.entity, entry.entity_id, entry.workspace_id) == (
        "api_token", str(writer.id), acme.workspace_id
    )
    assert entry.actor == f"api-token:{writer.prefix}"


def test_workspace_endpoint_says_who_the_token_is(
    api: TestClient, acme: SeededWorkspace
) -> None:
    body = api.get("/workspace", headers=acme.auth(Scope.WRITE)).json()
    assert body["workspace"] == {"slug": "acme", "name": "Workspace acme"}
    assert body["token"]["name"] == "writer"
    assert body["token"]["scopes"] == ["write"]
    assert acme.write_token.startswith(body["token"]["prefix"])
    assert acme.write_token not in str(body)
    assert body["token"]["created_at"].endswith("Z")


def _last_used(sessions: sessionmaker[Session], name: str) -> object:
    with sessions() as session:
        return session.scalar(select(ApiToken.last_used_at).where(ApiToken.name == name))


def test_last_used_is_recorded_at_most_once_a_minute(
    api: TestClient, acme: SeededWorkspace, sessions: sessionmaker[Session]
) -> None:
    assert _last_used(sessions, "reader") is None
    api.get("/workspace", headers=acme.auth())
    first = _last_used(sessions, "reader")
    assert first is not None
    api.get("/workspace", headers=acme.auth())
    assert _last_used(sessions, "reader") == first

    with sessions() as session:
        token = session.scalars(select(ApiToken).where(ApiToken.name == "reader")).one()
        token.last_used_at = utcnow() - timedelta(minutes=2)
        session.commit()
        two_minutes_ago = token.last_used_at
    api.get("/workspace", headers=acme.auth())
    later = _last_used(sessions, "reader")
    assert isinstance(later, type(two_minutes_ago)) and later > two_minutes_ago
