"""Custom metrics stored with the strategy as code: the file's ``metrics:`` list, checked by
the custom-metric parser with the file's line numbers, bindings checked against the
workspace's catalogue, and ``kano metrics`` computing a stored custom metric."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from kano.adapters.db.metric_catalogue import workspace_catalogue
from kano.adapters.db.orm import AuditEntry, CustomMetricRow, Workspace
from kano.adapters.strategy_code import StrategyFileInvalid, read_document
from kano.adapters.strategy_code import entries as e
from kano.adapters.strategy_code.importer import import_document
from kano.adapters.strategy_code.schema import document_dump
from kano.adapters.strategy_code.yaml_style import dump_yaml
from kano.adapters.warehouse import ParquetSource, connect
from kano.demo import generate_company
from kano.domain.shared.errors import InvalidInput
from kano.metrics import BUILT_IN, compute_metric, load_custom_metrics
from tests.integration.strategy.seed import seed_people
from tests.integration.strategy.support import example_text, export_text, import_text, row_counts
from tests.warehouses import load_into

METRICS = """\
metrics:
  - id: big_order_share
    name: {en: Big orders, ru: Крупные заказы, hu: Nagy rendelések}
    layer: TX
    unit: "%"
    direction: higher
    format: ".1f"
    description: |
      Share of orders above 1,000.
      Web orders only.
    source: transactions
    aggregate: share
    condition: amount > 1000
    filter: channel = 'web'
  - id: web_revenue_share
    name: Web share of revenue
    layer: financial
    unit: "%"
    direction: higher
    source: transactions
    aggregate: ratio
    numerator: {aggregate: sum, value: amount, where: "channel = 'web'"}
    denominator: {aggregate: sum, value: amount}
    scale: 100
  - id: delivery_delay_p95
    name: Delivery delay p95
    layer: OX
    unit: days
    direction: lower
    source: process_events
    aggregate: percentile
    value: value
    percentile: 95
    filter: measure = 'delivery_delay_days'
"""
IDS = ["big_order_share", "web_revenue_share", "delivery_delay_p95"]
FORMAT = "format: kano-strategy/1\n"


def with_metrics(metrics: str = METRICS) -> str:
    """The example strategy with ``metrics`` and its FCR measure bound to a custom metric."""
    text = example_text().replace(FORMAT, FORMAT + metrics, 1)
    return text.replace("metric: {id: fcr_rate}", "metric: {id: big_order_share}")


def errors_of(raised: pytest.ExceptionInfo[StrategyFileInvalid]) -> list[tuple[int, str, str]]:
    return [(error.line, error.path, error.message) for error in raised.value.errors]


def line_of(text: str, fragment: str) -> int:
    (index,) = [i for i, line in enumerate(text.splitlines()) if fragment in line]
    return index + 1


def test_custom_metrics_round_trip_byte_identically(sessions: sessionmaker[Session]) -> None:
    seed_people(sessions)
    dry = import_text(sessions, with_metrics(), dry_run=True)
    assert dry.summary.created[e.CUSTOM_METRIC] == 3 and row_counts(sessions)[e.CUSTOM_METRIC] == 0
    result = import_text(sessions, with_metrics())
    assert result.summary.table()[0] == (e.CUSTOM_METRIC, 3, 0, 0)

    first = export_text(sessions)
    assert first.index("\nmetrics:\n") < first.index("\nscorecards:\n")
    assert "    name: {en: Big orders, ru: Крупные заказы, hu: Nagy rendelések}\n" in first
    assert "    numerator: {aggregate: sum, value: amount, where: channel = 'web'}\n" in first
    description = "    description: |\n      Share of orders above 1,000.\n      Web orders only.\n"
    assert description in first
    assert "metric: {id: big_order_share}" in first
    again = import_text(sessions, first)
    assert not again.changed
    assert export_text(sessions) == first
    assert not import_text(sessions, with_metrics()).changed

    # Stored as written: the file's mappings, their field order and their order.
    written = yaml.safe_load(METRICS)["metrics"]
    with sessions() as session:
        rows = session.scalars(select(CustomMetricRow).order_by(CustomMetricRow.position)).all()
        assert [(row.key, row.position) for row in rows] == [(key, i) for i, key in enumerate(IDS)]
        assert [row.definition for row in rows] == written
        assert [list(row.definition) for row in rows] == [list(entry) for entry in written]


def test_a_description_per_language_round_trips_and_reaches_the_catalogue(
    sessions: sessionmaker[Session],
) -> None:
    seed_people(sessions)
    per_language = METRICS.replace(
        "    description: |\n      Share of orders above 1,000.\n      Web orders only.\n",
        "    description:\n      en: Share of orders above 1,000.\n"
        "      hu: Az 1000 feletti rendelések aránya.\n",
    )
    import_text(sessions, with_metrics(per_language))

    first = export_text(sessions)
    assert ("    description:\n      en: Share of orders above 1,000.\n"
            "      hu: Az 1000 feletti rendelések aránya.\n") in first
    assert not import_text(sessions, first).changed
    assert export_text(sessions) == first
    with sessions() as session:
        workspace_id = session.scalars(select(Workspace.id).where(Workspace.slug == "acme")).one()
        metric = workspace_catalogue(session, workspace_id).get("big_order_share")
    assert metric.describe("hu") == "Az 1000 feletti rendelések aránya."
    assert metric.describe("ru") == metric.description == "Share of orders above 1,000."


def test_changed_reordered_and_removed_metrics_are_audited(
    sessions: sessionmaker[Session],
) -> None:
    seed_people(sessions)
    import_text(sessions, with_metrics())
    document, _ = read_document(export_text(sessions), "export.yaml")
    big, web, p95 = document.metrics
    document.metrics = [web, {**big, "condition": "amount > 2000"}]
    result = import_text(sessions, dump_yaml(document_dump(document)))
    assert result.summary.table() == [(e.CUSTOM_METRIC, 0, 2, 1)]
    assert "condition: amount > 2000" in export_text(sessions)

    with sessions() as session:
        entries = session.scalars(
            select(AuditEntry).where(AuditEntry.entity == "custom_metric").order_by(AuditEntry.id)
        ).all()
        imports = session.scalars(
            select(AuditEntry).where(AuditEntry.entity == "strategy").order_by(AuditEntry.id)
        ).all()
    changes = [(entry.action, entry.entity_id) for entry in entries]
    assert changes == [
        *(("create", key) for key in IDS),
        ("update", "big_order_share"),  # web_revenue_share only moved: no new definition
        ("delete", "delivery_delay_p95"),
    ]
    updated = entries[3].detail
    assert updated is not None
    assert (updated["before"]["condition"], updated["after"]["condition"]) == (
        "amount > 1000",
        "amount > 2000",
    )
    assert entries[4].detail == {"via": "strategy import", "before": p95}
    assert imports[-1].detail is not None
    assert imports[-1].detail["custom metric"] == {"created": 0, "updated": 2, "deleted": 1}


def test_invalid_custom_metrics_name_field_and_line(sessions: sessionmaker[Session]) -> None:
    text = """\
