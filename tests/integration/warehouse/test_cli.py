"""``kano demo``, ``kano warehouse load`` and ``kano metrics`` as a user runs them."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from kano.metrics import BUILT_IN, built_in_catalogue, compute_metric
from tests.integration.warehouse.comparison import assert_close
from tests.integration.warehouse.conftest import DEMO_WORKSPACE, DemoWarehouses


def kano(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "KANO_DATABASE_URL": f"sqlite:///{folder / 'kano.db'}",
        "KANO_DEMO_DATA_DIR": str(folder / "demo-data"),
        "COLUMNS": "200",
    }
    env.pop("KANO_WAREHOUSE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "kano", *args], env=env, cwd=folder, capture_output=True,
        text=True, timeout=300,
    )  # fmt: skip


@pytest.fixture(scope="module")
def demo_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("cli-demo")
    result = kano(folder, "demo", "--no-serve")
    assert result.returncode == 0, result.stderr
    assert "Warehouse" in result.stdout
    assert (folder / "kano.duckdb").exists(), "the default warehouse sits beside the app db"
    return folder


def test_metrics_show_json_gives_rows_with_n_and_intervals(
    demo_folder: Path, demo_warehouses: DemoWarehouses
) -> None:
    result = kano(
        demo_folder, "metrics", "show", "nps", "--by", "month,segment", "--format", "json"
    )
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert len(rows) > 24
    assert list(rows[0]) == ["month", "segment", "value", "n", "ci_low", "ci_high"]
    expected = compute_metric(
        demo_warehouses.backend("duckdb"), built_in_catalogue().get("nps"),
        by=["month", "segment"], workspace_id=DEMO_WORKSPACE,
    )  # fmt: skip
    assert [(r["month"], r["segment"], r["n"]) for r in rows] == [
        (row.key("month"), row.key("segment"), row.n) for row in expected
    ]
    for mine, theirs in zip(rows, expected, strict=True):
        assert_close(mine["value"], theirs.value, str(theirs.keys))
        assert_close(mine["ci_low"], theirs.ci_low, str(theirs.keys))


def test_metrics_show_csv_table_filters_and_comparison(demo_folder: Path) -> None:
    result = kano(
        demo_folder, "metrics", "show", "ltv", "--by", "quarter", "--from", "2025-01-01",
        "--to", "2025-12-31", "--filter", "segment=smb,key_account", "--compare",
        "--format", "csv",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [row["quarter"] for row in rows] == ["2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4"]
    assert {"value", "n", "previous_value", "change", "component_lifetime_months"} <= set(rows[0])
    assert_close(float(rows[1]["previous_value"]), float(rows[0]["value"]), "Q2's previous")

    table = kano(demo_folder, "metrics", "show", "csat", "--by", "stage", "--language", "hu")
    assert table.returncode == 0, table.stderr
    assert "Elégedettség" in table.stdout and "delivery" in table.stdout


def test_metrics_list_and_errors_name_what_is_wrong(demo_folder: Path, tmp_path: Path) -> None:
    listed = kano(demo_folder, "metrics", "list", "--format", "json")
    assert listed.returncode == 0, listed.stderr
    assert [entry["id"] for entry in json.loads(listed.stdout)] == [m.id for m in BUILT_IN]

    unknown = kano(demo_folder, "metrics", "show", "happiness")
    assert unknown.returncode == 2 and "metric 'happiness' does not exist" in unknown.stderr

    bad_slice = kano(demo_folder, "metrics", "show", "enps", "--by", "segment")
    assert bad_slice.returncode == 2 and "cannot slice by 'segment'" in bad_slice.stderr
    assert "Traceback" not in bad_slice.stderr

    definitions = tmp_path / "metrics.yaml"
    definitions.write_text(
        "metrics:\n  - id: big\n    layer: TX\n    direction: higher\n"
        "    source: transactions\n    aggregate: share\n    condition: amout > 10\n",
        encoding="utf-8",
    )
    invalid = kano(demo_folder, "metrics", "show", "big", "--definitions", str(definitions))
    assert invalid.returncode == 2
    assert "metrics[0].condition (line 7)" in invalid.stderr and "amout" in invalid.stderr


def test_custom_metric_from_definitions_file(demo_folder: Path, tmp_path: Path) -> None:
    definitions = tmp_path / "metrics.yaml"
    definitions.write_text(
        "metrics:\n  - id: web_orders\n    name: Web orders\n    layer: TX\n"
        "    direction: higher\n    source: transactions\n    aggregate: count\n"
        "    filter: channel = 'web'\n",
        encoding="utf-8",
    )
    result = kano(demo_folder, "metrics", "show", "web_orders", "--by", "year", "--format",
                  "json", "--definitions", str(definitions))  # fmt: skip
    assert result.returncode == 0, result.stderr
    # an order metric over time starts with the data window's first whole year: 2024 held
    # only November and December and the orders carried in from before (data_window)
    assert [row["year"] for row in json.loads(result.stdout)] == ["2025", "2026"]
    assert "Period 2025-01-01" in result.stderr and "--from/--to" in result.stderr
    everything = kano(demo_folder, "metrics", "show", "web_orders", "--by", "year", "--format",
                      "json", "--definitions", str(definitions), "--from", "2024-01-01",
                      "--to", "2026-12-31")  # fmt: skip
    assert [row["year"] for row in json.loads(everything.stdout)] == ["2024", "2025", "2026"]


def test_second_warehouse_load_only_appends_new_rows(demo_folder: Path) -> None:
    result = kano(demo_folder, "warehouse", "load")
    assert result.returncode == 0, result.stderr
    assert "5 appended incrementally" in " ".join(result.stdout.split())
