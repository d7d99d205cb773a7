"""``/metrics``: the catalogue, and metrics computed per slice on a real DuckDB warehouse.

The warehouse holds two generated demo companies (seed 1 as acme, seed 2 as globex), so a
number that crossed tenants would show. Every figure the API returns is compared with
``compute_metric`` run directly on the same file.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import date
from io import BytesIO, StringIO
from pathlib import Path
from typing import Any

import duckdb
import pytest
import yaml
from openpyxl import load_workbook
from schemathesis import GenerationMode
from sqlalchemy.orm import Session, sessionmaker
from starlette.applications import Starlette
from starlette.testclient import TestClient

from kano.adapters.db.engine import transaction
from kano.adapters.db.orm import CustomMetricRow
from kano.config import Settings
from kano.metrics import Layer, MetricRow, built_in_catalogue, load_custom_metrics
from tests.integration.api.problems import assert_invalid_field, assert_problem
from tests.integration.api.schemathesis_run import MODES, RUNS, fuzz, with_known
from tests.integration.api.seed import SeededWorkspace
from tests.integration.metric_warehouse import DemoWarehouseFiles, engine_rows

CATALOGUE = built_in_catalogue()
NPS = CATALOGUE.get("nps")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BIG_ORDERS = {
    "id": "big_order_share", "name": {"en": "Big orders", "ru": "Крупные заказы",
                                      "hu": "Nagy rendelések"},
    "layer": "TX", "unit": "%", "direction": "higher", "format": ".1f",
    "source": "transactions", "aggregate": "share", "condition": "amount > 1000",
}


@pytest.fixture(scope="session")
def demo_files(tmp_path_factory: pytest.TempPathFactory) -> DemoWarehouseFiles:
    return DemoWarehouseFiles(tmp_path_factory.mktemp("metric-api-warehouses"))


@pytest.fixture
def warehouse(
    settings: Settings, demo_files: DemoWarehouseFiles, acme: SeededWorkspace,
    globex: SeededWorkspace,
) -> str:
    """The test's warehouse URL, holding demo company 1 as acme and 2 as globex."""
    return demo_files.install(settings.resolved_warehouse_url(),
                              {acme.workspace_id: 1, globex.workspace_id: 2})


def as_json(rows: list[MetricRow]) -> list[dict[str, Any]]:
    return [
        {"keys": dict(row.keys), "value": row.value, "n": row.n, "ci_low": row.ci_low,
         "ci_high": row.ci_high, "previous_value": row.previous_value, "change": row.change,
         "components": dict(row.components)}
        for row in rows
    ]


def test_catalogue_lists_every_built_in_metric_with_its_names(
    api: TestClient, acme: SeededWorkspace
) -> None:
    response = api.get("/metrics", headers=acme.auth())

    assert response.status_code == 200
    items = response.json()["items"]
    assert [item["id"] for item in items] == CATALOGUE.ids()
    nps = items[0]
    assert nps["names"] == {"en": "Net Promoter Score",
                            "ru": "Индекс потребительской лояльности (NPS)",
                            "hu": "Nettó ajánlói pontszám (NPS)"}
    assert (nps["layer"], nps["unit"], nps["direction"], nps["source"]) == (
        "CX", "points", "higher", "responses")


def test_description_display_follows_accept_language_and_description_stays_english(
    api: TestClient, acme: SeededWorkspace, warehouse: str
) -> None:
    nps = CATALOGUE.get("nps")
    english = api.get("/metrics", headers=acme.auth())
    russian = api.get("/metrics", headers=acme.auth() | {"Accept-Language": "ru-RU,ru;q=0.9"})
    hungarian = api.get("/metrics/nps?by=quarter",
                        headers=acme.auth() | {"Accept-Language": "de, hu;q=0.5"})

    assert english.headers["content-language"] == "en"
    assert english.json()["items"][0]["description_display"] == nps.description
    assert russian.headers["content-language"] == "ru"
    assert "accept-language" in russian.headers["vary"].lower()
    first = russian.json()["items"][0]
    assert (first["description"], first["description_display"]) == (
        nps.description, nps.describe("ru"))
    assert "промоутеров" in first["description_display"]
    assert hungarian.json()["metric"]["description_display"] == nps.describe("hu")
    assert hungarian.json()["metric"]["description"] == nps.description
    assert "accept-language" in hungarian.headers["vary"].lower()