format: kano-strategy/1
metrics:
  - id: big_orders
    layer: TX
    direction: higher
    source: transactions
    aggregate: share
    condition: amout > 1000
  - id: late
    layer: TX
    direction: up
    source: payments
    aggregate: count
  - id: late_p90
    layer: TX
    direction: lower
    source: payments
    aggregate: percentile
    value: amount
  - id: dated
    name: {en: Dated, ru: 2026-01-01}
    layer: TX
    direction: lower
    source: payments
    aggregate: count
  - not a mapping
scorecards:
  - key: main
    name: Main
    level: planet
"""
    before = row_counts(sessions)
    with pytest.raises(StrategyFileInvalid) as raised:
        import_text(sessions, text, workspace="fresh")
    found = errors_of(raised)
    assert [(line, path) for line, path, _ in found] == [
        (8, "metrics[0].condition"),
        (11, "metrics[1].direction"),
        (14, "metrics[2].percentile"),
        (21, "metrics[3].name.ru"),
        (26, "metrics[4]"),
        (30, "scorecards[0].level"),
    ]
    messages = [message for _, _, message in found]
    assert messages[0].startswith("unknown name 'amout'")
    assert messages[1:4] == [
        "'up': choose one of higher, lower",
        "give a number between 0 and 100",
        "put it in quotes: YAML reads it as a date",
    ]
    assert messages[4] == "should be a mapping of fields (name: value)"
    assert row_counts(sessions) == before  # not even the workspace


def test_ids_clashing_with_a_built_in_or_repeated_are_refused(
    sessions: sessionmaker[Session],
) -> None:
    text = """\
format: kano-strategy/1
metrics:
  - {id: nps, layer: CX, direction: higher, source: responses, aggregate: count}
  - {id: pulses, layer: EX, direction: higher, source: pulses, aggregate: count}
  - {id: pulses, layer: EX, direction: lower, source: pulses, aggregate: count}
