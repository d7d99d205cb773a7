"""``kano strategy export`` and ``import`` as a user runs them: real subprocesses."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

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
