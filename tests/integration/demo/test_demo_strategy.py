"""The demo company ships a full strategy tied to its data (issue 4, item 7).

The company is generated (size S, seed 1) and loaded as ``kano demo`` does, then the demo
strategy is imported — once per engine for the whole module; the checks read the
workspace back through the strategy export, so they see what a user of ``kano strategy
export`` sees. The history is checked against an
independent pandas computation on the Parquet files.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from kano.adapters.db.orm import (
    KeyResultRow,
    Membership,
    OkrCycleRow,
    OkrObjectiveRow,
    User,
    Workspace,
)
from kano.adapters.importers.company_parquet import load_company
from kano.adapters.strategy_code import export_yaml, import_strategy
from kano.bootstrap import build_container
from kano.config import Settings
from kano.demo.strategy import DEMO_PEOPLE, import_demo_strategy
from kano.demo.timeline import END_DATE
from kano.domain.mbo.model import PersonalObjective, validate_weights
from tests.conftest import ENGINES
from tests.databases import DatabaseFactory, require_engine

WORKSPACE = "demo"
MONTHS = [date(2024 + (10 + i) // 12, (10 + i) % 12 + 1, 1) for i in range(24)]


@pytest.fixture(scope="module", params=ENGINES)
def demo_sessions(
    request: pytest.FixtureRequest,
    database_factory: DatabaseFactory,
    demo_data: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[sessionmaker[Session]]:
    """A database per engine holding the demo company and its strategy, shared by this
    module's tests (loading takes seconds; the tests only read, or re-import unchanged)."""
    engine: str = request.param
    require_engine(engine)
    url = database_factory.fresh(engine)
    container = build_container(Settings(
        database_url=url,
        warehouse_url=f"duckdb:///{tmp_path_factory.mktemp('warehouse') / 'w.duckdb'}",
        secret_key="test-secret-key-0123456789abcdef",
        demo_data_dir=str(demo_data),
    ))
    load_company(container.sessions, demo_data, WORKSPACE, "Northwind Industrial Supply (demo)")
    import_demo_strategy(container.sessions, demo_data, WORKSPACE)
    yield container.sessions
    container.close()
    database_factory.drop(url)


@pytest.fixture(scope="module")
def demo(demo_sessions: sessionmaker[Session]) -> dict[str, Any]:
    """The demo workspace's strategy, as ``kano strategy export`` writes it."""
    with demo_sessions() as session:
        document: dict[str, Any] = yaml.safe_load(export_yaml(session, WORKSPACE))
    return document


def objectives_of(document: dict[str, Any]) -> dict[str, tuple[str, dict[str, Any]]]:
    """Objective key → (perspective key, objective)."""
    return {
        objective["key"]: (perspective["key"], objective)
        for card in document["scorecards"]
        for perspective in card["perspectives"]
        for objective in perspective.get("objectives", [])
    }


def measures_of(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        measure["key"]: measure
        for _, objective in objectives_of(document).values()
        for measure in objective.get("measures", [])
    }


def test_scorecard_has_four_perspectives_sixteen_objectives_and_twenty_full_measures(
    demo: dict[str, Any],
) -> None:
    objectives = objectives_of(demo)
    perspectives = {perspective for perspective, _ in objectives.values()}
    assert perspectives == {"financial", "customer", "process", "learning"}
    assert len(objectives) >= 16
    assert any(o.get("customer_voice") for p, o in objectives.values() if p == "customer")
    measures = measures_of(demo)
    full = [
        m for m in measures.values()
        if [v["period"] for v in m["values"]] == MONTHS
        and all(v["actual"] is not None and v["source"] == "metric" for v in m["values"])
    ]
    assert len(full) >= 20
    for measure in measures.values():
        assert measure["metric"]["id"], measure["key"]
        # A cohort metric (churn_m3) reports a cohort once its 3 months have passed.
        metric_id = measure["metric"]["id"]
        lag = int(metric_id.removeprefix("churn_m")) if metric_id.startswith("churn_m") else 0
        assert measure["values"][-1]["period"] == MONTHS[-1 - lag], measure["key"]
        assert "baseline" in measure, measure["key"]
        assert "target" in measure or "band_low" in measure, measure["key"]
    assert {m.get("kind") for m in measures.values()} >= {"say", "do"}
    assert {m["metric"]["id"] for m in measures.values()} >= {
        "nps", "csat", "ces", "engagement", "enps", "delivery_delay_mean",
        "first_response_mean", "repurchase_rate", "churn_m3", "revenue", "margin_pct",
    }
    assert len(demo["scorecards"][0]["initiatives"]) >= 3


