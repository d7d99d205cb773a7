"""The password hashes a deployment stores cost what argon2's defaults cost: the rest of the
suite hashes more cheaply (tests/conftest.py), and that must never leak into the app."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from kano.adapters.db import accounts
from kano.adapters.db.engine import transaction
from kano.adapters.db.orm import User


def test_stored_password_hash_has_argon2id_default_cost(sessions: sessionmaker[Session]) -> None:
    with transaction(sessions) as session:
        accounts.ensure_user(session, "cost@example.com", "s3cret-pass")
    with sessions() as session:
        stored = session.scalars(select(User)).one().password_hash
    # RFC 9106's second recommended option, argon2-cffi's default: 64 MiB, 3 passes, 4 lanes
    assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$"), stored
