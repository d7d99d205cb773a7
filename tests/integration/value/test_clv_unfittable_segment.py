"""A segment the CLV models cannot be fitted to (only one-time buyers) is named with why,
and the other segments still get their CLV — through the analyses, the API and the CLI."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from kano.adapters.warehouse import ParquetSource, connect
from kano.analytics.value import views
from kano.config import Settings
from tests.integration.api.seed import SeededWorkspace
from tests.integration.value.pages import every_item
from tests.integration.warehouse.test_cli import kano
from tests.warehouses import load_into

from .conftest import WORKSPACE, Company
from .one_time_buyers import with_one_time_buyers


@pytest.fixture(scope="module")
def one_time_files(value_company: Company, tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("one-time") / "M-1"
    return with_one_time_buyers(value_company.folder, target, "key_account")


@pytest.fixture(scope="module")
def one_time_backend(value_company: Company, one_time_files: Path) -> Iterator[Any]:
    url = value_company.factory.new_url("duckdb")
    load_into(url, ParquetSource(one_time_files), WORKSPACE)
    backend = connect(url)
    yield backend
    backend.disconnect()


def test_the_other_segments_keep_their_clv(one_time_backend: Any) -> None:
    view = views.clv_view(one_time_backend, WORKSPACE)

    assert [f.segment for f in view.fits] == ["consumer", "smb"]
    assert {c["segment"] for c in view.customers} == {"consumer", "smb"}
    [problem] = view.problems
    assert (problem.segment, problem.reason, problem.repeat_buyers) == (
        "key_account", "few_repeat_buyers", 0)  # fmt: skip
    assert problem.customers > 0 and "at least 5" in problem.message
    statuses = {s["segment"]: s for s in view.statuses()}
    assert [statuses[k]["status"] for k in ("consumer", "key_account", "smb")] == [
        "fitted", "not_fitted", "fitted"]  # fmt: skip
    # The holdout check names it too, and checks the others.
    check = views.clv_view(one_time_backend, WORKSPACE, holdout=26.0)
    assert {b["segment"] for b in check.holdout} == {"consumer", "smb"}
    assert [p.segment for p in check.problems] == ["key_account"]


def test_asking_for_the_unfittable_segment_alone_names_it(one_time_backend: Any) -> None:
    with pytest.raises(views.ClvNotFitted) as raised:
        views.clv_view(one_time_backend, WORKSPACE, segment="key_account")
    assert raised.value.field == "segment"
    assert "key_account" in str(raised.value) and "repeat" in str(raised.value)


def test_the_api_answers_the_other_segments_and_says_why_one_is_missing(
    api: TestClient, acme: SeededWorkspace, settings: Settings, one_time_files: Path
) -> None:
    load_into(settings.resolved_warehouse_url(), ParquetSource(one_time_files), acme.workspace_id)

    response = api.get("/value/clv", headers=acme.auth())

    assert response.status_code == 200, response.text
    body = response.json()
    assert [f["segment"] for f in body["fits"]] == ["consumer", "smb"]
    items = every_item(api, "/value/clv", acme.auth())
    assert {i["segment"] for i in items} == {"consumer", "smb"}
    missing = [s for s in body["segments"] if s["status"] == "not_fitted"]
    assert missing == [{
        "segment": "key_account", "status": "not_fitted", "reason": "few_repeat_buyers",
        "message": missing[0]["message"], "customers": missing[0]["customers"],
        "repeat_buyers": 0,
    }]  # fmt: skip
    assert "at least 5" in missing[0]["message"]
    fitted = {s["segment"] for s in body["segments"] if s["status"] == "fitted"}
    assert fitted == {"consumer", "smb"}


def test_the_api_names_each_segment_when_none_can_be_fitted(
    api: TestClient, acme: SeededWorkspace, settings: Settings, one_time_files: Path
) -> None:
    load_into(settings.resolved_warehouse_url(), ParquetSource(one_time_files), acme.workspace_id)

    response = api.get("/value/clv", params={"segment": "key_account"}, headers=acme.auth())

    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["code"] == "clv_not_fitted"
    assert problem["errors"][0]["field"] == "segment"
    assert problem["detail"].startswith(
        "segment: the CLV models could not be fitted to any segment asked for"
    )
    assert "key_account: too few repeat buyers" in problem["detail"]
    [segment] = problem["segments"]
    assert segment["segment"] == "key_account" and segment["status"] == "not_fitted"
    assert (segment["reason"], segment["repeat_buyers"]) == ("few_repeat_buyers", 0)
    assert segment["customers"] > 0 and "at least 5" in segment["message"]


@pytest.fixture(scope="module")
def demo_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``kano demo`` run, then its warehouse reloaded with key accounts' first orders only."""
    folder = tmp_path_factory.mktemp("value-demo-one-time")
    result = kano(folder, "demo", "--no-serve")
    assert result.returncode == 0, result.stderr
    files = with_one_time_buyers(folder / "demo-data", folder / "one-time", "key_account")
    url = f"duckdb:///{folder / 'kano.duckdb'}"
    backend = connect(url, read_only=True)
    try:
        [workspace] = backend.table("transactions").workspace_id.to_pandas().unique()
    finally:
        backend.disconnect()
    load_into(url, ParquetSource(files), int(workspace))
    return folder


def test_the_cli_prints_the_other_segments_and_says_why_one_is_missing(
    demo_folder: Path,
) -> None:
    result = kano(demo_folder, "value", "clv", "--json")
    assert result.returncode == 0, result.stderr
    assert {r["segment"] for r in json.loads(result.stdout)} == {"consumer", "smb"}
    assert "segment key_account not fitted (few_repeat_buyers)" in result.stderr
    assert "use --pooled" in result.stderr

    result = kano(demo_folder, "value", "clv", "--params-json")
    assert result.returncode == 0, result.stderr
    fits = {f["segment"]: f for f in json.loads(result.stdout)}
    assert fits["key_account"]["status"] == "not_fitted" and "bg_nbd" in fits["smb"]

    table = kano(demo_folder, "value", "clv")
    assert table.returncode == 0, table.stderr
    assert re.search(r"key_account\s*│\s*[\d,]+\s*│\s*not fitted", table.stdout), table.stdout


def test_the_cli_names_the_segment_and_why_when_none_can_be_fitted(demo_folder: Path) -> None:
    result = kano(demo_folder, "value", "clv", "--segment", "key_account")

    assert result.returncode == 2 and result.stdout == ""
    errors = " ".join(result.stderr.split())  # Rich wraps the error line
    assert "segment key_account not fitted (few_repeat_buyers)" in errors
    assert "leave out --segment and use --pooled" in errors
    assert "its customers are left out" not in errors
    assert (
        "Error: --segment: the CLV models could not be fitted to any segment asked for, so there "
        "is no CLV to show — key_account: too few repeat buyers"
    ) in errors
