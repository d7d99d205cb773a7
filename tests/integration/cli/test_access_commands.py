"""The ``kano`` command as a user runs it: a real subprocess against a real database."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from alembic.script import ScriptDirectory
from sqlalchemy import select

from kano import __version__
from kano.adapters.db import accounts
from kano.adapters.db.engine import make_engine, make_session_factory
from kano.adapters.db.migrate import alembic_config
from kano.adapters.db.orm import Membership, User


def kano(db_url: str, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "KANO_DATABASE_URL": db_url, "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, "-m", "kano", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
    )


def test_version() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "kano", "--version"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0
    assert result.stdout.strip() == f"kano {__version__}"


def test_user_and_token_created_by_cli_work(db_url: str) -> None:
    created = kano(
        db_url,
        "user",
        "create",
        "--email",
        "Lea@Example.com",
        "--password",
        "pw-123456",
        "--workspace",
        "acme",
        "--role",
        "analyst",
    )
    assert created.returncode == 0, created.stderr
    issued = kano(db_url, "token", "create", "--workspace", "acme", "--scope", "write")
    assert issued.returncode == 0, issued.stderr
    token = issued.stdout.strip()
    assert token.startswith("kano_") and "\n" not in token

    engine = make_engine(db_url)
    try:
        with make_session_factory(engine)() as session:
            found = accounts.authenticate_token(session, token)
            assert found is not None
            api_token, workspace = found
            assert (workspace.slug, api_token.scopes) == ("acme", "write")
            user = session.scalars(select(User)).one()
            assert accounts.authenticate_password(session, "lea@example.com", "pw-123456") == user
            assert session.scalars(select(Membership.role)).one() == "analyst"
    finally:
        engine.dispose()


def test_token_for_unknown_workspace_says_so_without_traceback(db_url: str) -> None:
    result = kano(db_url, "token", "create", "--workspace", "nowhere")
    assert result.returncode == 2
    assert "workspace 'nowhere' does not exist" in result.stderr
    assert "Traceback" not in result.stderr


def test_bad_scope_is_rejected_by_name(db_url: str) -> None:
    result = kano(db_url, "token", "create", "--workspace", "acme", "--scope", "admin")
    assert result.returncode == 2
    assert "--scope" in result.stderr


def test_db_upgrade_on_a_new_sqlite_file(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'new.db'}"
    result = kano(url, "db", "upgrade")
    assert result.returncode == 0, result.stderr
    head = ScriptDirectory.from_config(alembic_config(url)).get_current_head()
    assert f"revision {head}" in result.stdout
    assert kano(url, "db", "current").stdout.strip() == head