def test_links_carry_the_planted_chain_from_ex_to_financial(demo: dict[str, Any]) -> None:
    objectives = objectives_of(demo)
    metrics = {
        key: {m["metric"]["id"] for m in objective.get("measures", [])}
        for key, (_, objective) in objectives.items()
    }
    links = demo["scorecards"][0]["links"]
    assert len(links) >= 8
    effects: dict[str, set[str]] = defaultdict(set)
    for link in links:
        effects[link["cause"]].add(link["effect"])
    layers = [
        ("learning", {"engagement"}),
        ("process", {"delivery_delay_mean", "first_response_mean"}),
        ("customer", {"csat", "nps", "ces"}),
        ("customer", {"repurchase_rate", "churn_m3"}),
        ("financial", {"revenue"}),
    ]

    def in_layer(key: str, layer: tuple[str, set[str]]) -> bool:
        return objectives[key][0] == layer[0] and bool(metrics[key] & layer[1])

    reached = {key for key in objectives if in_layer(key, layers[0])}
    for layer in layers[1:]:
        reached = {e for cause in reached for e in effects[cause] if in_layer(e, layer)}
        assert reached, f"no link into {layer}"


def test_current_okr_cycle_has_three_levels_and_key_results_with_check_ins(
    demo: dict[str, Any],
) -> None:
    cycles = [c for c in demo["okr_cycles"] if c["starts_on"] <= END_DATE <= c["ends_on"]]
    assert len(cycles) == 1 and cycles[0].get("status", "open") == "open"
    objectives = cycles[0]["objectives"]
    assert {o.get("level", "company") for o in objectives} == {"company", "team", "person"}
    key_results = [kr for o in objectives for kr in o["key_results"]]
    assert len(key_results) >= 12
    assert all(kr.get("check_ins") for kr in key_results)
    bound = [kr for kr in key_results if kr.get("metric")]
    assert len(bound) >= 8
    for kr in bound:
        assert kr["current"] is not None, kr["key"]
        assert all(c["value"] is not None for c in kr["check_ins"]), kr["key"]
        if kr["kind"] == "metric":
            assert kr["start"] is not None and kr["start"] != kr["target"], kr["key"]


def test_every_key_result_is_due_when_its_cycle_ends(
    demo_sessions: sessionmaker[Session],
) -> None:
    """The demo file names no due dates: each key result takes its cycle's end, as one
    created on the OKR page or through the API would (the page then says "Due …")."""
    with demo_sessions() as session:
        rows = session.execute(
            select(KeyResultRow.key, KeyResultRow.due_on, OkrCycleRow.ends_on)
            .join(OkrObjectiveRow, OkrObjectiveRow.id == KeyResultRow.okr_objective_id)
            .join(OkrCycleRow, OkrCycleRow.id == OkrObjectiveRow.cycle_id)
        ).all()
    assert len(rows) >= 12
    assert [(key, due) for key, due, ends in rows if due != ends] == []


