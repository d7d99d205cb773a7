"""The demo generator writes the data-model tables reproducibly, and its planted effects
are what a plain regression on the written files recovers.

Everything here reads the Parquet files back; the regressions (``planted_effects``) are
rebuilt from the files and ``ground_truth.yaml`` alone, not from the generator's internals.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
import yaml

from kano.demo import (
    GROUND_TRUTH_FILE,
    SIZES,
    SizePreset,
    generate_company,
    generate_with_preset,
)
from kano.demo.chain import CHAIN, probability_bounds_hold
from kano.demo.randomness import CUSTOMERS_PER_BLOCK
from tests.unit.demo.planted_effects import ESTIMATORS, TABLES, Frames, read_company

DATA_MODEL = Path(__file__).parents[3] / "docs" / "data-model.md"
RECOVERY_PRESET = SizePreset("recovery", customers=12_000, headcount_scale=2.0)
RECOVERY_SEEDS = (1, 2)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _digests(folder: Path) -> dict[str, str]:
    return {p.name: _sha256(p) for p in sorted(folder.iterdir())}


@pytest.fixture(scope="module")
def small_company(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("company-s")
    generate_company("S", 7, out)
    return out


@pytest.fixture(scope="module", params=RECOVERY_SEEDS, ids=lambda s: f"seed{s}")
def recovery_company(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, Frames]:
    out = tmp_path_factory.mktemp(f"company-recovery-{request.param}")
    generate_with_preset(RECOVERY_PRESET, request.param, out)
    return out, read_company(out)


# --- reproducibility and streaming -------------------------------------------------------


def test_same_seed_gives_byte_identical_files(small_company: Path, tmp_path: Path) -> None:
    report = generate_company("S", 7, tmp_path / "again")
    assert _digests(tmp_path / "again") == _digests(small_company)
    assert report.rows["customers"] == SIZES["S"].customers
    assert 40_000 < report.total_rows < 60_000  # S is the ~50 k-row laptop demo


def test_different_seeds_give_different_data(small_company: Path, tmp_path: Path) -> None:
    generate_company("S", 8, tmp_path / "other")
    other = _digests(tmp_path / "other")
    same = _digests(small_company)
    for activity in ("customers", "transactions", "responses", "process_events", "pulses"):
        assert other[f"{activity}.parquet"] != same[f"{activity}.parquet"]
    # the structure of the company does not depend on the seed
    assert other["touchpoints.parquet"] == same["touchpoints.parquet"]


def test_chunked_streaming_writes_the_same_bytes_as_one_chunk(tmp_path: Path) -> None:
    """XL streams many chunks; a chunk of one block must give the very same files."""
    preset = SizePreset(
        "stream",
        customers=9_000,
        headcount_scale=1.0,
        row_group_rows=50_000,
        customers_per_chunk=3 * CUSTOMERS_PER_BLOCK,
    )
    one_chunk = generate_with_preset(preset, 3, tmp_path / "one")
    many = generate_with_preset(
        replace(preset, customers_per_chunk=CUSTOMERS_PER_BLOCK), 3, tmp_path / "many"
    )
    assert many.rows == one_chunk.rows
    assert _digests(tmp_path / "many") == _digests(tmp_path / "one")
    transactions = pq.ParquetFile(tmp_path / "many" / "transactions.parquet")
    assert transactions.metadata.num_row_groups == -(-many.rows["transactions"] // 50_000)
    assert transactions.metadata.row_group(0).num_rows == 50_000


def test_report_counts_match_files_and_ids_are_unique_across_chunks(tmp_path: Path) -> None:
    preset = SizePreset(
        "stream", customers=5_000, headcount_scale=1.0, customers_per_chunk=CUSTOMERS_PER_BLOCK
    )
    seen: dict[str, int] = {}
    report = generate_with_preset(
        preset, 5, tmp_path, on_progress=lambda t, n: seen.__setitem__(t, seen.get(t, 0) + n)
    )
    frames = read_company(tmp_path)
    assert report.rows == {name: len(frames[name]) for name in report.rows} == seen
    assert report.rows["customers"] == 5_000
    for table, key in (
        ("customers", "customer_id"),
        ("transactions", "transaction_id"),
        ("responses", "response_id"),
        ("process_events", "event_id"),
        ("payments", "payment_id"),
        ("pulses", "pulse_id"),
    ):
        ids = frames[table][key].to_numpy()
        assert np.array_equal(ids, np.arange(1, len(ids) + 1)), table
    customers = set(frames["customers"].customer_id)
    assert set(frames["transactions"].customer_id) <= customers
    assert set(frames["responses"].customer_id) <= customers
    transactions = set(frames["transactions"].transaction_id)
    assert set(frames["payments"].transaction_id) == transactions
    assert set(frames["responses"].transaction_id.dropna().astype(int)) <= transactions
    assert set(frames["process_events"].transaction_id.dropna().astype(int)) <= transactions


# --- schema ------------------------------------------------------------------------------

_MODEL_TYPES = {
    "int8": "int8",
    "int16": "int16",
    "int32": "int32",
    "int64": "int64",
    "float64": "double",
    "str": "string",
    "bool": "bool",
    "date32": "date32[day]",
    "timestamp[us]": "timestamp[us]",
}


def _data_model() -> dict[str, list[tuple[str, str, bool]]]:
    """(column, Arrow type, nullable) per table, parsed from docs/data-model.md."""
    tables: dict[str, list[tuple[str, str, bool]]] = {}
    for line in DATA_MODEL.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 3 or not cells[1].startswith("`"):
            continue
        columns = []
        for spec in re.sub(r"\([^)]*\)", "", cells[2]).split(", "):
            words = spec.split()
            name, kind = words[0], words[1]
            columns.append((name, _MODEL_TYPES[kind], "null" in words[2:]))
        tables[cells[1].strip("`")] = columns
    return tables


def test_every_table_matches_the_data_model(small_company: Path) -> None:
    model = _data_model()
    assert sorted(model) == sorted(TABLES)
    for table, columns in model.items():
        schema = pq.read_schema(small_company / f"{table}.parquet")
        found = [(f.name, str(f.type), f.nullable) for f in schema]
        assert found == columns, table


# --- comments ----------------------------------------------------------------------------

_LATE = {"en": ("late",), "ru": ("опозд",), "hu": ("késett", "késve", "késés")}
_ON_TIME = {"en": ("on time",), "ru": ("вовремя",), "hu": ("időben",)}


def test_comments_come_in_three_languages_and_fit_the_score(
    recovery_company: tuple[Path, Frames],
) -> None:
    responses = recovery_company[1]["responses"]
    commented = responses.dropna(subset=["comment"])
    assert set(commented.language) == {"en", "ru", "hu"}
    assert commented.language.value_counts().min() > 50
    delivery = commented.dropna(subset=["csat"]).assign(text=lambda d: d.comment.str.lower())
    for language in ("en", "ru", "hu"):
        rows = delivery[delivery.language == language]
        late = rows[rows.text.map(lambda t, w=_LATE[language]: any(x in t for x in w))]
        on_time = rows[rows.text.map(lambda t, w=_ON_TIME[language]: any(x in t for x in w))]
        assert len(late) > 20 and len(on_time) > 20, language
        assert late.csat.max() <= 2, language
        assert on_time.csat.min() >= 4, language
    scored = responses.dropna(subset=["nps"])
    writes = scored.comment.notna().groupby(scored.nps <= 6).mean()
    assert writes[True] > writes[False]  # detractors write more often


# --- recovery of the planted effects -----------------------------------------------------


def _effects(folder: Path) -> list[dict[str, object]]:
    truth = yaml.safe_load((folder / GROUND_TRUTH_FILE).read_text(encoding="utf-8"))
    effects: list[dict[str, object]] = truth["effects"]
    return effects


def test_ground_truth_lists_the_chain_decoys_and_bad_touchpoint(small_company: Path) -> None:
    truth = yaml.safe_load((small_company / GROUND_TRUTH_FILE).read_text(encoding="utf-8"))
    assert truth["seed"] == 7 and truth["size"] == "S"
    assert truth["generated_with"].startswith("kano ")
    touchpoints = pd.read_parquet(small_company / "touchpoints.parquet")
    assert truth["bad_touchpoint"] in set(touchpoints.key)
    effects = truth["effects"]
    assert sum(e["decoy"] for e in effects) >= 3
    assert all(e["size"] == 0 for e in effects if e["decoy"])
    assert {(e["cause"], e["effect"]) for e in effects} == set(ESTIMATORS)


def test_the_bad_touchpoint_has_the_lowest_delivery_csat(small_company: Path) -> None:
    truth = yaml.safe_load((small_company / GROUND_TRUTH_FILE).read_text(encoding="utf-8"))
    touchpoints = pd.read_parquet(small_company / "touchpoints.parquet")
    responses = pd.read_parquet(small_company / "responses.parquet").dropna(subset=["csat"])
    satisfied = (responses.csat >= 4).groupby(responses.touchpoint_id).mean()
    worst = touchpoints.set_index("touchpoint_id").key[satisfied.idxmin()]
    assert worst == truth["bad_touchpoint"]


def test_plain_regressions_recover_every_planted_effect(
    recovery_company: tuple[Path, Frames],
) -> None:
    folder, frames = recovery_company
    misses = []
    for effect in _effects(folder):
        size = float(effect["size"])  # type: ignore[arg-type]
        estimate, low, high = ESTIMATORS[(str(effect["cause"]), str(effect["effect"]))](frames)
        label = f"{effect['cause']} -> {effect['effect']}: {estimate:.5g} [{low:.5g}, {high:.5g}]"
        if not low <= size <= high:
            misses.append(f"{label} misses the planted {size}")
        if not effect["decoy"] and np.sign(estimate) != np.sign(size):
            misses.append(f"{label} has the wrong sign")
    assert not misses, "\n".join(misses)


def test_planted_probabilities_stay_strictly_between_zero_and_one() -> None:
    """Linearity needs no clipping: over every reachable cause value (engagement 1-5 with
    the largest monthly shocks, every delay and defect count, NPS 0-10) each planted
    probability stays inside (0, 1)."""
    assert probability_bounds_hold(CHAIN)
    steeper = replace(CHAIN, csat_probability_per_delay_day=-0.1)
    assert not probability_bounds_hold(steeper)


def test_every_delivered_order_is_checked_for_defects(small_company: Path) -> None:
    """The defect rate is the share of checked orders, so clean orders must be events too:
    with only damaged orders written the demo's defect rate read 100 %."""
    events = pd.read_parquet(small_company / "process_events.parquet")
    touchpoints = pd.read_parquet(small_company / "touchpoints.parquet")
    key_of = touchpoints.set_index("touchpoint_id").key
    checks = events[events.measure == "defects"]
    delays = events[events.measure == "delivery_delay_days"]
    checked, delivered = set(checks.transaction_id), set(delays.transaction_id)
    assert checks.transaction_id.is_unique
    # orders promised inside the span but arriving after it are not checked yet
    assert checked <= delivered and len(checked) >= 0.98 * len(delivered)
    share = (checks.value > 0).groupby(checks.touchpoint_id.map(key_of)).mean()
    assert share["delivery-field"] == pytest.approx(0.35, abs=0.03)
    others = share.drop("delivery-field")
    assert ((others - 0.04).abs() <= 0.015).all(), others.to_dict()