def test_custom_metrics_of_the_workspace_are_listed_and_computed(
    api: TestClient, acme: SeededWorkspace, globex: SeededWorkspace, warehouse: str,
    sessions: sessionmaker[Session],
) -> None:
    with transaction(sessions) as session:
        session.add(CustomMetricRow(workspace_id=acme.workspace_id, key=BIG_ORDERS["id"],
                                    definition=BIG_ORDERS, position=0))

    listed = api.get("/metrics", headers=acme.auth()).json()["items"]
    computed = api.get("/metrics/big_order_share?by=quarter", headers=acme.auth())

    assert (listed[-1]["id"], listed[-1]["custom"], listed[0]["custom"]) == (
        "big_order_share", True, False)
    (metric,) = load_custom_metrics(yaml.safe_dump({"metrics": [BIG_ORDERS]}))
    assert computed.json()["rows"] == as_json(
        engine_rows(warehouse, metric, acme.workspace_id, by=["quarter"]))
    assert_problem(api.get("/metrics/big_order_share", headers=globex.auth()), 404)


def test_catalogue_filters_by_layer(api: TestClient, acme: SeededWorkspace) -> None:
    items = api.get("/metrics?layer=EX", headers=acme.auth()).json()["items"]

    assert [item["id"] for item in items] == [m.id for m in CATALOGUE if m.layer is Layer.EX]


def test_catalogue_needs_a_token(api: TestClient) -> None:
    assert_problem(api.get("/metrics"), 401)


def test_nps_by_month_and_segment_equals_the_engine(
    api: TestClient, acme: SeededWorkspace, warehouse: str
) -> None:
    response = api.get("/metrics/nps?by=month,segment", headers=acme.auth())

    assert response.status_code == 200, response.text
    body = response.json()
    expected = engine_rows(warehouse, NPS, acme.workspace_id, by=["month", "segment"])
    assert len(expected) > 20
    assert body["rows"] == as_json(expected)
    assert body["by"] == ["month", "segment"]
    assert (body["metric"]["id"], body["compare"], body["from"], body["to"]) == (
        "nps", False, None, None)
    first = body["rows"][0]
    assert list(first["keys"]) == ["month", "segment"]
    assert first["ci_low"] <= first["value"] <= first["ci_high"]


def test_filters_period_condition_and_comparison_reach_the_engine(
    api: TestClient, acme: SeededWorkspace, warehouse: str
) -> None:
    response = api.get(
        "/metrics/aov", headers=acme.auth(),
        params={"by": ["quarter", "channel"], "filter": "segment=smb,key_account",
                "from": "2025-01-01", "to": "2025-12-31", "where": "amount > 100",
                "compare": "true"},
    )

    assert response.status_code == 200, response.text
    expected = engine_rows(
        warehouse, CATALOGUE.get("aov"), acme.workspace_id, by=["quarter", "channel"],
        filters={"segment": ["smb", "key_account"]},
        period=(date(2025, 1, 1), date(2025, 12, 31)),
        where="amount > 100", compare=True,
    )
    rows = response.json()["rows"]
    assert rows == as_json(expected)
    assert any(row["previous_value"] is not None for row in rows)
    assert response.json()["filters"] == {"segment": ["smb", "key_account"]}


