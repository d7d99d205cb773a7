"""``kano value …`` as a user runs it after ``kano demo``, and on a transaction file."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pandas as pd
import pytest

from tests.integration.linkage.test_cli import kano
from tests.unit.value.cdnow import dataset, sample_transactions


@pytest.fixture(scope="module")
def demo_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("value-demo")
    result = kano(folder, "demo", "--no-serve")
    assert result.returncode == 0, result.stderr
    return folder


def run_json(folder: Path, *args: str) -> object:
    result = kano(folder, "value", *args)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_clv_json_gives_every_buying_customer_a_value(demo_folder: Path) -> None:
    """Every buying customer of every segment is valued. The demo's key accounts (36, with
    ~100 order days each) differ per order as much as the others (log spread ~0.9), but
    their averages over so many days carry almost none of it, and their Gamma-Gamma
    likelihood rises for ever along p (lifetimes raises ConvergenceError): they are valued
    by the limit p → ∞, each account's own average order value, and the output says so."""
    result = kano(demo_folder, "value", "clv", "--json")
    assert result.returncode == 0, result.stderr
    assert "not fitted" not in result.stderr
    records = json.loads(result.stdout)
    orders = pd.read_parquet(demo_folder / "demo-data" / "transactions.parquet")
    assert {r["segment"] for r in records} == {"smb", "consumer", "key_account"}
    assert all(r["clv"] >= 0 and 0 <= r["p_alive"] <= 1 for r in records)
    by_segment = pd.DataFrame(records).groupby("segment")["clv"].mean()
    assert by_segment["key_account"] > by_segment["smb"] > by_segment["consumer"]
    assert sorted(r["customer_id"] for r in records) == sorted(set(orders["customer_id"]))
    for r in records:
        if r["segment"] == "key_account" and r["frequency"] > 0:
            assert r["expected_spend"] == r["monetary"]
    fits = {f["segment"]: f["gamma_gamma"] for f in run_json(demo_folder, "clv", "--params-json")}
    assert fits["key_account"]["own_average"] and fits["key_account"]["p"] is None
    assert fits["key_account"]["note"] == (
        "each customer's own average order value: the data show no spread per order"
    )
    assert not fits["smb"]["own_average"] and fits["smb"]["p"] > 0
    table = kano(demo_folder, "value", "clv")
    assert "key_account *" in table.stdout
    assert "the data show no spread per order" in " ".join(table.stdout.split())


def test_clv_params_json_on_the_cdnow_sample_file(tmp_path: Path) -> None:
    log = sample_transactions()
    path = tmp_path / "cdnow.csv"
    log[["customer", "date", "amount"]].to_csv(path, index=False)
    params = run_json(tmp_path, "clv", "--from-csv", str(path), "--customer-col", "customer",
                      "--date-col", "date", "--amount-col", "amount", "--calibration-end",
                      "1997-09-30", "--time-unit", "week", "--params-json")  # fmt: skip
    assert isinstance(params, dict)
    bg, gg = params["bg_nbd"], params["gamma_gamma"]
    assert params["customers"] == 2357 and gg["repeat_buyers"] == 946
    assert [float(f"{bg[k]:.3g}") for k in ("r", "alpha", "a", "b")] == [0.243, 4.41, 0.793, 2.43]
    assert round(bg["log_likelihood"], 1) == pytest.approx(-9582.4, abs=0.1)
    assert [float(f"{gg[k]:.3g}") for k in ("p", "q", "gamma")] == [6.25, 3.74, 15.4]


def test_holdout_check_on_the_cdnow_sample_file(tmp_path: Path) -> None:
    path = tmp_path / "cdnow.csv"
    sample_transactions()[["customer", "date", "amount"]].to_csv(path, index=False)
    rows = run_json(tmp_path, "clv", "--from-csv", str(path), "--customer-col", "customer",
                    "--calibration-end", "1997-09-30", "--holdout", "39", "--json")  # fmt: skip
    assert isinstance(rows, list)
    assert [r["frequency"] for r in rows] == ["0", "1", "2", "3", "4", "5", "6", "7+"]
    assert sum(r["customers"] for r in rows) == 2357
    assert rows[0]["actual"] == pytest.approx(0.237, abs=0.001)  # FHL (2005) figure 4
    assert rows[0]["predicted"] == pytest.approx(0.225, abs=0.001)


def test_clv_params_json_on_cdnow_master_as_shipped(tmp_path: Path) -> None:
    master = str(dataset("CDNOW_master.txt"))
    params = run_json(tmp_path, "clv", "--from-csv", master, "--params-json",
                      "--customer-col", "customer_id", "--date-col", "date", "--amount-col",
                      "dollar_value", "--calibration-end", "1997-09-30")  # fmt: skip
    assert isinstance(params, dict)
    assert params["customers"] == 23570
    assert 0.2 < params["bg_nbd"]["r"] < 0.3 and params["gamma_gamma"]["q"] > 1


def test_rfm_csv_and_table(demo_folder: Path) -> None:
    result = kano(demo_folder, "value", "rfm", "--csv")
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(rows[0]) == ["customer_id", "recency_days", "frequency", "monetary", "r", "f",
                             "m", "segment"]  # fmt: skip
    assert {row["r"] for row in rows} == {"1", "2", "3", "4", "5"}
    assert "Champions" in {row["segment"] for row in rows}
    table = kano(demo_folder, "value", "rfm")
    assert table.returncode == 0 and "share of revenue" in table.stdout


