"""``kano feedback import`` as a user runs it (a subprocess on a real database): a file
with bad rows imports nothing and lists exactly those rows; the fixed file imports every
row; importing it again imports none; a dry run writes nothing."""

from __future__ import annotations

import csv
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from tests.integration.api.seed import SeededWorkspace
from tests.integration.feedback_import.conftest import counts, imported

MAPPING = """\
# A survey tool's export with one header row.
survey: after-delivery
columns:
  response_id: Response
  customer_external_id: Customer
  customer_email: Email
  submitted_at: Submitted
  language: Language
date_formats: ["%d.%m.%Y %H:%M"]
questions:
  nps: Likelihood to recommend
  csat: Satisfaction
  comment: Comment
values:
  csat: {Very satisfied: 5, Satisfied: 4, Neutral: 3, Dissatisfied: 2, Very dissatisfied: 1}
"""
SATISFACTION = ["Very dissatisfied", "Dissatisfied", "Neutral", "Satisfied", "Very satisfied"]
BAD_ROWS = {118: "nps", 502: "date", 877: "email"}  # row numbers as a spreadsheet shows them


def kano(db_url: str, *args: str | Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "KANO_DATABASE_URL": db_url, "COLUMNS": "200"}
    env.pop("KANO_SMTP_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "kano", "feedback", "import", *map(str, args)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def write_export(path: Path, rows: int = 1000, bad: bool = False) -> None:
    """``rows`` responses; customers C0000…C0005 exist already, N-… are new."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["Response", "Customer", "Email", "Submitted", "Language",
             "Likelihood to recommend", "Satisfaction", "Comment"]
        )  # fmt: skip
        for i in range(rows):
            number = i + 2
            existing = i % 3 == 0
            customer = f"C{i % 6:04d}" if existing else f"N-{i % 400}"
            email = f"customer{i % 6}@acme.example" if existing else f"n{i % 400}@example.com"
            when = f"{1 + i % 28:02d}.02.2026 {i % 24:02d}:{i % 60:02d}"
            nps = str(i % 11)
            if bad and BAD_ROWS.get(number) == "nps":
                nps = "11"
            if bad and BAD_ROWS.get(number) == "date":
                when = "31.02.2026 10:00"
            if bad and BAD_ROWS.get(number) == "email":
                email = "not-an-email"
            writer.writerow(
                [f"R-{i:05d}", customer, email, when, ("en", "hu", "ru")[i % 3], nps,
                 SATISFACTION[i % 5], f"comment {i}" if i % 4 else ""]
            )  # fmt: skip


def test_three_bad_rows_import_nothing_then_the_fixed_file_imports_all_once(
    db_url: str, acme: SeededWorkspace, sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    mapping = tmp_path / "map.yaml"
    mapping.write_text(MAPPING, encoding="utf-8")
    broken, fixed, report = tmp_path / "broken.csv", tmp_path / "fixed.csv", tmp_path / "e.csv"
    write_export(broken, bad=True)
    write_export(fixed)
    before = counts(sessions)

    refused = kano(db_url, broken, "--mapping", mapping, "--workspace", "acme",
                   "--errors-csv", report)  # fmt: skip
    assert refused.returncode == 1, refused.stderr
    assert counts(sessions) == before, "nothing of a file with errors is stored"
    with report.open(encoding="utf-8") as handle:
        problems = list(csv.DictReader(handle))
    assert [(int(p["row"]), p["column"]) for p in problems] == [
        (118, "Likelihood to recommend"),
        (502, "Submitted"),
        (877, "Email"),
    ]
    assert "from 0 to 10, not 11" in problems[0]["reason"]
    assert "'31.02.2026 10:00' is not a date" in problems[1]["reason"]
    assert "'not-an-email' is not an e-mail address" in problems[2]["reason"]
    for row in BAD_ROWS:
        assert f"│ {row} " in refused.stderr, f"row {row} is listed on the terminal"

    done = kano(db_url, fixed, "--mapping", mapping, "--workspace", "acme")
    assert done.returncode == 0, done.stderr
    after = counts(sessions)
    assert after["responses"] == before["responses"] + 1000
    assert after["keys"] == before["keys"] + 1000
    assert after["customers"] == before["customers"] + 400, "N-0 … N-399 are new, C… exist"
    assert after["outbox"] == before["outbox"] and after["cases"] == before["cases"]
    rows = imported(sessions, acme.workspace_id)
    assert rows[0] == {
        "nps": 0, "csat": 1, "ces": None, "rating": None, "comment": None, "language": "en",
        "submitted_at": "2026-02-01 00:00:00", "external_id": "C0000",
        "email": "customer0@acme.example",
    }  # fmt: skip
    assert rows[999]["nps"] == 999 % 11 and rows[999]["comment"] == "comment 999"
    assert rows[999]["csat"] == 5 and rows[999]["external_id"] == "C0003"

    again = kano(db_url, fixed, "--mapping", mapping, "--workspace", "acme")
    assert again.returncode == 0, again.stderr
    assert counts(sessions) == after, "a re-import stores nothing new"
    assert re.search(r"skipped, already imported\s+│ 1,000 ", again.stdout)


def test_dry_run_checks_and_counts_but_writes_nothing(
    db_url: str, acme: SeededWorkspace, sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    mapping = tmp_path / "map.yaml"
    mapping.write_text(MAPPING, encoding="utf-8")
    export = tmp_path / "export.csv"
    write_export(export, rows=50)
    before = counts(sessions)
    dry = kano(db_url, export, "--mapping", mapping, "--dry-run", "--acknowledge",
               "--open-cases")  # fmt: skip
    assert dry.returncode == 0, dry.stderr
    assert re.search(r"would be imported\s+│ 50 ", dry.stdout)
    assert counts(sessions) == before

    wrong = kano(db_url, export, "--mapping", mapping, "--dry-run", "--survey", "no-such")
    assert wrong.returncode == 2
    assert "--survey: no survey 'no-such'" in wrong.stderr


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_a_role_without_the_grant_imports_everything_and_is_told_how_to_go_faster(
    db_url: str, acme: SeededWorkspace, sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    """Kano's usual role is no superuser: its import keeps PostgreSQL's per-row foreign-key
    checks, stores every row all the same and says which grant would make it faster; with
    the grant the keys are checked per batch and the tip is gone."""
    mapping = tmp_path / "map.yaml"
    mapping.write_text(MAPPING, encoding="utf-8")
    first, second = tmp_path / "first.csv", tmp_path / "second.csv"
    write_export(first)
    second.write_text(first.read_text(encoding="utf-8").replace("R-", "S-"), encoding="utf-8")
    role = f"kano_plain_{os.getpid()}"
    with sessions.begin() as session:
        session.execute(text(f'CREATE ROLE "{role}" LOGIN'))
        session.execute(text(f'GRANT ALL ON ALL TABLES IN SCHEMA public TO "{role}"'))
        session.execute(text(f'GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO "{role}"'))
    as_role = make_url(db_url).set(username=role).render_as_string(hide_password=False)
    try:
        before = counts(sessions)
        plain = kano(as_role, first, "--mapping", mapping, "--workspace", "acme")
        assert plain.returncode == 0, plain.stderr
        assert counts(sessions)["responses"] == before["responses"] + 1000
        assert "GRANT SET ON PARAMETER session_replication_role" in plain.stdout
        with sessions.begin() as session:
            session.execute(text(f'GRANT SET ON PARAMETER session_replication_role TO "{role}"'))
        granted = kano(as_role, second, "--mapping", mapping, "--workspace", "acme")
        assert granted.returncode == 0, granted.stderr
        assert counts(sessions)["responses"] == before["responses"] + 2000
        assert "session_replication_role" not in granted.stdout
    finally:
        with sessions.begin() as session:
            session.execute(
                text(f'REVOKE SET ON PARAMETER session_replication_role FROM "{role}"')
            )
            session.execute(text(f'DROP OWNED BY "{role}"'))
            session.execute(text(f'DROP ROLE "{role}"'))