def test_csv_and_xlsx_read_back_to_the_same_numbers(
    api: TestClient, acme: SeededWorkspace, warehouse: str
) -> None:
    expected = engine_rows(warehouse, NPS, acme.workspace_id, by=["month", "segment"])
    wanted = [[row.key("month"), row.key("segment"), row.value, row.ci_low, row.ci_high, row.n]
              for row in expected]

    as_csv = api.get("/metrics/nps?by=month,segment&format=csv", headers=acme.auth())
    as_xlsx = api.get("/metrics/nps?by=month,segment",
                      headers={**acme.auth(), "Accept": f"application/json;q=0.5, {XLSX}"})

    assert as_csv.headers["content-type"] == "text/csv; charset=utf-8"
    assert as_csv.headers["content-disposition"] == (
        'attachment; filename="acme-nps-by-month-segment.csv"')
    table = list(csv.reader(StringIO(as_csv.text)))
    assert table[0] == ["month", "segment", "value", "ci_low", "ci_high", "n"]
    assert [[m, s, float(v), float(lo), float(hi), int(n)] for m, s, v, lo, hi, n in table[1:]] \
        == wanted
    assert as_xlsx.headers["content-type"] == XLSX
    sheet = load_workbook(BytesIO(as_xlsx.content)).worksheets[0]
    cells = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert cells[0] == ["month", "segment", "value", "ci_low", "ci_high", "n"]
    # openpyxl writes 16 significant digits (Excel keeps 15), so the last bit may differ.
    assert [row[:2] for row in cells[1:]] == [row[:2] for row in wanted]
    assert [row[2:] for row in cells[1:]] == [pytest.approx(row[2:], rel=1e-14) for row in wanted]


def test_accept_header_picks_the_format_and_json_is_the_default(
    api: TestClient, acme: SeededWorkspace, warehouse: str
) -> None:
    def media(accept: str | None) -> str:
        headers = acme.auth() | ({"Accept": accept} if accept else {})
        response = api.get("/metrics/responses?by=year", headers=headers)
        kind = response.headers["content-type"].split(";")[0]
        # JSON carries description_display, in the Accept-Language's language; files do not.
        assert response.headers["vary"] == (
            "Accept, Accept-Language" if kind == "application/json" else "Accept")
        return kind

    assert media(None) == "application/json"
    assert media("*/*") == "application/json"
    assert media("text/csv") == "text/csv"
    assert media("text/html, text/csv;q=0.9, application/json;q=0.8") == "text/csv"
    assert media("text/html") == "application/json"
    assert api.get("/metrics/responses?format=json", headers=acme.auth() | {
        "Accept": "text/csv"}).headers["content-type"] == "application/json"


@pytest.mark.parametrize(("query", "field"), [
    ("by=bogus", "by"),
    ("by=day,month", "by"),
    ("filter=bogus=1", "filter"),
    ("filter=segment", "filter"),
    ("filter=consent_contact=maybe", "filter"),
    ("from=2025-02-30&to=2025-03-01", "from"),
    ("from=20250101&to=2025-03-01", "from"),
    ("from=2025-01-01", "to"),
    ("from=2025-03-01&to=2025-01-01", "to"),
    ("from=0001-01-01&to=2025-01-01", "from"),
    ("where=amount >", "where"),
    ("where=region > 3", "where"),
    ("where=" + "(" * 200 + "1" + ")" * 200, "where"),
    ("format=pdf", "format"),
    ("compare=perhaps", "compare"),
], ids=["unknown-slice", "two-grains", "unknown-filter", "filter-without-values",
        "filter-value-of-wrong-type", "impossible-date", "date-as-number", "one-end",
        "ends-before-start", "too-early", "broken-condition", "condition-types",
        "condition-too-deep", "unknown-format", "not-a-boolean"])
def test_bad_input_is_a_problem_naming_the_field(
    api: TestClient, acme: SeededWorkspace, warehouse: str, query: str, field: str
) -> None:
    assert_invalid_field(api.get(f"/metrics/nps?{query}", headers=acme.auth()), field)


