"""``kano text analyze`` as a user runs it after ``kano demo``."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.integration.linkage.test_cli import kano


@pytest.fixture(scope="module")
def demo_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("text-demo")
    result = kano(folder, "demo", "--no-serve")
    assert result.returncode == 0, result.stderr
    return folder


def test_json_has_a_cross_validated_model_and_themes_per_segment(demo_folder: Path) -> None:
    result = kano(demo_folder, "text", "analyze", "--by", "segment", "--json")

    assert result.returncode == 0, result.stderr
    body = json.loads(result.stdout)
    assert body["comments"] > 500
    assert set(body["languages"]) == {"en", "ru", "hu"}
    assert body["model"]["status"] == "trained" and body["model"]["accuracy"] > 0.9
    assert {row["group"] for row in body["themes"]} >= {"smb"}
    assert body["negative_themes"][0]["negative"] > 0
    assert body["analysis"]["source"] == "stored", "stored, or current from an earlier test"
    assert body["analysis"]["not_analysed"] == 0


def _to_12_digits(value: Any) -> Any:
    """The report with its floats to 12 significant digits: DuckDB averages in parallel, in
    an order that varies between two reads of the same rows, so a mean's last bits can
    differ (0.8123813119871195 against …197, seen in CI)."""
    if isinstance(value, float):
        return float(f"{value:.12g}")
    if isinstance(value, dict):
        return {key: _to_12_digits(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_to_12_digits(item) for item in value]
    return value


def test_a_second_run_reads_the_stored_analysis_and_force_redoes_it(demo_folder: Path) -> None:
    first = json.loads(kano(demo_folder, "text", "analyze", "--json").stdout)
    again = kano(demo_folder, "text", "analyze", "--json")

    assert again.returncode == 0, again.stderr
    body = json.loads(again.stdout)
    assert body["analysis"]["run"] == "current"
    assert _to_12_digits(body["themes"]) == _to_12_digits(first["themes"])
    assert _to_12_digits(body["model"]) == _to_12_digits(first["model"])
    forced = json.loads(kano(demo_folder, "text", "analyze", "--json", "--force").stdout)
    assert forced["analysis"]["run"] == "stored"
    assert forced["analysis"]["analysed_at"] > body["analysis"]["analysed_at"]


def test_table_shows_the_ranking_and_a_bad_option_is_named(demo_folder: Path) -> None:
    table = kano(demo_folder, "text", "analyze")
    assert table.returncode == 0, table.stderr
    assert "Negative themes" in table.stdout and "Cross-validated accuracy" in table.stdout
    assert "impact 95 % interval" in table.stdout
    assert re.search(r"[−-]?\d+(\.\d+)? … [−-]?\d+(\.\d+)?", table.stdout), table.stdout
    wrong = kano(demo_folder, "text", "analyze", "--by", "mood")
    assert wrong.returncode != 0 and "--by" in wrong.stdout + wrong.stderr
