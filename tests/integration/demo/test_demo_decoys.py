"""The demo's competency → delivery delay decoy: the strategy map's arrow test does not fall
for it.

Nothing is planted between a delivery team's competency and its delays, but on the demo
(size S, seed 1) the teams' means of the two line up: a regression pooled over the five
delivery teams finds a clear positive "link". The demo strategy draws exactly that arrow
(skilled people → deliver on promise), so the map must test it within teams. The company
and its strategy are loaded as ``kano demo`` does (per app-database engine), the warehouse
is DuckDB, and the arrows are tested and stored by the job a refresh runs.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import statsmodels.api as sm
import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from kano.adapters.db import accounts
from kano.adapters.db.orm import LinkTestRow, ObjectiveRow
from kano.adapters.importers.company_parquet import load_company
from kano.adapters.jobs.link_tests import test_workspace_links
from kano.adapters.warehouse import ParquetSource, connect
from kano.analytics.linkage import parse_link_specs, test_links
from kano.analytics.linkage.arrows import BoundMeasure, MapArrow, test_strategy_map
from kano.analytics.linkage.assemble import assemble
from kano.analytics.linkage.estimate import NOT_SUPPORTED, SUPPORTED, WITHIN_TEAMS_NET_OF_MONTHS
from kano.analytics.linkage.frames import WarehouseReader
from kano.bootstrap import build_container
from kano.config import Settings
from kano.demo.strategy import import_demo_strategy
from tests.conftest import ENGINES
from tests.databases import DatabaseFactory, require_engine
from tests.warehouses import load_into

WORKSPACE = "demo"
ARROW = MapArrow("skilled-people", "deliver-on-promise", lag_months=1)
COMPETENCY = BoundMeasure("skilled-people", "competency", "competency_coverage", {})
DELAY = BoundMeasure("deliver-on-promise", "delivery-delay", "delivery_delay_mean", {})


@dataclass
class Demo:
    sessions: sessionmaker[Session]
    backend: Any
    workspace_id: int
    truth: list[dict[str, Any]]


@pytest.fixture(scope="module", params=ENGINES)
def demo(
    request: pytest.FixtureRequest,
    database_factory: DatabaseFactory,
    demo_data: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Demo]:
    """The demo company and strategy in a fresh app database, its data in a warehouse."""
    engine: str = request.param
    require_engine(engine)
    url = database_factory.fresh(engine)
    warehouse_url = f"duckdb:///{tmp_path_factory.mktemp('warehouse') / 'w.duckdb'}"
    container = build_container(Settings(
        database_url=url, warehouse_url=warehouse_url,
        secret_key="test-secret-key-0123456789abcdef", demo_data_dir=str(demo_data),
    ))  # fmt: skip
    load_company(container.sessions, demo_data, WORKSPACE, "Northwind Industrial Supply (demo)")
    import_demo_strategy(container.sessions, demo_data, WORKSPACE)
    with container.sessions() as session:
        workspace_id = accounts.get_workspace(session, WORKSPACE).id
    load_into(warehouse_url, ParquetSource(demo_data), workspace_id)
    truth = yaml.safe_load((demo_data / "ground_truth.yaml").read_text(encoding="utf-8"))
    backend = connect(warehouse_url)
    yield Demo(container.sessions, backend, workspace_id, truth["effects"])
    backend.disconnect()
    container.close()
    database_factory.drop(url)


def test_ground_truth_lists_competency_to_delay_as_a_decoy(demo: Demo) -> None:
    [decoy] = [e for e in demo.truth if e["cause"] == "competency"]
    assert decoy["effect"] == "delivery_delay_days" and decoy["decoy"] is True
    assert decoy["size"] == 0.0 and decoy["grain"] == "team-month" and decoy["lag"] == "1M"
    [result] = test_links(demo.backend, parse_link_specs([decoy]), demo.workspace_id)
    assert result.verdict == NOT_SUPPORTED, result
    assert result.ci_low is not None and result.ci_high is not None
    assert result.ci_low < 0 < result.ci_high


def test_the_arrow_test_holds_zero_where_pooling_over_teams_finds_a_link(demo: Demo) -> None:
    [tested] = test_strategy_map(demo.backend, demo.workspace_id, [ARROW], [COMPETENCY, DELAY],
                                 propose=False)  # fmt: skip
    result = tested.result
    assert result is not None and result.ci_low is not None and result.ci_high is not None
    assert (tested.cause_measure, tested.effect_measure) == ("competency", "delivery-delay")
    assert tested.verdict == NOT_SUPPORTED, result
    assert result.ci_low < 0 < result.ci_high
    assert f"OLS {WITHIN_TEAMS_NET_OF_MONTHS}," in result.method
    # the trap: the same team-months pooled over the teams (statsmodels, HC1) "support" it
    [spec] = parse_link_specs([{"cause": "competency", "effect": "delivery_delay_days",
                                "grain": "team-month", "lag": "1M"}])  # fmt: skip
    data = assemble(WarehouseReader(demo.backend, demo.workspace_id), spec).data
    assert len(data) == result.n
    pooled = sm.OLS(data["y"].to_numpy(float), sm.add_constant(data["x"].to_numpy(float)))
    low, _high = pooled.fit(cov_type="HC1").conf_int(0.05)[1]
    assert low > 0, "pooled over the teams, competency seems to lengthen delays"


def test_the_stored_map_test_does_not_support_skilled_people_to_deliver_on_promise(
    demo: Demo,
) -> None:
    """What a refresh stores and the map draws: the arrow takes its best-evidenced measure
    pair (competency or training hours, against delay or on-time share); none holds."""
    test_workspace_links(demo.sessions, demo.backend, demo.workspace_id)
    with demo.sessions() as session:
        keys = dict(session.execute(select(ObjectiveRow.id, ObjectiveRow.key)).all())
        rows = [
            row
            for row in session.scalars(select(LinkTestRow)).all()
            if (keys[row.cause_id], keys[row.effect_id]) == (ARROW.cause, ARROW.effect)
        ]
    [row] = rows
    assert not row.proposed and row.verdict != SUPPORTED, (row.verdict, row.cause_measure)
    assert row.ci_low is not None and row.ci_high is not None
    assert row.ci_low < 0 < row.ci_high
