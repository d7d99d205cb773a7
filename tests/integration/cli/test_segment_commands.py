"""``kano segments list|refresh|show`` as a user runs them (SQLite and PostgreSQL): a
refresh fills rule and manual segments, says why an RFM segment waits for the warehouse,
and ``show`` lists the members; an unknown key is one red line and exit code 2."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from kano.adapters.db import segments
from kano.adapters.db.engine import transaction
from tests.integration.api.seed import seed_workspace
from tests.integration.cli.test_access_commands import kano

PERSONS = {"all": [{"field": "kind", "op": "eq", "value": "person"}]}


def test_refresh_fills_segments_and_show_lists_the_members(
    db_url: str, sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    acme = seed_workspace(sessions, "acme")
    seed_workspace(sessions, "globex", customers=4)
    with transaction(sessions) as session:
        segments.save_segment(session, acme.workspace_id, {
            "key": "persons", "name": "Persons", "source": "rule", "rule": PERSONS})
        segments.save_segment(session, acme.workspace_id, {
            "key": "champions", "name": "Champions", "source": "rfm",
            "parameter": "Champions"})  # fmt: skip

    refreshed = kano(db_url, "segments", "refresh", "--workspace", "acme", cwd=tmp_path)
    assert refreshed.returncode == 0, refreshed.stdout + refreshed.stderr
    lines = {line.split("│")[1].strip(): line for line in refreshed.stdout.splitlines()
             if line.count("│") >= 6}  # fmt: skip
    # persons: customers 1, 3, 5; key-accounts (manual): customers 0 and 3
    assert [c.strip() for c in lines["persons"].split("│")[3:6]] == ["3", "0", "3"]
    assert [c.strip() for c in lines["key-accounts"].split("│")[3:6]] == ["2", "0", "2"]
    assert "skipped: warehouse" in lines["champions"]

    again = kano(db_url, "segments", "refresh", "persons", "--workspace", "acme", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert "persons" in again.stdout and "key-accounts" not in again.stdout

    listed = kano(db_url, "segments", "list", "--workspace", "acme", cwd=tmp_path)
    assert listed.returncode == 0, listed.stderr
    assert '"op": "eq"' in listed.stdout and "Champions" in listed.stdout

    shown = kano(db_url, "segments", "show", "persons", "--workspace", "acme",
                 "--search", "customer 3", cwd=tmp_path)  # fmt: skip
    assert shown.returncode == 0, shown.stderr
    assert "3 members now" in shown.stdout
    assert "C0003" in shown.stdout and "C0001" not in shown.stdout

    unknown = kano(db_url, "segments", "show", "nope", "--workspace", "acme", cwd=tmp_path)
    assert unknown.returncode == 2
    assert "segment 'nope' does not exist" in unknown.stderr
