"""A load that backfills the segment membership spans of another workspace (one last
loaded before spans existed) says so: ``kano warehouse load`` prints a line naming the
workspaces, and the worker's warehouse refresh logs it and puts it in its summary. Before,
both were silent and only ``LoadReport.backfilled`` knew."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy.orm import Session, sessionmaker

from kano.adapters.cli.console import console
from kano.adapters.cli.warehouse import load_into_warehouse
from kano.adapters.jobs.warehouse_refresh import load_new_rows
from kano.bootstrap import Container
from kano.config import Settings
from tests.integration.warehouse.test_segment_backfill import _forget_spans, _load, _world


def test_the_cli_and_the_worker_report_a_backfill(
    container: Container, settings: Settings, sessions: sessionmaker[Session],
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    acme, bolt = _world(sessions, "acme", 1.0), _world(sessions, "bolt", 2.0)
    url = settings.resolved_warehouse_url()
    _load(container, url, acme.workspace_id)
    _load(container, url, bolt.workspace_id)
    _forget_spans(url, bolt.workspace_id)
    monkeypatch.setattr("kano.bootstrap.get_settings", lambda: settings)

    with console.capture() as captured:
        load_into_warehouse("acme")
    printed = " ".join(captured.get().split())
    assert ("Backfilled the segment membership spans of 1 other workspace last loaded "
            "before spans existed: bolt.") in printed, printed
    with console.capture() as captured:  # done once: the next load says nothing of it
        load_into_warehouse("acme")
    assert "Backfilled" not in captured.get()

    _forget_spans(url, bolt.workspace_id)
    with caplog.at_level(logging.INFO, logger="kano.worker"):
        summary = load_new_rows(container, [acme.workspace_id])
    assert f"spans backfilled for workspace(s) {bolt.workspace_id}" in summary
    logged = [r.getMessage() for r in caplog.records if r.name == "kano.worker"]
    assert any("backfilled the segment membership spans" in line
               and str(bolt.workspace_id) in line for line in logged), logged
    assert "spans backfilled" not in load_new_rows(container, [acme.workspace_id])
