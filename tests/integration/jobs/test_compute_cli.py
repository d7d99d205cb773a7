"""``kano compute`` and ``kano worker --once`` as a user runs them, on the demo."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest


def kano(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "KANO_DATABASE_URL": f"sqlite:///{folder / 'kano.db'}",
        "KANO_DEMO_DATA_DIR": str(folder / "demo-data"),
        "COLUMNS": "200",
    }
    env.pop("KANO_WAREHOUSE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "kano", *args],
        env=env,
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def demo_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("compute-demo")
    result = kano(folder, "demo", "--no-serve")
    assert result.returncode == 0, result.stderr
    return folder


def test_demo_comes_refreshed_and_compute_reports_no_change(demo_folder: Path) -> None:
    result = kano(demo_folder, "compute", "--format", "json")
    assert result.returncode == 0, result.stderr
    (report,) = json.loads(result.stdout)
    assert report["workspace"] == "demo"
    assert report["status"] == "ok"
    assert report["bindings"] >= 30
    assert report["values_changed"] == 0, "kano demo already refreshed every binding"
    assert report["data_end"] == "2026-10-31"
    assert report["errors"] == []


def test_compute_table_and_worker_once(demo_folder: Path) -> None:
    table = kano(demo_folder, "compute", "--workspace", "demo")
    assert table.returncode == 0, table.stderr
    assert "Live bindings refreshed" in table.stdout and "ok" in table.stdout
    worker = kano(demo_folder, "worker", "--once")
    assert worker.returncode == 0, worker.stderr
    assert "compute-bound-metrics: ok" in worker.stdout
    again = kano(demo_folder, "worker", "--once")
    assert again.returncode == 0 and "compute-bound-metrics" not in again.stdout, "not due yet"


def test_compute_names_an_unknown_workspace(demo_folder: Path) -> None:
    result = kano(demo_folder, "compute", "--workspace", "nope")
    assert result.returncode == 2
    assert "nope" in result.stderr
