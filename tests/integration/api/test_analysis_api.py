"""``/analysis``: the service-profit chain and key drivers on a real DuckDB warehouse
holding two generated companies (seed 1 as acme, seed 2 as globex). Every number equals
what the analytics compute directly on the same file for the token's own workspace."""

from __future__ import annotations

import math
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from kano.adapters.db.orm import MeasureRow, ObjectiveRow, PerspectiveRow, ScorecardRow
from kano.adapters.warehouse import connect
from kano.analytics.linkage import SERVICE_PROFIT_CHAIN, test_links
from kano.analytics.linkage.driver_inputs import driver_frame
from kano.analytics.linkage.frames import WarehouseReader
from kano.config import Settings
from tests.integration.api.problems import assert_invalid_field, assert_problem
from tests.integration.api.seed import SeededWorkspace
from tests.integration.api.test_metrics_api import demo_files, warehouse

__all__ = ["demo_files", "warehouse"]  # fixtures shared with the metrics API tests


def test_links_are_the_chain_tested_on_the_callers_own_data(
    api: TestClient, acme: SeededWorkspace, globex: SeededWorkspace, warehouse: str,
) -> None:
    response = api.get("/analysis/links", headers=acme.auth())

    assert response.status_code == 200, response.text
    items = response.json()["items"]
    backend = connect(warehouse, read_only=True)
    try:
        expected = test_links(backend, SERVICE_PROFIT_CHAIN, acme.workspace_id)
        other = test_links(backend, SERVICE_PROFIT_CHAIN, globex.workspace_id)
    finally:
        backend.disconnect()
    assert [(i["cause"], i["effect"], i["lag"]) for i in items] == [
        (r.cause, r.effect, r.lag) for r in expected
    ]
    for item, mine, theirs in zip(items, expected, other, strict=True):
        assert item["n"] == mine.n and item["verdict"] == mine.verdict
        assert item["estimate"] == pytest.approx(mine.estimate)
        assert item["n"] != theirs.n or item["estimate"] != pytest.approx(theirs.estimate)


# The step each cause is read per, and how an effect's raw slope becomes its reading unit,
# written out again from the API's documentation (not from kano.analytics.linkage.steps).
STEPS = {"engagement": 1, "training_hours": 1, "delivery_delay_days": 1,
         "first_response_minutes": 10, "call_wait_seconds": 60, "nps": 1, "ces": 1,
         "orders": 1}  # fmt: skip
READING = {
    "repurchase_rate": ("percentage points", lambda change: 100 * change),
    "churn_rate": ("percentage points", lambda change: 100 * change),
    "spend": ("percent", lambda change: 100 * (math.exp(change) - 1)),  # of a log amount
    "csat": ("points", lambda change: change), "nps": ("points", lambda change: change),
    "ces": ("points", lambda change: change),
    "delivery_delay_days": ("days", lambda change: change),
    "first_response_minutes": ("minutes", lambda change: change),
    "revenue": ("money", lambda change: change),
}  # fmt: skip


def test_links_state_each_effect_per_step_of_the_cause_in_the_effects_unit(
    api: TestClient, acme: SeededWorkspace, warehouse: str,
) -> None:
    """Beside the raw slope: "+1 point of the 0–10 NPS answer → repurchase +4.3
    percentage points", "+10 minutes to first response → CES −0.07 points", as /linkage."""
    items = api.get("/analysis/links", headers=acme.auth()).json()["items"]

    assert {item["cause"] for item in items} == set(STEPS)
    for item in items:
        unit, reading = READING[item["effect"]]
        step = STEPS[item["cause"]]
        assert (item["step"], item["effect_unit"]) == (step, unit), item
        for raw, per_step in (("estimate", "effect_per_step"), ("ci_low", "effect_per_step_ci_low"),
                              ("ci_high", "effect_per_step_ci_high")):  # fmt: skip
            assert item[raw] is not None, item
            assert item[per_step] == pytest.approx(reading(item[raw] * step)), (item, raw)
        assert item["effect_per_step_ci_low"] < item["effect_per_step_ci_high"]
    units = {(item["cause"], item["effect"]): item["cause_unit"] for item in items}
    assert units[("nps", "repurchase_rate")] == "points"
    assert units[("call_wait_seconds", "csat")] == "seconds"
    assert units[("orders", "revenue")] == "orders"