def test_unknown_metric_is_404(api: TestClient, acme: SeededWorkspace, warehouse: str) -> None:
    body = assert_problem(api.get("/metrics/no_such_metric", headers=acme.auth()), 404)

    assert body["detail"] == "metric 'no_such_metric' does not exist"


def test_a_token_of_another_workspace_sees_only_its_own_numbers(
    api: TestClient, acme: SeededWorkspace, globex: SeededWorkspace, warehouse: str
) -> None:
    seen_by_acme = api.get("/metrics/revenue?by=month", headers=acme.auth()).json()["rows"]
    seen_by_globex = api.get("/metrics/revenue?by=month", headers=globex.auth()).json()["rows"]

    assert seen_by_acme == as_json(
        engine_rows(warehouse, CATALOGUE.get("revenue"), acme.workspace_id, by=["month"]))
    assert seen_by_globex == as_json(
        engine_rows(warehouse, CATALOGUE.get("revenue"), globex.workspace_id, by=["month"]))
    acme_values = {row["value"] for row in seen_by_acme}
    assert acme_values and not acme_values & {row["value"] for row in seen_by_globex}


def test_a_workspace_without_warehouse_data_gets_no_rows(
    api: TestClient, acme: SeededWorkspace, globex: SeededWorkspace, settings: Settings,
    demo_files: DemoWarehouseFiles,
) -> None:
    demo_files.install(settings.resolved_warehouse_url(), {acme.workspace_id: 1})

    response = api.get("/metrics/nps?by=month", headers=globex.auth())

    assert response.status_code == 200
    assert response.json()["rows"] == []


def test_missing_warehouse_is_a_409_saying_what_to_run(
    api: TestClient, acme: SeededWorkspace
) -> None:
    body = assert_problem(api.get("/metrics/nps", headers=acme.auth()), 409)

    assert "kano warehouse load" in body["detail"]


@pytest.fixture
def writer_holding(warehouse: str) -> Iterator[None]:
    """A read-write connection, as ``kano warehouse load`` holds while it writes."""
    path = Path(warehouse.removeprefix("duckdb:///"))
    connection = duckdb.connect(str(path))
    yield
    connection.close()


def test_warehouse_held_by_a_writer_is_a_503_to_retry(
    api: TestClient, acme: SeededWorkspace, writer_holding: None
) -> None:
    response = api.get("/metrics/nps", headers=acme.auth())

    assert_problem(response, 503)
    assert response.headers["retry-after"] == "5"


def test_warehouse_is_closed_after_each_request(
    api: TestClient, acme: SeededWorkspace, warehouse: str
) -> None:
    assert api.get("/metrics/nps?by=month", headers=acme.auth()).status_code == 200

    # A reader left open would make DuckDB refuse this read-write connection.
    duckdb.connect(warehouse.removeprefix("duckdb:///")).close()


@MODES
def test_metric_endpoints_never_error_on_generated_input(
    host_app: Starlette, acme: SeededWorkspace, warehouse: str, mode: GenerationMode
) -> None:
    """Schemathesis on a loaded warehouse (the whole-API run has none, so it stops at
    the 409): generated slices, filters, dates and conditions reach the engine, and no
    request may end in a 5xx or in a response the OpenAPI document does not declare.
    Which slices exist depends on the metric, so valid-looking input may get a 422.
    The path's metric id is mostly one of the catalogue's, or nearly every case would be
    a 404."""
    run = RUNS["metrics"]
    in_catalogue = with_known(mode, {"metric_id": CATALOGUE.ids()})
    fuzz(host_app, run, acme.auth(run.scope), mode, prepare=in_catalogue)


@MODES
def test_warehouse_analyses_never_error_on_generated_input(
    host_app: Starlette, acme: SeededWorkspace, warehouse: str, mode: GenerationMode
) -> None:
    """The analyses, value and text endpoints on the same loaded warehouse (here because
    this module loads it): generated segments, periods and options reach the models."""
    run = RUNS["warehouse-reads"]
    fuzz(host_app, run, acme.auth(run.scope), mode)