def test_rfm_transitions_account_for_every_customer(demo_folder: Path) -> None:
    now = run_json(demo_folder, "rfm", "--json", "--as-of", "2026-10-01")
    then = run_json(demo_folder, "rfm", "--json", "--as-of", "2026-04-01")
    moves = run_json(demo_folder, "rfm", "--json", "--as-of", "2026-10-01",
                     "--transitions-from", "2026-04-01")  # fmt: skip
    assert isinstance(now, list) and isinstance(then, list) and isinstance(moves, list)
    arrived = sum(m["customers"] for m in moves if m["from"] != "(none)")
    stayed_on = sum(m["customers"] for m in moves if m["to"] != "(none)")
    assert arrived == len(then) and stayed_on == len(now)
    champions = {r["customer_id"] for r in then if r["segment"] == "Champions"}
    still = {r["customer_id"] for r in now if r["segment"] == "Champions"}
    kept = next(m["customers"] for m in moves if (m["from"], m["to"]) == ("Champions",) * 2)
    assert kept == len(champions & still)


def test_matrix_places_every_account_with_a_strategy(demo_folder: Path) -> None:
    records = run_json(demo_folder, "matrix", "--json")
    assert isinstance(records, list) and records
    customers = pd.read_parquet(demo_folder / "demo-data" / "customers.parquet")
    accounts = set(customers.loc[customers["kind"] == "account", "customer_id"])
    assert {r["customer_id"] for r in records} <= accounts
    cells = {(r["attractiveness_level"], r["relationship_level"]) for r in records}
    assert len(cells) == 9
    assert all(r["strategy"] for r in records)


def test_matrix_movements_between_two_days(demo_folder: Path) -> None:
    then = run_json(demo_folder, "matrix", "--json", "--as-of", "2026-04-01")
    now = run_json(demo_folder, "matrix", "--json", "--as-of", "2026-10-01")
    moves = run_json(demo_folder, "matrix", "--json", "--as-of", "2026-10-01",
                     "--movements-from", "2026-04-01")  # fmt: skip
    assert isinstance(then, list) and isinstance(now, list) and isinstance(moves, list)
    both = {r["customer_id"] for r in then} & {r["customer_id"] for r in now}
    assert sum(m["accounts"] for m in moves) == len(both)
    cell = {r["customer_id"]: (r["attractiveness_level"], r["relationship_level"]) for r in now}
    stayed_high = sum(m["accounts"] for m in moves
                      if m["to_attractiveness"] == m["from_attractiveness"] == "high")  # fmt: skip
    before = {r["customer_id"]: r["attractiveness_level"] for r in then}
    assert stayed_high == sum(1 for c in both if before[c] == "high" == cell[c][0])


def test_profit_attribution_adds_up(demo_folder: Path) -> None:
    payload = run_json(demo_folder, "profit", "--json", "--costs-before", "1000",
                       "--costs-after", "1500", "--industry", "retail")  # fmt: skip
    assert isinstance(payload, dict)
    contributions = [lever["contribution"] for lever in payload["levers"]]
    assert sum(contributions) == pytest.approx(payload["change"], rel=1e-12)
    assert payload["change"] == pytest.approx(payload["profit_after"] - payload["profit_before"])
    assert payload["levers"][2]["label"] == "Average check"
    assert payload["levers"][5]["contribution"] == pytest.approx(-500)


def test_churn_json_reports_quality_and_reasons(demo_folder: Path) -> None:
    payload = run_json(demo_folder, "churn", "--json")
    assert isinstance(payload, dict)
    assert 0.5 < payload["holdout_auc"] <= 1
    assert len(payload["reliability"]) >= 5
    customers = payload["customers"]
    assert all(0 <= c["churn_risk"] <= 1 for c in customers)  # rounded to 4 places
    assert customers[0]["churn_risk"] >= customers[-1]["churn_risk"]
    assert customers[0]["reasons"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("clv", "--time-unit", "fortnight"), "--time-unit: choose one of day, week, month"),
        (
            ("clv", "--calibration-end", "1990-01-01"),
            "--calibration-end: no order on or before 1990-01-01",
        ),
        (("clv", "--segment", "smb", "--holdout", "100000"), "--holdout: no order on or before"),
        (("clv", "--from-csv", "missing.csv", "--calibration-end", "1997-09-30"), "--from-csv"),
        (("rfm", "--as-of", "yesterday"), "--as-of: 'yesterday' is not a date"),
        (("churn", "--method", "forest"), "--method: choose logistic or boosting"),
        (("rfm", "--segment", "whales"), "segment: unknown segment 'whales'"),
    ],
)
def test_friendly_errors(demo_folder: Path, args: tuple[str, ...], message: str) -> None:
    result = kano(demo_folder, "value", *args)
    assert result.returncode == 2
    assert message in " ".join((result.stdout + result.stderr).split())


def test_rfm_with_segments_of_ones_own(demo_folder: Path) -> None:
    rules = demo_folder / "segments.yaml"
    rules.write_text("segments:\n"
                     "  - name: Stars\n    recency: [4, 5]\n    frequency_monetary: [4, 5]\n"
                     "  - name: Everyone else\n    recency: [1, 5]\n"
                     "    frequency_monetary: [1, 5]\n", encoding="utf-8")  # fmt: skip
    rows = run_json(demo_folder, "rfm", "--json", "--segments", str(rules))
    assert isinstance(rows, list)
    assert {row["segment"] for row in rows} == {"Stars", "Everyone else"}
    for row in rows:
        star = row["r"] >= 4 and (row["f"] + row["m"] + 1) // 2 >= 4
        assert (row["segment"] == "Stars") == star
    rules.write_text("segments:\n  - name: Stars\n    recency: [0, 5]\n", encoding="utf-8")
    bad = kano(demo_folder, "value", "rfm", "--segments", str(rules))
    assert bad.returncode == 2
    assert "segments[0].recency (line 3)" in " ".join((bad.stdout + bad.stderr).split())