def test_drivers_weights_add_up_to_r_squared(
    api: TestClient, acme: SeededWorkspace, warehouse: str
) -> None:
    response = api.get("/analysis/drivers", params={"outcome": "nps", "bootstrap": 50},
                       headers=acme.auth())  # fmt: skip

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["drivers"][0]["driver"] == "delivery_delay_days"
    assert sum(d["weight"] for d in body["drivers"]) == pytest.approx(body["r_squared"])


def test_drivers_left_out_are_named_with_their_coverage_and_the_threshold_is_a_choice(
    api: TestClient, acme: SeededWorkspace, warehouse: str
) -> None:
    backend = connect(warehouse, read_only=True)
    try:
        reader = WarehouseReader(backend, acme.workspace_id)
        wide = driver_frame(reader, "nps", min_coverage=0.3)
        narrow = driver_frame(reader, "nps", min_coverage=0.1)
    finally:
        backend.disconnect()
    thin = {key for key, share in wide.coverage.items() if 0.1 <= share < 0.3}
    # the generated company has thin candidates
    assert thin and "first_response_minutes" in wide.left_out

    default = api.get("/analysis/drivers", params={"bootstrap": 0},
                      headers={**acme.auth(), "Accept-Language": "hu"}).json()
    lower = api.get("/analysis/drivers", params={"bootstrap": 0, "min_coverage": 0.1},
                    headers=acme.auth()).json()  # fmt: skip

    assert default["min_coverage"] == 0.3 and default["n"] == wide.n
    assert [(d["driver"], d["coverage"]) for d in default["left_out_coverage"]] == [
        (key, pytest.approx(share)) for key, share in wide.left_out_coverage()]
    named = {d["driver"]: d["driver_display"] for d in default["left_out_coverage"]}
    assert named["first_response_minutes"] == "Első válaszidő (perc)"
    assert all("_" not in name for name in named.values())
    assert default["left_out"] == list(wide.left_out)
    assert {d["driver"] for d in lower["drivers"]} == set(narrow.drivers) == (
        set(wide.drivers) | thin)
    assert lower["n"] == narrow.n < default["n"]
    assert all(d["coverage"] >= 0.1 for d in lower["drivers"])
    assert not thin & {d["driver"] for d in lower["left_out_coverage"]}


def test_a_coverage_no_candidate_reaches_is_refused_naming_the_best_covered(
    api: TestClient, acme: SeededWorkspace, warehouse: str
) -> None:
    body = assert_invalid_field(api.get("/analysis/drivers", params={"min_coverage": 0.999},
                                        headers=acme.auth()), "min_coverage")  # fmt: skip
    # every delivered order is checked for defects: the two delivery measures cover the same
    # respondents, ahead of the delivery CSAT
    best = body["detail"].split("best covered: ")[1]
    assert best.startswith(("defects 79%, delivery_delay_days 79%",
                            "delivery_delay_days 79%, defects 79%")), best  # fmt: skip
    assert_invalid_field(api.get("/analysis/drivers", params={"min_coverage": 1.5},
                                 headers=acme.auth()), "min_coverage")  # fmt: skip


def test_bad_outcome_and_missing_warehouse_are_clear(
    api: TestClient, acme: SeededWorkspace, settings: Settings
) -> None:
    assert_invalid_field(api.get("/analysis/drivers", params={"outcome": "mood"},
                                 headers=acme.auth()), "outcome")  # fmt: skip
    assert_problem(api.get("/analysis/links", headers=acme.auth()), 409)


def test_map_links_need_a_scorecard_and_a_token(api: TestClient, acme: SeededWorkspace) -> None:
    assert api.get("/analysis/map-links").status_code == 401
    assert_problem(api.get("/analysis/map-links", headers=acme.auth()), 404)


def _frame_for(warehouse: str, workspace_id: int) -> Any:
    backend = connect(warehouse, read_only=True)
    try:
        return driver_frame(WarehouseReader(backend, workspace_id), "csat", None)
    finally:
        backend.disconnect()


