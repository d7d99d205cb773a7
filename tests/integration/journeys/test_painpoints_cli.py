"""``kano analyze painpoints`` as a user runs it after ``kano demo``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.integration.linkage.test_cli import kano


@pytest.fixture(scope="module")
def demo_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("painpoints-demo")
    result = kano(folder, "demo", "--no-serve")
    assert result.returncode == 0, result.stderr
    return folder


def test_json_ranks_the_planted_touchpoint_first(demo_folder: Path) -> None:
    result = kano(demo_folder, "analyze", "painpoints", "--journey", "smb", "--segment", "*",
                  "--json")  # fmt: skip
    assert result.returncode == 0, result.stderr
    records = json.loads(result.stdout)
    top = records[0]
    assert (top["journey"], top["rank"], top["touchpoint"]) == ("smb", 1, "delivery-field")
    assert [r["rank"] for r in records] == list(range(1, len(records) + 1))
    assert [r["priority"] for r in records] == sorted((r["priority"] for r in records),
                                                      reverse=True)  # fmt: skip
    # the planted harm: delivery CSAT whose whole interval lies below the journey's bar
    score = top["score"]
    assert score["measure"] == "csat" and score["ci"]["high"] < score["bar"]
    # revenue at risk has no planted size (the harm is planted in CSAT, not in churn): it
    # comes with its interval and its parts, whatever its sign
    low, high = top["revenue_at_risk_ci"]["low"], top["revenue_at_risk_ci"]["high"]
    assert low <= top["revenue_at_risk"] <= high
    assert top["revenue_at_risk"] == pytest.approx(
        top["revenue_of_poor"] * top["churn"]["uplift"]
    )


def test_table_and_friendly_errors(demo_folder: Path) -> None:
    table = kano(demo_folder, "analyze", "painpoints", "--journey", "key-account")
    assert table.returncode == 0, table.stderr
    assert "delivery-field (delivery)" in table.stdout
    assert "revenue at risk" in table.stdout
    wrong = kano(demo_folder, "analyze", "painpoints", "--journey", "ghost")
    assert wrong.returncode != 0
    assert "known: key-account, smb, consumer" in wrong.stdout + wrong.stderr
    bad_day = kano(demo_folder, "analyze", "painpoints", "--from", "yesterday")
    assert bad_day.returncode != 0 and "--from" in bad_day.stdout + bad_day.stderr
