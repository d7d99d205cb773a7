"""``kano analyze links|drivers`` as a user runs them, on the demo company."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from tests.integration.warehouse.test_cli import kano


@pytest.fixture(scope="module")
def demo_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("analyze-demo")
    result = kano(folder, "demo", "--no-serve")
    assert result.returncode == 0, result.stderr
    return folder


def test_links_json_lists_every_ground_truth_link_with_its_evidence(demo_folder: Path) -> None:
    truth_file = demo_folder / "demo-data" / "ground_truth.yaml"
    truth = yaml.safe_load(truth_file.read_text(encoding="utf-8"))["effects"]

    result = kano(demo_folder, "analyze", "links", "--links", str(truth_file), "--json")

    assert result.returncode == 0, result.stderr
    records = json.loads(result.stdout)
    assert [(r["cause"], r["effect"], r["lag"]) for r in records] == [
        (e["cause"], e["effect"], str(e["lag"])) for e in truth
    ]
    powered = set()
    for record, effect in zip(records, truth, strict=True):
        assert list(record)[:9] == ["cause", "effect", "estimate", "ci_low", "ci_high", "lag",
                                    "n", "method", "verdict"]  # fmt: skip
        low, high = record["ci_low"], record["ci_high"]
        assert low <= record["estimate"] <= high
        assert (record["verdict"] == "not supported") == (low <= 0 <= high), record
        if effect["decoy"]:
            assert record["verdict"] == "not supported", record
            continue
        # At the demo's size S some planted links are too weak to tell from none (NPS on
        # churn, on spend: about two standard errors, found in one draw and not the next).
        # Each one planted at least four standard errors from zero (the interval's own)
        # is found with the planted sign in all but ~2 % of draws: that much is asserted.
        standard_error = (high - low) / (2 * 1.959964)
        if abs(effect["size"]) >= 4 * standard_error:
            powered.add((effect["cause"], effect["effect"]))
            assert record["verdict"] == "supported", record
            assert (record["estimate"] > 0) == (effect["size"] > 0), record
    # among them the OX -> CX links and orders -> revenue (each 6+ standard errors from zero
    # at S; NPS -> repurchase is about 4, and the EX -> OX team-month links, estimated
    # within teams net of month effects, about 3)
    assert {("delivery_delay_days", "csat"), ("delivery_delay_days", "nps"),
            ("first_response_minutes", "ces"), ("orders", "revenue")} <= powered  # fmt: skip


def test_links_table_and_default_chain(demo_folder: Path) -> None:
    result = kano(demo_folder, "analyze", "links")

    assert result.returncode == 0, result.stderr
    assert "engagement → delivery_delay_days" in result.stdout
    assert "not supported" in result.stdout


def test_drivers_rank_delivery_delay_first_for_nps(demo_folder: Path) -> None:
    result = kano(demo_folder, "analyze", "drivers", "--outcome", "nps", "--json",
                  "--bootstrap", "100")  # fmt: skip

    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["drivers"][0]["driver"] == "delivery_delay_days"
    assert sum(d["weight"] for d in payload["drivers"]) == pytest.approx(payload["r_squared"])


def test_drivers_say_each_ones_performance_on_its_own_scale(demo_folder: Path) -> None:
    """The demo's NPS drivers: a stage's CSAT on 1–5 and the delivery delay against the
    demo scorecard's target (0.5 days), in the JSON and in the table."""
    result = kano(demo_folder, "analyze", "drivers", "--json", "--bootstrap", "0")
    table = kano(demo_folder, "analyze", "drivers", "--bootstrap", "0")

    assert result.returncode == table.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    drivers = {d["driver"]: d for d in payload["drivers"]}
    csat, delay = drivers["delivery csat"], drivers["delivery_delay_days"]
    assert csat["performance_basis"] == "scale"
    assert csat["performance_share"] == pytest.approx((csat["performance"] - 1) / 4)
    assert (delay["performance_basis"], delay["performance_target"]) == ("target", 0.5)
    assert 0 < delay["performance_share"] < 1 and payload["performance_mark"] == pytest.approx(
        2 / 3)
    assert "measured against" in table.stdout and "the 1–5 scale" in table.stdout
    assert f"{csat['performance_share']:.0%}" in table.stdout


def test_drivers_name_the_candidates_left_out_and_a_lower_coverage_ranks_them(
    demo_folder: Path,
) -> None:
    default = kano(demo_folder, "analyze", "drivers", "--json", "--bootstrap", "0")
    lower = kano(demo_folder, "analyze", "drivers", "--json", "--bootstrap", "0",
                 "--min-coverage", "0.1")  # fmt: skip
    table = kano(demo_folder, "analyze", "drivers", "--bootstrap", "0")

    assert default.returncode == lower.returncode == table.returncode == 0, default.stderr
    wide, narrow = json.loads(default.stdout), json.loads(lower.stdout)
    coverage = {d["driver"]: d["coverage"] for d in wide["left_out_coverage"]}
    thin = {key for key, share in coverage.items() if share >= 0.1}
    assert thin and wide["min_coverage"] == 0.3 and max(coverage.values()) < 0.3
    assert [d["driver"] for d in wide["left_out_coverage"]] == sorted(
        coverage, key=lambda key: (-coverage[key], key))
    named = {d["driver"]: d["name"] for d in wide["left_out_coverage"]}
    first_response = "First response time (minutes)"
    assert named["first_response_minutes"] == first_response
    assert all("_" not in n for n in named.values())
    assert {d["driver"] for d in narrow["drivers"]} == (
        {d["driver"] for d in wide["drivers"]} | thin)
    assert narrow["n"] < wide["n"]
    assert f"{wide['n']:,} responses have a value for every kept driver" in table.stdout
    assert "Left out: coverage below 30%" in table.stdout
    share = f"{coverage['first_response_minutes']:.0%}"
    assert re.search(rf"│ {re.escape(first_response)} +│ +{share} │", table.stdout), table.stdout


def test_drivers_of_churn_for_one_segment(demo_folder: Path) -> None:
    result = kano(demo_folder, "analyze", "drivers", "--outcome", "churn", "--segment", "smb",
                  "--json", "--bootstrap", "50")  # fmt: skip

    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["outcome"] == "churn" and payload["drivers"]
    assert sum(d["weight"] for d in payload["drivers"]) == pytest.approx(payload["r_squared"])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("links", "--links", "missing.yaml"), "--links: cannot read"),
        (("drivers", "--outcome", "mood"), "outcome: choose one of nps"),
        (("drivers", "--drivers", "horoscope"), "drivers: unknown horoscope"),
        (("drivers", "--segment", "martians"), "where.segment: unknown segment martians"),
        (("drivers", "--min-coverage", "0.999"), "--min-coverage: no candidate driver is met"),
    ],
)
def test_bad_options_say_what_to_do(demo_folder: Path, args: tuple[str, ...], message: str) -> None:
    result = kano(demo_folder, "analyze", *args)

    assert result.returncode == 2
    assert message in result.stderr
