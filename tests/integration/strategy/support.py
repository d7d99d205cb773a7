"""Helpers for strategy-as-code tests: the example file, exports and row counts."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from kano.adapters.db.orm import AuditEntry, CustomMetricRow, Workspace
from kano.adapters.strategy_code import ImportResult, export_yaml, import_strategy
from kano.adapters.strategy_code import entries as e
from kano.adapters.strategy_code.snapshot import TABLE_OF

EXAMPLE = Path(__file__).with_name("example_strategy.yaml")


def example_text() -> str:
    return EXAMPLE.read_text(encoding="utf-8")


def import_text(
    sessions: sessionmaker[Session], text: str, workspace: str = "acme", dry_run: bool = False
) -> ImportResult:
    return import_strategy(
        sessions, text, source="strategy.yaml", workspace=workspace, dry_run=dry_run
    )


def export_text(sessions: sessionmaker[Session], workspace: str = "acme") -> str:
    with sessions() as session:
        return export_yaml(session, workspace)


def row_counts(sessions: sessionmaker[Session]) -> dict[str, int]:
    """Rows per strategy table (all workspaces), custom metrics, the audit log and
    workspaces."""
    with sessions() as session:
        counts = {
            entity: session.scalar(select(func.count()).select_from(TABLE_OF[entity])) or 0
            for entity in e.ENTITIES
        }
        counts[e.CUSTOM_METRIC] = (
            session.scalar(select(func.count()).select_from(CustomMetricRow)) or 0
        )
        counts["audit"] = session.scalar(select(func.count()).select_from(AuditEntry)) or 0
        counts["workspaces"] = session.scalar(select(func.count()).select_from(Workspace)) or 0
    return counts
