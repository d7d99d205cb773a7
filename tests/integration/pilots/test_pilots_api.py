"""``/pilots``: define, plan, evaluate on the warehouse, decide and roll out, per workspace.

The warehouse holds demo company 1 as acme and 2 as globex. The evaluation is checked
against a difference in differences computed by hand from the warehouse's own orders.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import duckdb
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from kano.adapters.db.orm import AuditEntry
from kano.adapters.warehouse.location import parse_warehouse_url
from kano.analytics.pilots.plan import Design, minimum_detectable_effect
from kano.domain.workspaces import Scope
from tests.integration.api.problems import assert_invalid_field, assert_problem
from tests.integration.api.seed import SeededWorkspace
from tests.integration.api.strategy_support import seed_actors

PILOT: dict[str, Any] = {
    "name": "Same-day delivery in the north",
    "hypothesis": "Faster delivery raises what northern customers buy.",
    "pilot_group": {"filters": {"region": ["north"]}},
    "control_group": {"filters": {"region": ["south"]}},
    "kpis": ["revenue"],
    "baseline_start": "2025-01-01",
    "baseline_end": "2025-06-30",
    "test_start": "2025-07-01",
    "test_end": "2025-09-30",
}


def write(workspace: SeededWorkspace) -> dict[str, str]:
    return workspace.auth(Scope.WRITE)


def created(api: TestClient, workspace: SeededWorkspace, **changes: Any) -> dict[str, Any]:
    response = api.post("/pilots", json={**PILOT, **changes}, headers=write(workspace))
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def test_pilot_is_created_listed_and_kept_to_its_workspace(
    api: TestClient, acme: SeededWorkspace, globex: SeededWorkspace,
    sessions: sessionmaker[Session],
) -> None:  # fmt: skip
    pilot = created(api, acme)
    assert pilot["status"] == "planned" and pilot["evaluation"] is None
    assert pilot["pilot_group"] == {"filters": {"region": ["north"]}}
    assert pilot["baseline_end"] == "2025-06-30"
    listed = api.get("/pilots", headers=acme.auth()).json()["items"]
    assert [item["id"] for item in listed] == [pilot["id"]]
    assert api.get("/pilots", headers=globex.auth()).json()["items"] == []
    assert_problem(api.get(f"/pilots/{pilot['id']}", headers=globex.auth()), 404)
    with sessions() as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.entity == "pilot")).one()
    assert (entry.action, entry.workspace_id) == ("create", acme.workspace_id)
    assert entry.detail is not None and entry.detail["after"]["name"] == PILOT["name"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"test_start": "2025-06-15"}, "test_start"),
        ({"baseline_end": "2024-12-01"}, "baseline_end"),
        ({"kpis": ["no_such_metric"]}, "kpis"),
        ({"kpis": []}, "kpis"),
        ({"pilot_group": {"filters": {"colour": ["red"]}}}, "pilot_group.filters.colour.[key]"),
        ({"pilot_group": {"customers": ["C-1"], "filters": {"region": ["north"]}}},
         "pilot_group"),
        ({"control_group": {"filters": {"region": ["north"]}}}, "control_group"),
        ({"pilot_group": {"customers": ["C-1", "C-2"]},
          "control_group": {"customers": ["C-2"]}}, "control_group.customers"),
        ({"owner": "nobody@example.com"}, "owner"),
        ({"name": ""}, "name"),
        ({"rollout": [{"name": "All", "planned_on": "2025-10-01", "status": "late"}]},
         "rollout.0.status"),
    ],
)  # fmt: skip
def test_bad_pilot_is_refused_naming_the_field(
    api: TestClient, acme: SeededWorkspace, changes: dict[str, Any], field: str
) -> None:
    response = api.post("/pilots", json={**PILOT, **changes}, headers=write(acme))
    assert_invalid_field(response, field)
    assert api.get("/pilots", headers=acme.auth()).json()["items"] == []


def test_a_second_pilot_of_the_same_name_is_refused(api: TestClient, acme: SeededWorkspace) -> None:
    created(api, acme)
    assert_invalid_field(api.post("/pilots", json=PILOT, headers=write(acme)), "name")


def test_readers_and_viewers_cannot_define_or_decide(
    api: TestClient, sessions: sessionmaker[Session]
) -> None:
    actors = seed_actors(sessions, "initech")
    for who in ("reader", "vic", "out"):  # a read token, a viewer's, a former member's
        assert_problem(api.post("/pilots", json=PILOT, headers=actors.auth(who)), 403)
    made = api.post("/pilots", json=PILOT, headers=actors.auth("mia"))  # a manager
    assert made.status_code == 201, made.text
    pilot_id = made.json()["id"]
    for who in ("reader", "vic"):
        refused = api.patch(f"/pilots/{pilot_id}", json={"decision": "scale"},
                            headers=actors.auth(who))  # fmt: skip
        assert_problem(refused, 403)
        assert_problem(api.post(f"/pilots/{pilot_id}/evaluate", headers=actors.auth(who)), 403)
    shown = api.get(f"/pilots/{pilot_id}", headers=actors.auth("vic")).json()
    assert shown["decision"] is None


def test_decision_and_staged_rollout_are_recorded(
    api: TestClient, acme: SeededWorkspace, sessions: sessionmaker[Session]
) -> None:
    pilot = created(api, acme)
    change = {
        "decision": "scale",
        "decision_note": "Roll out region by region.",
        "rollout": [
            {"name": "Central region", "planned_on": "2025-11-01", "status": "done"},
            {"name": "All regions", "planned_on": "2026-01-15"},
        ],
    }
    response = api.patch(f"/pilots/{pilot['id']}", json=change, headers=write(acme))
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["status"], body["decision"]) == ("decided", "scale")
    assert body["decided_at"] is not None
    assert body["rollout"] == [
        {"name": "Central region", "planned_on": "2025-11-01", "status": "done", "note": None},
        {"name": "All regions", "planned_on": "2026-01-15", "status": "planned", "note": None},
    ]
    step_done = {"rollout": [{**body["rollout"][1], "status": "in_progress"}]}
    again = api.patch(f"/pilots/{pilot['id']}", json=step_done, headers=write(acme)).json()
    assert [step["status"] for step in again["rollout"]] == ["in_progress"]
    assert again["decision"] == "scale"
    with sessions() as session:
        actions = session.scalars(select(AuditEntry.action).where(AuditEntry.entity == "pilot")
                                  .order_by(AuditEntry.id)).all()  # fmt: skip
    assert actions == ["create", "update", "update"]
    assert_invalid_field(
        api.patch(f"/pilots/{pilot['id']}", json={"decision": "maybe"}, headers=write(acme)),
        "decision",
    )
    assert_invalid_field(
        api.patch(f"/pilots/{pilot['id']}", json={"test_end": "2025-01-01"}, headers=write(acme)),
        "test_end",
    )
    assert_problem(api.patch("/pilots/999999", json={"status": "running"}, headers=write(acme)),
                   404)  # fmt: skip


def test_evaluation_without_a_loaded_warehouse_is_a_409(
    api: TestClient, acme: SeededWorkspace
) -> None:
    pilot = created(api, acme)
    assert_problem(api.post(f"/pilots/{pilot['id']}/evaluate", headers=write(acme)), 409)


def revenue_did_by_hand(url: str, workspace_id: int) -> tuple[float, dict[str, float]]:
    """The 2×2 DiD of monthly revenue per customer, straight from the orders: each
    customer with an order in Jan–Sep 2025 counts in all nine months (zero without one)."""
    path = parse_warehouse_url(url).path
    with duckdb.connect(str(path), read_only=True) as con:
        rows = con.execute(
            """
            WITH orders AS (
              SELECT c.external_id, c.region, strftime(t.occurred_at, '%Y-%m') AS month,
                     t.amount
              FROM transactions t JOIN customers c
                ON c.customer_id = t.customer_id AND c.workspace_id = t.workspace_id
              WHERE t.workspace_id = ? AND c.region IN ('north', 'south')
                AND t.occurred_at >= DATE '2025-01-01' AND t.occurred_at < DATE '2025-10-01'
            ),
            people AS (SELECT DISTINCT external_id, region FROM orders),
            months AS (SELECT DISTINCT month FROM orders),
            grid AS (
              SELECT p.external_id, p.region, m.month,
                     COALESCE((SELECT sum(amount) FROM orders o WHERE o.external_id =
                               p.external_id AND o.month = m.month), 0) AS revenue
              FROM people p CROSS JOIN months m
            )
            SELECT region, month >= '2025-07' AS post, avg(revenue) FROM grid
            GROUP BY 1, 2
            """,
            [workspace_id],
        ).fetchall()
    cell = {(region, bool(post)): float(mean) for region, post, mean in rows}
    effect = (cell[("north", True)] - cell[("north", False)]) - (
        cell[("south", True)] - cell[("south", False)]
    )
    return effect, {
        "pilot_before": cell[("north", False)], "pilot_after": cell[("north", True)],
        "control_before": cell[("south", False)], "control_after": cell[("south", True)],
    }  # fmt: skip


def test_evaluation_matches_a_did_computed_by_hand_from_the_orders(
    api: TestClient, acme: SeededWorkspace, globex: SeededWorkspace, warehouse: str
) -> None:
    pilot = created(api, acme, status="running")
    response = api.post(f"/pilots/{pilot['id']}/evaluate", headers=write(acme))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "evaluated" and body["evaluated_at"] is not None
    result = body["evaluation"]["kpis"]["revenue"]
    effect, means = revenue_did_by_hand(warehouse, acme.workspace_id)
    assert result["method"] == "two-way fixed effects"
    assert result["effect"] == pytest.approx(effect, rel=1e-9)
    for name, value in means.items():
        assert result["two_by_two"][name] == pytest.approx(value, rel=1e-9)
    assert result["ci_low"] < result["effect"] < result["ci_high"]
    assert 0 <= result["p_value"] <= 1
    assert result["pre_trend"]["testable"] and len(result["pre_trend"]["leads"]) == 5
    assert result["pre_trend"]["rejected"] in (True, False)
    months = sorted({m["period"] for m in result["means"]})
    assert months[0] == "2025-01" and months[-1] == "2025-09" and len(months) == 9
    # The stored evaluation is what GET shows; globex's own data give another answer.
    assert api.get(f"/pilots/{pilot['id']}", headers=acme.auth()).json()["evaluation"] == (
        body["evaluation"]
    )
    other = created(api, globex)
    theirs = api.post(f"/pilots/{other['id']}/evaluate", headers=write(globex)).json()
    assert theirs["evaluation"]["kpis"]["revenue"]["effect"] != pytest.approx(effect)


def test_changing_the_groups_drops_the_old_evaluation(
    api: TestClient, acme: SeededWorkspace, warehouse: str
) -> None:
    pilot = created(api, acme)
    assert api.post(f"/pilots/{pilot['id']}/evaluate", headers=write(acme)).status_code == 200
    changed = api.patch(f"/pilots/{pilot['id']}",
                        json={"control_group": {"filters": {"region": ["east"]}}},
                        headers=write(acme)).json()  # fmt: skip
    assert changed["evaluation"] is None and changed["status"] == "running"


def test_group_without_data_in_the_test_period_is_named(
    api: TestClient, acme: SeededWorkspace, warehouse: str
) -> None:
    pilot = created(api, acme, test_start="2030-01-01", test_end="2030-03-31")
    response = api.post(f"/pilots/{pilot['id']}/evaluate", headers=write(acme))
    assert_invalid_field(response, "pilot_group")


def test_plan_gives_the_minimum_detectable_effect_and_what_a_target_needs(
    api: TestClient, acme: SeededWorkspace, warehouse: str
) -> None:
    pilot = created(api, acme, target_effect=50.0)
    response = api.get(f"/pilots/{pilot['id']}/plan", headers=acme.auth())
    assert response.status_code == 200, response.text
    plan = response.json()
    assert plan["metric"] == "revenue" and plan["baseline_months"] == 6
    assert plan["test_months"] == 3 and plan["rho_estimated"] is True
    assert plan["pilot_units"] > 10 and plan["control_units"] > 10
    assert plan["minimum_detectable_effect"] > 50
    # revenue adds up: a month without orders is a zero, so every customer has every month
    assert plan["pilot_observed_share"] == plan["control_observed_share"] == 1.0
    assert plan["required_units_per_group"] > plan["pilot_units"]
    bigger = api.get(f"/pilots/{pilot['id']}/plan",
                     params={"target_effect": plan["minimum_detectable_effect"]},
                     headers=acme.auth()).json()  # fmt: skip
    assert bigger["required_test_months"] == 3
    assert_invalid_field(
        api.get(f"/pilots/{pilot['id']}/plan", params={"kpi": "nps"}, headers=acme.auth()),
        "kpi",
    )


def test_plan_of_a_sparse_kpi_counts_each_customers_months(
    api: TestClient, acme: SeededWorkspace, warehouse: str
) -> None:
    # On-time delivery has a value only in the months a customer had a delivery: the plan
    # says which share of the months that is, and its MDE is the sparse panel's, above the
    # one the same σ, ρ and group sizes would give if every customer had every month.
    pilot = created(api, acme, kpis=["on_time_delivery"])
    response = api.get(f"/pilots/{pilot['id']}/plan", headers=acme.auth())
    assert response.status_code == 200, response.text
    plan = response.json()
    for share in (plan["pilot_observed_share"], plan["control_observed_share"]):
        assert 0 < share < 1
    balanced = Design(pilot_units=plan["pilot_units"], control_units=plan["control_units"],
                      sd=plan["sd"], rho=plan["rho"], baseline_periods=plan["baseline_months"])
    every_month = minimum_detectable_effect(balanced, plan["test_months"])
    assert plan["minimum_detectable_effect"] > 1.2 * every_month
    again = api.get(f"/pilots/{pilot['id']}/plan",
                    params={"target_effect": plan["minimum_detectable_effect"]},
                    headers=acme.auth()).json()  # fmt: skip
    assert again["required_test_months"] == 3


def test_listed_customers_form_a_group(
    api: TestClient, acme: SeededWorkspace, warehouse: str
) -> None:
    path = parse_warehouse_url(warehouse).path
    with duckdb.connect(str(path), read_only=True) as con:
        ids = [row[0] for row in con.execute(
            "SELECT external_id FROM customers WHERE workspace_id = ? AND region = 'north' "
            "ORDER BY external_id", [acme.workspace_id]).fetchall()]  # fmt: skip
    by_list = created(api, acme, name="Listed", pilot_group={"customers": ids})
    by_filter = created(api, acme)
    results = [
        api.post(f"/pilots/{p['id']}/evaluate", headers=write(acme)).json()["evaluation"]
        for p in (by_list, by_filter)
    ]
    assert results[0]["kpis"]["revenue"]["effect"] == pytest.approx(
        results[1]["kpis"]["revenue"]["effect"], rel=1e-12
    )
    assert date.fromisoformat(by_list["test_start"]) == date(2025, 7, 1)


def test_a_pilot_of_three_customers_is_evaluated_by_the_wild_cluster_bootstrap(
    api: TestClient, acme: SeededWorkspace, warehouse: str
) -> None:
    # Three listed customers against a region: cluster-robust errors would be too small,
    # so the p-value and the interval come from the bootstrap, and the API names it.
    path = parse_warehouse_url(warehouse).path
    with duckdb.connect(str(path), read_only=True) as con:
        ids = [row[0] for row in con.execute(
            "SELECT DISTINCT c.external_id FROM transactions t JOIN customers c "
            "ON c.customer_id = t.customer_id AND c.workspace_id = t.workspace_id "
            "WHERE t.workspace_id = ? AND c.region = 'north' AND t.occurred_at >= "
            "DATE '2025-01-01' AND t.occurred_at < DATE '2025-10-01' "
            "ORDER BY 1 LIMIT 3", [acme.workspace_id]).fetchall()]  # fmt: skip
    few = created(api, acme, name="Three stores", pilot_group={"customers": ids})
    many = created(api, acme)
    small, large = (
        api.post(f"/pilots/{p['id']}/evaluate", headers=write(acme)).json()["evaluation"]
        ["kpis"]["revenue"] for p in (few, many)
    )  # fmt: skip
    assert small["pilot_units"] == 3
    assert small["inference"] == "wild-cluster-bootstrap"
    assert small["bootstrap_weights"] in ("rademacher", "webb")
    assert small["bootstrap_draws"] == 9_999
    assert small["ci_low"] < small["effect"] < small["ci_high"]
    assert 0 < small["p_value"] <= 1
    # The pre-trend check follows the same rule on its baseline customers.
    trend = small["pre_trend"]
    assert trend["testable"] and trend["inference"] == "wild-cluster-bootstrap"
    assert trend["bootstrap_weights"] in ("rademacher", "webb") and trend["bootstrap_draws"]
    assert 0 < trend["p_value"] <= 1 and trend["rejected"] == (trend["p_value"] < 0.05)
    # The region pilot follows the same rule: the bootstrap below 50 customers or below
    # 10 on either side, CR1 otherwise.
    needs = large["n_units"] < 50 or min(large["pilot_units"], large["control_units"]) < 10
    assert large["inference"] == ("wild-cluster-bootstrap" if needs else "cr1")
    assert (large["bootstrap_draws"] is None) == (not needs)
    assert large["pre_trend"]["inference"] in ("cr1", "wild-cluster-bootstrap")
    assert (large["pre_trend"]["bootstrap_draws"] is None) == (
        large["pre_trend"]["inference"] == "cr1"
    )


def test_an_evaluation_stored_before_the_bootstrap_reads_as_cr1() -> None:
    from kano.adapters.api.schemas.pilots import KpiEvaluation

    stored = {
        "metric": "revenue", "unit": "EUR", "effect": 1.0, "std_error": 0.5, "ci_low": 0.0,
        "ci_high": 2.0, "p_value": 0.05, "relative_effect": None, "n_units": 80,
        "n_observations": 560, "pilot_units": 40, "control_units": 40,
        "method": "two-way fixed effects", "cov_type": "cluster",
        "pre_trend": {"testable": False, "f_statistic": None, "p_value": None,
                      "rejected": None, "leads": []},
        "means": [], "two_by_two": {"pilot_before": 1.0, "pilot_after": 2.0,
                                    "control_before": 1.0, "control_after": 1.0,
                                    "effect": 1.0},
    }  # fmt: skip
    read = KpiEvaluation.model_validate(stored)
    assert (read.inference, read.bootstrap_weights, read.bootstrap_draws) == ("cr1", None, None)
    trend = read.pre_trend
    assert (trend.inference, trend.bootstrap_weights, trend.bootstrap_draws) == ("cr1", None, None)