def _bind_delay_target(sessions: sessionmaker[Session], workspace_id: int) -> None:
    """A company scorecard whose measure sets a target for the mean delivery delay, and a
    sliced one (one touchpoint's deliveries) that must not be taken for the driver's."""
    with sessions() as session:
        card = ScorecardRow(workspace_id=workspace_id, key="company", name="Company")
        session.add(card)
        session.flush()
        band = PerspectiveRow(workspace_id=workspace_id, scorecard_id=card.id,
                              key="internal", name="Internal processes")  # fmt: skip
        session.add(band)
        session.flush()
        goal = ObjectiveRow(workspace_id=workspace_id, perspective_id=band.id,
                            key="deliver", title="Deliver on time")  # fmt: skip
        session.add(goal)
        session.flush()
        sliced = MeasureRow(workspace_id=workspace_id, objective_id=goal.id, key="depot-delay",
                            name="Depot delay", direction="lower", amber_from=9.0,
                            green_from=8.0, target=7.0, metric_id="delivery_delay_mean",
                            metric_slice={"touchpoint": ["delivery"]}, position=0)  # fmt: skip
        plain = MeasureRow(workspace_id=workspace_id, objective_id=goal.id, key="delay",
                           name="Mean delivery delay", unit="days", direction="lower",
                           amber_from=1.2, green_from=0.8, target=0.4,
                           metric_id="delivery_delay_mean", position=1)  # fmt: skip
        session.add_all([sliced, plain])
        session.commit()


def test_drivers_performance_is_on_each_drivers_own_scale_with_its_basis(
    api: TestClient, acme: SeededWorkspace, warehouse: str, sessions: sessionmaker[Session],
) -> None:
    """A stage's score on its question's scale, delivery delay against the scorecard
    target that measures its mean (the sliced measure left aside), the other process
    measures between their worst and best respondent; the old `performance` (the mean)
    stays. Every expectation is computed here from the frame and the definitions."""
    _bind_delay_target(sessions, acme.workspace_id)
    frame = _frame_for(warehouse, acme.workspace_id)

    body = api.get("/analysis/drivers", params={"outcome": "csat", "survey": "",
                                                "bootstrap": 0}, headers=acme.auth()).json()

    drivers = {d["driver"]: d for d in body["drivers"]}
    assert set(drivers) == set(frame.drivers) and body["performance_mark"] == pytest.approx(2 / 3)
    lower = {"delivery_delay_days", "first_response_minutes", "defects", "onboarding_days",
             "call_wait_seconds"}  # fmt: skip
    scales = {"csat": (1, 5), "ces": (1, 7), "rating": (1, 5)}
    for key, driver in drivers.items():
        values = frame.data[key]
        assert driver["performance"] == pytest.approx(values.mean())
        assert 0 <= driver["performance_share"] <= 1
        score = key.rpartition(" ")[2]
        if score in scales:
            low, high = scales[score]
            assert driver["performance_basis"] == "scale", key
            assert driver["performance_share"] == pytest.approx(
                (values.mean() - low) / (high - low))
        elif key == "delivery_delay_days":
            # 0.8 → 6.67 and 0.4 → 10, 1.2 → 3.33: linear in between
            mean = values.mean()
            expected = (20 / 3 + (0.8 - mean) / 0.4 * 10 / 3 if mean < 0.8
                        else 10 / 3 + (1.2 - mean) / 0.4 * 10 / 3) / 10  # fmt: skip
            assert driver["performance_basis"] == "target"
            assert driver["performance_share"] == pytest.approx(min(1, max(0, expected)))
            assert (driver["performance_measure"], driver["performance_target"],
                    driver["performance_unit"]) == ("delay", 0.4, "days")  # fmt: skip
        else:
            worst, best = ((values.max(), values.min()) if key in lower
                           else (values.min(), values.max()))  # fmt: skip
            assert driver["performance_basis"] == "range", key
            assert (driver["performance_low"], driver["performance_high"]) == (worst, best)
            assert driver["performance_share"] == pytest.approx(
                (values.mean() - worst) / (best - worst))
    assert "delivery_delay_days" in drivers and len({d["performance_basis"]
                                                     for d in drivers.values()}) == 3
    schema = api.get("/openapi.json").json()["components"]["schemas"]["Driver"]["properties"]
    assert "performance_share" in schema and "description" in schema["performance_basis"]