def test_mbo_sheets_cover_one_team_and_their_weights_add_up(
    demo: dict[str, Any], demo_data: Path
) -> None:
    employees = pd.read_parquet(demo_data / "employees.parquet")
    teams = pd.read_parquet(demo_data / "teams.parquet")
    team_of = dict(zip(employees["external_id"], employees["team_id"], strict=True))
    sheets = demo["mbo_sheets"]
    assert len({team_of[sheet["employee"]] for sheet in sheets}) == 1
    team_id = team_of[sheets[0]["employee"]]
    members = employees[(employees["team_id"] == team_id) & employees["left_on"].isna()]
    assert {sheet["employee"] for sheet in sheets} == set(members["external_id"])
    assert teams.set_index("team_id").loc[team_id, "key"] == "delivery-east"
    for sheet in sheets:
        validate_weights([PersonalObjective(o["title"], o["weight"]) for o in sheet["objectives"]])


def _nps(scores: pd.Series) -> float:
    return float(100 * ((scores >= 9).mean() - (scores <= 6).mean()))


def test_history_equals_an_independent_pandas_computation(
    demo: dict[str, Any], demo_data: Path
) -> None:
    responses = pd.read_parquet(demo_data / "responses.parquet")
    surveys = pd.read_parquet(demo_data / "surveys.parquet")
    relationship = surveys.loc[surveys["key"] == "relationship-nps", "survey_id"].item()
    rated = responses[(responses["survey_id"] == relationship) & responses["nps"].notna()]
    month = rated["submitted_at"].dt.to_period("M")
    expected_nps = rated.groupby(month)["nps"].apply(_nps)
    orders = pd.read_parquet(demo_data / "transactions.parquet")
    # the measures cover the 24 months of the window; the months before it hold only the
    # existing customers' last orders before it (kano.demo.prior_orders)
    orders = orders[orders["occurred_at"] >= "2024-11-01"]
    expected_revenue = orders.groupby(orders["occurred_at"].dt.to_period("M"))["amount"].sum()
    measures = measures_of(demo)
    for key, expected in (("relationship-nps", expected_nps), ("revenue", expected_revenue)):
        stored = {v["period"]: v["actual"] for v in measures[key]["values"]}
        computed = {p.to_timestamp().date(): round(float(v), 2) for p, v in expected.items()}
        assert stored == pytest.approx(computed, abs=0.006), key
    # a key result's current value: Delivery East's mean delay in October 2026
    events = pd.read_parquet(demo_data / "process_events.parquet")
    teams = pd.read_parquet(demo_data / "teams.parquet")
    east = teams.loc[teams["key"] == "delivery-east", "team_id"].item()
    october = events[(events["measure"] == "delivery_delay_days") & (events["team_id"] == east)
                     & (events["occurred_at"] >= "2026-10-01")]
    key_results = {kr["key"]: kr for c in demo["okr_cycles"] for o in c["objectives"]
                   for kr in o["key_results"]}
    assert key_results["q4-east-delay"]["current"] == pytest.approx(
        october["value"].mean(), abs=0.006)


def test_export_import_export_is_byte_identical_and_reimport_changes_nothing(
    demo_sessions: sessionmaker[Session], demo_data: Path
) -> None:
    sessions = demo_sessions
    with sessions() as session:
        first = export_yaml(session, WORKSPACE)
    again = import_strategy(sessions, first, source="export.yaml", workspace=WORKSPACE)
    assert not again.changed
    with sessions() as session:
        assert export_yaml(session, WORKSPACE) == first
    assert not import_demo_strategy(sessions, demo_data, WORKSPACE).changed


def test_the_people_it_names_are_demo_users_with_their_roles(
    demo_sessions: sessionmaker[Session], demo: dict[str, Any]
) -> None:
    with demo_sessions() as session:
        roles = dict(session.execute(
            select(User.email, Membership.role)
            .join(Membership, Membership.user_id == User.id)
            .join(Workspace, Workspace.id == Membership.workspace_id)
            .where(Workspace.slug == WORKSPACE)
        ).all())
    assert roles == {person.email: person.role.value for person in DEMO_PEOPLE}
    owners = {o.get("owner") for _, o in objectives_of(demo).values()} - {None}
    assert owners <= roles.keys()
