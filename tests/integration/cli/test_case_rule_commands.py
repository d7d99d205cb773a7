"""``kano cases rules export|import`` as a user runs them, against a real database."""

from __future__ import annotations

from pathlib import Path

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from kano.adapters.db.case_rules import document_of
from kano.adapters.db.orm import AuditEntry
from tests.integration.api.seed import seed_workspace
from tests.integration.cli.test_access_commands import kano

RULES = {
    "rules": [
        {"key": "refund", "kind": "keyword", "keywords": ["refund", "возврат"], "priority": 1,
         "first_response_hours": 2.0, "resolution_hours": 16.0},
        {"key": "key-accounts", "kind": "segment", "segment": "key-accounts", "question": "nps",
         "comparison": "<=", "threshold": 8, "priority": 2, "first_response_hours": 4.0,
         "resolution_hours": 24.0, "team": "logistics"},
    ],
    "routes": [{"segment": "smb", "team": "logistics"}],
}  # fmt: skip


def test_rules_export_import_round_trip_with_dry_run_and_named_errors(
    db_url: str, sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    workspace_id = seed_workspace(sessions, "acme").workspace_id
    exported = tmp_path / "defaults.yaml"
    done = kano(db_url, "cases", "rules", "export", str(exported), "--workspace", "acme")
    assert done.returncode == 0, done.stderr
    defaults = yaml.safe_load(exported.read_text(encoding="utf-8"))
    assert [rule["key"] for rule in defaults["rules"]] == [
        "detractor", "dissatisfied", "hard-to-deal-with"
    ]  # fmt: skip

    bad = tmp_path / "bad.yaml"
    broken = {"rules": [{**RULES["rules"][0]}, {"key": "x", "kind": "score", "question": "csat",
                                                "threshold": 9}]}  # fmt: skip
    bad.write_text(yaml.safe_dump(broken, allow_unicode=True), encoding="utf-8")
    refused = kano(db_url, "cases", "rules", "import", str(bad), "--workspace", "acme")
    assert refused.returncode == 2 and "rules.1.threshold" in refused.stderr, refused.stderr

    wanted = tmp_path / "rules.yaml"
    wanted.write_text(yaml.safe_dump(RULES, allow_unicode=True), encoding="utf-8")
    dry = kano(db_url, "cases", "rules", "import", str(wanted), "--workspace", "acme",
               "--dry-run")  # fmt: skip
    assert dry.returncode == 0 and "would be set" in dry.stdout, dry.stderr
    with sessions() as session:
        assert document_of(session, workspace_id)["defaults"] is True

    done = kano(db_url, "cases", "rules", "import", str(wanted), "--workspace", "acme")
    assert done.returncode == 0, done.stderr
    with sessions() as session:
        stored = document_of(session, workspace_id)
        audited = session.scalars(
            select(AuditEntry.actor).where(AuditEntry.entity == "case_rules")
        ).all()
    assert stored == {**RULES, "defaults": False}
    assert audited == ["cli"]


def test_importing_a_sentiment_rule_without_a_model_warns_and_keeps_it(
    db_url: str, sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    workspace_id = seed_workspace(sessions, "acme").workspace_id
    wanted = tmp_path / "rules.yaml"
    wanted.write_text(yaml.safe_dump({"rules": [
        {"key": "reads-negative", "kind": "sentiment", "threshold_probability": 0.9},
    ]}), encoding="utf-8")  # fmt: skip
    done = kano(db_url, "cases", "rules", "import", str(wanted), "--workspace", "acme")
    assert done.returncode == 0, done.stderr
    assert "Warning" in done.stdout and "no sentiment model" in done.stdout
    with sessions() as session:
        rule = document_of(session, workspace_id)["rules"][0]
    assert rule["kind"] == "sentiment" and rule["threshold_probability"] == 0.9
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump({"rules": [
        {"key": "reads-negative", "kind": "sentiment", "threshold_probability": 1.5},
    ]}), encoding="utf-8")  # fmt: skip
    refused = kano(db_url, "cases", "rules", "import", str(bad), "--workspace", "acme")
    assert refused.returncode == 2 and "rules.0.threshold_probability" in refused.stderr
