"""The whole API over HTTP, as ``kano serve`` serves it: schemathesis against a real
uvicorn server on a free loopback port, on the demo company (size S: its customers,
responses, orders, journeys, strategy, OKRs and MBO sheets, and its warehouse), with a
write token — every operation, reads and writes, on SQLite and on PostgreSQL.

The other schemathesis runs (``schemathesis_run.RUNS``) call the app in process on a
small seeded workspace; this one sends real requests, through uvicorn's HTTP parsing,
to a workspace with demo-sized data, so an analysis, a metric or a strategy page meets
the rows a user has. Path parameters are often a real key of the demo (an objective, a
measure, a customer), so a case reaches the route's checks past the 404. Each case is
checked like every run: no 5xx, and status, media type, headers and body as the OpenAPI
document declares them. Only ``DELETE /tokens/current`` is left out: it would revoke the
run's own token (``test_write_schemathesis`` drives it with a token per case).

A body that is not JSON is sent to every operation that takes a JSON body: schemathesis'
generators only make JSON, and the answer (a 400) must be one the document declares.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from schemathesis import GenerationMode
from sqlalchemy import select

from kano.adapters.api.app import API_PREFIX
from kano.adapters.db import accounts
from kano.adapters.db.engine import transaction
from kano.adapters.db.orm import Workspace
from kano.adapters.importers.company_parquet import load_company
from kano.adapters.warehouse import ParquetSource
from kano.app import create_app
from kano.bootstrap import build_container
from kano.config import Settings
from kano.demo import generate_company
from kano.demo.strategy import import_demo_strategy
from kano.domain.workspaces import Scope
from tests.conftest import ENGINES
from tests.databases import DatabaseFactory, require_engine
from tests.integration.api.schemathesis_run import MODES, FuzzRun, fuzz, with_known
from tests.warehouses import load_into

RUN = FuzzRun("test_live_schemathesis.py", Scope.WRITE, r"/(?!tokens/current$)", examples=2)

KNOWN_FROM = {
    # path parameter: (list operation, field of its items)
    "customer_id": ("customers", "id"),
    "response_id": ("responses", "id"),
    "transaction_id": ("transactions", "id"),
    "case_id": ("cases", "id"),
    "pilot_id": ("pilots", "id"),
    "scorecard_key": ("scorecards", "key"),
    "objective_key": ("objectives", "key"),
    "measure_key": ("measures", "key"),
    "initiative_key": ("initiatives", "key"),
    "cycle_key": ("okr/cycles", "key"),
    "kr_key": ("okr/key-results", "key"),
    "sheet_key": ("mbo/sheets", "key"),
    "key": ("journeys", "key"),
    "code": ("products", "code"),
    "metric_id": ("metrics", "id"),
}  # fmt: skip


@dataclass(frozen=True)
class LiveApi:
    url: str
    """The API's base URL on the running server (``http://127.0.0.1:PORT/api/v1``)."""
    headers: dict[str, str]
    """A write token of the demo workspace."""
    known: dict[str, list[Any]]
    """Real values of path parameters, read from the API before the run."""


@pytest.fixture(scope="module")
def demo_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("live-api-demo")
    generate_company("S", 1, out)
    return out


def _known_values(url: str, headers: dict[str, str]) -> dict[str, list[Any]]:
    known: dict[str, list[Any]] = {}
    for name, (path, field) in KNOWN_FROM.items():
        listed = httpx.get(f"{url}/{path}", headers=headers, params={"limit": 3}, timeout=60)
        assert listed.status_code == 200, listed.text
        known[name] = [item[field] for item in listed.json()["items"][:3]]
    okr = httpx.get(f"{url}/okr/objectives", headers=headers, params={"limit": 3}, timeout=60)
    known["objective_key"] += [item["key"] for item in okr.json()["items"][:3]]
    return known


@pytest.fixture(scope="module", params=ENGINES)
def live_api(
    request: pytest.FixtureRequest,
    database_factory: DatabaseFactory,
    demo_data: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[LiveApi]:
    """The demo company in a fresh app database and warehouse, served by uvicorn."""
    engine: str = request.param
    require_engine(engine)
    url = database_factory.fresh(engine)
    warehouse = f"duckdb:///{tmp_path_factory.mktemp('live-api-warehouse') / 'w.duckdb'}"
    container = build_container(Settings(
        database_url=url, warehouse_url=warehouse,
        secret_key="test-secret-key-0123456789abcdef", demo_data_dir=str(demo_data),
    ))  # fmt: skip
    load_company(container.sessions, demo_data, "demo", "Northwind (demo)")
    import_demo_strategy(container.sessions, demo_data, "demo")
    with transaction(container.sessions) as session:
        workspace = session.scalars(select(Workspace).where(Workspace.slug == "demo")).one()
        workspace_id = workspace.id
        token = accounts.create_api_token(session, workspace, Scope.WRITE, "fuzz").token
    load_into(warehouse, ParquetSource(demo_data), workspace_id)

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(
        create_app(container=container), host="127.0.0.1", port=port,
        log_level="warning", access_log=False,
    ))  # fmt: skip
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    base = f"http://127.0.0.1:{port}{API_PREFIX}"
    headers = {"Authorization": f"Bearer {token}"}
    yield LiveApi(base, headers, _known_values(base, headers))
    server.should_exit = True
    thread.join(10)
    container.close()
    database_factory.drop(url)


@MODES
def test_every_operation_of_the_served_api_conforms_on_the_demo_company(
    live_api: LiveApi, mode: GenerationMode
) -> None:
    driven = fuzz(live_api.url, RUN, live_api.headers, mode,
                  prepare=with_known(mode, live_api.known))  # fmt: skip
    if mode is GenerationMode.POSITIVE:
        document = httpx.get(f"{live_api.url}/openapi.json", timeout=60).json()
        every = {
            f"{method.upper()} {path}" for path, methods in document["paths"].items()
            for method in methods
        }  # fmt: skip
        assert every - set(driven) == {"DELETE /tokens/current"}


def test_a_body_that_is_not_json_is_a_documented_400_everywhere(live_api: LiveApi) -> None:
    """Every operation that takes a JSON body answers unparseable bytes with a 400 that
    its OpenAPI entry declares (``POST /segments:preview`` answered an undeclared 400)."""
    document = httpx.get(f"{live_api.url}/openapi.json", timeout=60).json()
    undeclared = []
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            if "application/json" not in operation.get("requestBody", {}).get("content", {}):
                continue
            filled = path
            for name in [p["name"] for p in operation.get("parameters", []) if p["in"] == "path"]:
                filled = filled.replace(f"{{{name}}}", str((live_api.known.get(name) or ["x"])[0]))
            answer = httpx.request(
                method, f"{live_api.url}{filled}", content=b'\xff{"', timeout=60,
                headers={**live_api.headers, "Content-Type": "application/json"},
            )  # fmt: skip
            assert answer.status_code < 500, f"{method.upper()} {path}: {answer.text}"
            if str(answer.status_code) not in operation["responses"]:
                undeclared.append(f"{method.upper()} {path}: {answer.status_code}")
            elif answer.status_code == 400:
                assert answer.headers["content-type"] == "application/problem+json"
    assert undeclared == []
