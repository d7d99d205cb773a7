"""Users, roles and API tokens against a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from kano.adapters.db import accounts
from kano.adapters.db.engine import transaction
from kano.adapters.db.orm import ApiToken, AuditEntry, User, utcnow
from kano.domain.shared.errors import InvalidInput, NotFound
from kano.domain.workspaces import Role, Scope


def test_password_is_stored_as_argon2_hash_and_checked(sessions: sessionmaker[Session]) -> None:
    with transaction(sessions) as session:
        accounts.ensure_user(session, "Ann@Example.com", "s3cret-pass")
    with sessions() as session:
        user = session.scalar(select(User))
        assert user is not None
        assert user.email == "ann@example.com"
        assert user.password_hash.startswith("$argon2id$")
        assert "s3cret-pass" not in user.password_hash
        assert accounts.authenticate_password(session, "ANN@example.com", "s3cret-pass") == user
        assert accounts.authenticate_password(session, "ann@example.com", "wrong") is None
        assert accounts.authenticate_password(session, "nobody@example.com", "x") is None


def test_token_is_shown_once_and_stored_only_hashed(sessions: sessionmaker[Session]) -> None:
    with transaction(sessions) as session:
        workspace = accounts.ensure_workspace(session, "acme")
        issued = accounts.create_api_token(session, workspace, Scope.WRITE, name="ci")
    with sessions() as session:
        stored = session.scalars(select(ApiToken)).one()
        assert issued.token not in (stored.token_hash, stored.prefix)
        assert issued.token.startswith(stored.prefix)
        found = accounts.authenticate_token(session, issued.token)
        assert found is not None and found[1].slug == "acme"
        assert accounts.authenticate_token(session, issued.token + "x") is None
        actions = session.scalars(select(AuditEntry.action).where(AuditEntry.entity == "api_token"))
        assert list(actions) == ["create"]


def test_revoked_token_no_longer_authenticates(sessions: sessionmaker[Session]) -> None:
    with transaction(sessions) as session:
        workspace = accounts.ensure_workspace(session, "acme")
        issued = accounts.create_api_token(session, workspace, Scope.READ)
        issued.record.revoked_at = utcnow()
    with sessions() as session:
        assert accounts.authenticate_token(session, issued.token) is None


def test_roles_are_per_workspace(sessions: sessionmaker[Session]) -> None:
    with transaction(sessions) as session:
        a = accounts.ensure_workspace(session, "alpha")
        b = accounts.ensure_workspace(session, "beta")
        user = accounts.ensure_user(session, "m@example.com", "pass1234")
        accounts.grant_role(session, a, user, Role.MANAGER)
        accounts.grant_role(session, b, user, Role.VIEWER)
        accounts.grant_role(session, b, user, Role.ADMIN)  # re-grant changes, not duplicates
    with sessions() as session:
        user = session.scalars(select(User)).one()
        assert [(w.slug, r) for w, r in accounts.memberships_of(session, user)] == [
            ("alpha", Role.MANAGER),
            ("beta", Role.ADMIN),
        ]


def test_bad_input_names_the_field(sessions: sessionmaker[Session]) -> None:
    with sessions() as session:
        with pytest.raises(InvalidInput) as bad_slug:
            accounts.ensure_workspace(session, "Not A Slug!")
        assert bad_slug.value.field == "slug"
        with pytest.raises(InvalidInput) as bad_email:
            accounts.ensure_user(session, "not-an-email", "pass1234")
        assert bad_email.value.field == "email"
        with pytest.raises(NotFound):
            accounts.get_workspace(session, "missing")
