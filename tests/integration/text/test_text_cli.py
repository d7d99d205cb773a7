"""``kano text analyze`` as a user runs it after ``kano demo``."""

from __future__ import annotations

import json
import re
from pathlib import Path

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


def test_a_second_run_reads_the_stored_analysis_and_force_redoes_it(demo_folder: Path) -> None:
    first = json.loads(kano(demo_folder, "text", "analyze", "--json").stdout)
    again = kano(demo_folder, "text", "analyze", "--json")

    assert again.returncode == 0, again.stderr
    body = json.loads(again.stdout)
    assert body["analysis"]["run"] == "current"
    assert body["themes"] == first["themes"] and body["model"] == first["model"]
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