"""
    with pytest.raises(StrategyFileInvalid) as raised:
        import_text(sessions, text)
    assert errors_of(raised) == [
        (3, "metrics[0].id", "'nps' is a built-in metric; give the custom metric another id"),
        (5, "metrics[2].id", "metric 'pulses' is defined twice (first at line 4)"),
    ]


def test_bindings_to_unknown_metrics_or_slices_name_their_line(
    sessions: sessionmaker[Session],
) -> None:
    seed_people(sessions)
    text = (
        with_metrics()
        .replace("metric: {id: big_order_share}", "metric: {id: first_contact_resolution}")
        .replace(
            "\n            metric: {id: nps, slice: {segment: b2b}}",  # the key result's
            "\n            metric: {id: web_revenue_share, slice: {segmnt: b2b}}",
        )
    )
    with pytest.raises(StrategyFileInvalid) as raised:
        import_text(sessions, text)
    assert errors_of(raised) == [
        (
            line_of(text, "first_contact_resolution"),
            "scorecards[0].perspectives[2].objectives[0].measures[0].metric.id",
            "unknown metric 'first_contact_resolution'; see `kano metrics list`",
        ),
        (
            line_of(text, "segmnt"),
            "okr_cycles[0].objectives[0].key_results[0].metric.slice.segmnt",
            "metric 'web_revenue_share' cannot be sliced by 'segmnt'; choose from channel, "
            "consent_contact, created_on, customer, industry, kind, product, region, segment, "
            "team, team_function, wallet_estimate",
        ),
    ]
    # The same binding to a metric the file does not define is unknown too.
    without = example_text().replace("{id: fcr_rate}", "{id: big_order_share}")
    with pytest.raises(StrategyFileInvalid) as raised:
        import_text(sessions, without)
    assert [message for _, _, message in errors_of(raised)] == [
        "unknown metric 'big_order_share'; see `kano metrics list`"
    ]
    assert row_counts(sessions)[e.SCORECARD] == 0


def test_a_bad_metric_or_binding_writes_nothing(sessions: sessionmaker[Session]) -> None:
    seed_people(sessions)
    import_text(sessions, with_metrics())
    counts, exported = row_counts(sessions), export_text(sessions)
    renamed = with_metrics().replace("Grow profitable revenue", "Grow revenue")

    broken_metric = renamed.replace("scale: 100", "scale: 0")
    with pytest.raises(StrategyFileInvalid) as raised:
        import_text(sessions, broken_metric)
    assert [path for _, path, _ in errors_of(raised)] == ["metrics[1].scale"]

    # Valid metrics, new and changed, but a binding no catalogue has: refused in round two.
    extra = "  - {id: pulses, layer: EX, direction: higher, source: pulses, aggregate: count}\n"
    bad_binding = (
        renamed.replace(METRICS, METRICS + extra)
        .replace("percentile: 95", "percentile: 90")
        .replace("{id: nps, slice: {segment: b2b}}", "{id: happiness}")
    )
    with pytest.raises(StrategyFileInvalid):
        import_text(sessions, bad_binding)
    assert row_counts(sessions) == counts
    assert export_text(sessions) == exported

    # A database failure after the metrics were written takes them back too.
    document, loaded = read_document(renamed.replace(METRICS, METRICS + extra), "changed.yaml")
    document.mbo_sheets[0].objectives[-1].weight = -5.0  # the last row written
    with pytest.raises(IntegrityError):
        import_document(sessions, document, loaded, source="changed.yaml", workspace="acme")
    assert row_counts(sessions) == counts
    assert export_text(sessions) == exported


def test_a_file_without_metrics_keeps_them_and_a_list_replaces_them(
    sessions: sessionmaker[Session],
) -> None:
    seed_people(sessions)
    import_text(sessions, with_metrics())
    other = FORMAT + "scorecards:\n  - key: other\n    name: Other\n"
    assert import_text(sessions, other).summary.table() == [(e.SCORECARD, 1, 0, 0)]
    # Bindings are checked against the stored custom metrics when the file has none.
    bound = other + (
        "    perspectives:\n      - key: p\n        name: P\n        objectives:\n"
        "          - key: web\n            title: Web\n            measures:\n"
        "              - {key: web-share, name: Web share, direction: higher, amber_from: 1,"
        " green_from: 2, target: 3, metric: {id: web_revenue_share}}\n"
    )
    assert import_text(sessions, bound).summary.created[e.MEASURE] == 1
    assert row_counts(sessions)[e.CUSTOM_METRIC] == 3

    with pytest.raises(StrategyFileInvalid) as raised:
        import_text(sessions, FORMAT + "metrics: []\n")
    assert errors_of(raised) == [
        (2, "metrics", f"metric '{key}' is still bound by measure '{measure}', which this file "
         "does not list; keep the metric or change that binding first")
        for key, measure in (("big_order_share", "fcr"), ("web_revenue_share", "web-share"))
    ]  # fmt: skip

    only_two = METRICS[: METRICS.index("  - id: delivery_delay_p95")]
    result = import_text(sessions, FORMAT + only_two)
    assert result.summary.table() == [(e.CUSTOM_METRIC, 0, 0, 1)]
    with sessions() as session:
        ws = session.scalars(select(Workspace.id).where(Workspace.slug == "acme")).one()
        custom = [metric.id for metric in workspace_catalogue(session, ws) if metric.custom]
    assert custom == IDS[:2]


def test_workspace_catalogue_parses_stored_definitions_afresh(
    sessions: sessionmaker[Session],
) -> None:
    import_text(sessions, FORMAT + METRICS)
    with sessions() as session:
        ws = session.scalars(select(Workspace.id).where(Workspace.slug == "acme")).one()
        catalogue = workspace_catalogue(session, ws)
        assert catalogue.ids() == [*(m.id for m in BUILT_IN), *IDS]
        assert catalogue.get("web_revenue_share") == load_custom_metrics(METRICS)[1]
        broken = {**yaml.safe_load(METRICS)["metrics"][0], "condition": "amout > 1"}
        session.execute(
            update(CustomMetricRow)
            .where(CustomMetricRow.key == "big_order_share")
            .values(definition=broken)
        )
        with pytest.raises(InvalidInput) as raised:
            workspace_catalogue(session, ws)
    assert raised.value.field == "custom metric 'big_order_share' condition"
    assert "amout" in raised.value.message


# --- kano metrics on a workspace's custom metrics -----------------------------------------


@pytest.fixture(scope="module")
def company(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("custom-metrics-company")
    generate_company("S", 1, out)
    return out


def kano(db_url: str, warehouse_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "KANO_DATABASE_URL": db_url,
        "KANO_WAREHOUSE_URL": warehouse_url,
        "COLUMNS": "200",
    }
    return subprocess.run(
        [sys.executable, "-m", "kano", *args], env=env, capture_output=True, text=True,
        timeout=300,
    )  # fmt: skip


def test_metrics_show_computes_a_stored_custom_metric(
    db_url: str, sessions: sessionmaker[Session], company: Path, tmp_path: Path
) -> None:
    import_text(sessions, FORMAT + METRICS)
    with sessions() as session:
        ws = session.scalars(select(Workspace.id).where(Workspace.slug == "acme")).one()
    warehouse = f"duckdb:///{tmp_path / 'warehouse.duckdb'}"
    load_into(warehouse, ParquetSource(company), ws)

    # all data: without a period an order metric by year opens on 2025 (data_window)
    shown = kano(db_url, warehouse, "metrics", "show", "web_revenue_share", "--workspace", "acme",
                 "--by", "year", "--format", "json", "--from", "2024-01-01",
                 "--to", "2026-12-31")  # fmt: skip
    assert shown.returncode == 0, shown.stderr
    rows = json.loads(shown.stdout)
    backend = connect(warehouse, read_only=True)
    try:
        metric = load_custom_metrics(METRICS)[1]
        expected = compute_metric(backend, metric, by=["year"], workspace_id=ws)
    finally:
        backend.disconnect()
    assert [row["year"] for row in rows] == ["2024", "2025", "2026"]
    assert [(row["year"], row["n"]) for row in rows] == [(r.key("year"), r.n) for r in expected]
    for mine, theirs in zip(rows, expected, strict=True):
        assert mine["value"] == pytest.approx(theirs.value)
        assert 0 < mine["value"] < 100

    listed = kano(db_url, warehouse, "metrics", "list", "--workspace", "acme", "--format", "json")
    assert listed.returncode == 0, listed.stderr
    entries = json.loads(listed.stdout)
    assert [entry["id"] for entry in entries] == [*(m.id for m in BUILT_IN), *IDS]
    assert [entry["id"] for entry in entries if entry["custom"]] == IDS

    definitions = tmp_path / "more.yaml"
    definitions.write_text(
        "metrics:\n  - {id: web_revenue_share, layer: TX, direction: higher,"
        " source: transactions, aggregate: count}\n",
        encoding="utf-8",
    )
    clash = kano(db_url, warehouse, "metrics", "show", "web_revenue_share", "--workspace", "acme",
                 "--definitions", str(definitions))  # fmt: skip
    assert clash.returncode == 2 and "Traceback" not in clash.stderr
    assert "is a custom metric of workspace 'acme'" in clash.stderr
