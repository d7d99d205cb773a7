"""``kano strategy export`` and ``import`` as a user runs them: real subprocesses."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from kano.adapters.db import accounts
from kano.adapters.db.engine import transaction
from kano.adapters.db.orm import AuditEntry, User
from kano.domain.workspaces import Role
from tests.integration.cli.test_access_commands import kano
from tests.integration.strategy.seed import seed_people
from tests.integration.strategy.support import EXAMPLE, export_text, row_counts


def test_import_then_export_round_trips_through_files(
    db_url: str, sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    seed_people(sessions)
    dry = kano(db_url, "strategy", "import", str(EXAMPLE), "--workspace", "acme", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "dry run" in dry.stdout and "measure value" in dry.stdout
    assert row_counts(sessions)["scorecard"] == 0

    imported = kano(db_url, "strategy", "import", str(EXAMPLE), "--workspace", "acme")
    assert imported.returncode == 0, imported.stderr
    assert "What the import changed" in imported.stdout

    first = tmp_path / "first.yaml"
    exported = kano(db_url, "strategy", "export", "--workspace", "acme", "-o", str(first))
    assert exported.returncode == 0, exported.stderr
    assert first.read_text(encoding="utf-8") == export_text(sessions)

    again = kano(db_url, "strategy", "import", str(first), "--workspace", "acme")
    assert again.returncode == 0 and "already matches the file" in again.stdout
    to_stdout = kano(db_url, "strategy", "export", "--workspace", "acme")
    assert to_stdout.stdout == first.read_text(encoding="utf-8")


def test_invalid_file_exits_2_with_one_line_per_error(db_url: str, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "format: kano-strategy/1\n"
        "scorecards:\n"
        "  - key: main\n"
        "    name: Main\n"
        "    perspectives:\n"
        "      - {key: p, name: P, objectives: [{key: o, title: O, owner_team: ghosts}]}\n"
        "    links:\n"
        "      - {cause: o, effect: nowhere}\n",
        encoding="utf-8",
    )
    result = kano(db_url, "strategy", "import", str(bad), "--workspace", "new-one")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert f"{bad}:6: scorecards[0].perspectives[0].objectives[0].owner_team: no team" in (
        result.stderr
    )
    assert f"{bad}:8: scorecards[0].links[0].effect: unknown objective 'nowhere'" in result.stderr
    assert "nothing was imported" in result.stderr


def test_export_of_unknown_workspace_says_so(db_url: str) -> None:
    result = kano(db_url, "strategy", "export", "--workspace", "nowhere")
    assert result.returncode == 2
    assert "workspace 'nowhere' does not exist" in result.stderr


def test_the_audit_log_names_who_imported(
    db_url: str, sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    """Without --as the workspace's owner imports; --as names an admin or owner; a manager
    may not (a file changes the strategy's structure), and nothing is written then."""
    seed_people(sessions)  # the example's people, managers of acme
    with transaction(sessions) as session:
        acme = accounts.get_workspace(session, "acme")
        for email, role in (("olga@acme.example", Role.OWNER), ("adam@acme.example", Role.ADMIN)):
            user = User(email=email, name=email, password_hash="-")
            session.add(user)
            session.flush()
            accounts.grant_role(session, acme, user, role)
    before = row_counts(sessions)
    with sessions() as session:
        start = session.scalar(select(func.max(AuditEntry.id)))

    refused = kano(db_url, "strategy", "import", str(EXAMPLE), "--workspace", "acme",
                   "--as", "ceo@acme.example")
    assert refused.returncode == 2
    assert "ceo@acme.example is a manager of workspace 'acme'" in refused.stderr
    assert row_counts(sessions) == before

    by_owner = kano(db_url, "strategy", "import", str(EXAMPLE), "--workspace", "acme")
    assert by_owner.returncode == 0, by_owner.stderr
    assert "Imported as olga@acme.example" in by_owner.stdout
    changed = tmp_path / "changed.yaml"
    changed.write_text(EXAMPLE.read_text(encoding="utf-8").replace(
        "Grow profitable revenue", "Grow revenue"), encoding="utf-8")
    by_admin = kano(db_url, "strategy", "import", str(changed), "--workspace", "acme",
                    "--as", " Adam@acme.example")
    assert by_admin.returncode == 0, by_admin.stderr
    assert "Imported as adam@acme.example" in by_admin.stdout

    with sessions() as session:
        users = {email: user_id for email, user_id in session.execute(select(User.email, User.id))}
        entries = session.scalars(select(AuditEntry).where(AuditEntry.id > start)
                                  .order_by(AuditEntry.id)).all()
    assert {(entry.actor, entry.user_id) for entry in entries} == {
        ("olga@acme.example", users["olga@acme.example"]),
        ("adam@acme.example", users["adam@acme.example"]),
    }
    last = [(entry.actor, entry.action, entry.entity) for entry in entries[-2:]]
    assert last == [("adam@acme.example", "update", "objective"),
                    ("adam@acme.example", "import", "strategy")]


def test_an_importer_who_is_not_a_member_is_refused_by_the_flags_name(
    db_url: str, sessions: sessionmaker[Session]
) -> None:
    """--as with a stranger's e-mail (or a manager's) names --as, not the library's
    parameter, says what to do, and writes nothing."""
    seed_people(sessions)  # the example's people, managers of acme
    before = row_counts(sessions)

    stranger = kano(db_url, "strategy", "import", str(EXAMPLE), "--workspace", "acme",
                    "--as", "nobody@acme.example")
    assert stranger.returncode == 2
    assert "Traceback" not in stranger.stderr
    assert "as_user" not in stranger.stderr
    assert ("--as: no active member with e-mail 'nobody@acme.example' in workspace 'acme'."
            in stranger.stderr)
    assert "Give the e-mail of an admin or owner of workspace 'acme'" in stranger.stderr
    assert "kano user create --email EMAIL --workspace acme --role admin" in stranger.stderr
    assert "leave out --as" in stranger.stderr

    manager = kano(db_url, "strategy", "import", str(EXAMPLE), "--workspace", "acme",
                   "--as", "ceo@acme.example", "--dry-run")
    assert manager.returncode == 2
    assert "--as: ceo@acme.example is a manager of workspace 'acme'" in manager.stderr
    assert "leave out --as" in manager.stderr
    assert row_counts(sessions) == before
