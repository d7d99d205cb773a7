"""Measures and their values: thresholds checked by the domain, values scored, one value
per period."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from kano.adapters.strategy_code import import_strategy
from tests.integration.api.problems import assert_invalid_field, assert_problem
from tests.integration.api.strategy_support import (
    build_strategy,
    nps_key_result,
    nps_measure,
    ok,
    seed_actors,
)


def test_measure_round_trip_with_binding_and_latest_score(
    api: TestClient, sessions: sessionmaker[Session]
) -> None:
    actors = seed_actors(sessions)
    build_strategy(api, actors)
    admin = actors.auth()
    measure = ok(api.get("/measures/nps", headers=admin))
    assert measure["metric"] == {"id": "nps", "slice": {"segment": "smb"}}
    assert (measure["objective"], measure["direction"], measure["kind"]) == (
        "happy-customers", "higher", "say")
    assert (measure["latest_actual"], measure["score"], measure["status"]) == (
        None, None, "no_data")
    for period, actual in (("2026-08-01", 33.0), ("2026-09-01", 40.0)):
        value = {"period": period, "actual": actual, "source": "metric", "n": 400}
        ok(api.post("/measures/nps/values", json=value, headers=admin), 201)
    measure = ok(api.get("/measures/nps", headers=admin))
    assert (measure["latest_period"], measure["latest_actual"]) == ("2026-09-01", 40.0)
    assert (measure["score"], measure["status"]) == (10.0, "green")
    changed = ok(api.patch("/measures/nps", json={"target": 45, "metric": None, "weight": 2},
                           headers=admin))
    assert (changed["target"], changed["metric"], changed["weight"]) == (45.0, None, 2.0)
    assert changed["status"] == "green" and changed["score"] < 10
    listed = ok(api.get("/measures", params={"objective": "happy-customers"}, headers=admin))
    assert [item["key"] for item in listed["items"]] == ["nps"]
    ok(api.delete("/measures/nps", headers=admin), 204)
    assert_problem(api.get("/measures/nps", headers=admin), 404)
    assert_problem(api.get("/measures/nps/values/2026-09-01", headers=admin), 404)


def test_thresholds_the_domain_refuses_are_422(
    api: TestClient, sessions: sessionmaker[Session]
) -> None:
    actors = seed_actors(sessions)
    build_strategy(api, actors)
    admin = actors.auth()
    upside_down = {**nps_measure("nps2", "happy-customers"), "amber_from": 38}
    body = assert_invalid_field(api.post("/measures", json=upside_down, headers=admin),
                                "thresholds")
    assert "amber_from" in body["detail"]
    band = {**nps_measure("margin", "happy-customers"), "direction": "band", "band_low": 45,
            "band_high": 38, "tolerance": 3}
    assert_invalid_field(api.post("/measures", json=band, headers=admin), "band_low")
    # a PATCH is checked on the measure as it would be afterwards
    assert_invalid_field(api.patch("/measures/nps", json={"target": 20}, headers=admin),
                         "thresholds")
    assert_invalid_field(api.patch("/measures/nps", json={"direction": "lower"}, headers=admin),
                         "thresholds")
    assert ok(api.get("/measures/nps", headers=admin))["target"] == 40.0
    assert_invalid_field(api.post("/measures", json={**nps_measure("x", "nope")}, headers=admin),
                         "objective")
    assert_invalid_field(api.post("/measures", json={**nps_measure("x", "happy-customers"),
                                                     "weight": -1}, headers=admin), "weight")


def test_measure_value_round_trip(api: TestClient, sessions: sessionmaker[Session]) -> None:
    actors = seed_actors(sessions)
    build_strategy(api, actors)
    admin = actors.auth()
    body = {"period": "2026-10-01", "actual": 29.0, "target": 38.0, "source": "metric", "n": 412,
            "ci_low": 25.5, "ci_high": 32.4, "computed_at": "2026-11-01T06:00:00+01:00"}
    value = ok(api.post("/measures/nps/values", json=body, headers=admin), 201)
    assert value == {**body, "id": value["id"], "measure": "nps",
                     "computed_at": "2026-11-01T05:00:00Z", "score": value["score"],
                     "status": "red"}
    assert ok(api.get("/measures/nps/values/2026-10-01", headers=admin)) == value
    assert_problem(api.post("/measures/nps/values", json=body, headers=admin), 409)
    changed = ok(api.patch("/measures/nps/values/2026-10-01", json={"actual": 37},
                           headers=admin))
    assert (changed["actual"], changed["status"], changed["n"]) == (37.0, "green", 412)
    assert_invalid_field(api.patch("/measures/nps/values/2026-10-01", json={"ci_low": 99},
                                   headers=admin), "ci_low")
    listed = ok(api.get("/measures/nps/values", headers=admin))["items"]
    assert [item["period"] for item in listed] == ["2026-10-01"]
    ok(api.delete("/measures/nps/values/2026-10-01", headers=admin), 204)
    assert_problem(api.get("/measures/nps/values/2026-10-01", headers=admin), 404)
    assert_invalid_field(api.get("/measures/nps/values/2026-13-01", headers=admin), "period")


def test_measures_of_another_workspace_are_404(
    api: TestClient, sessions: sessionmaker[Session]
) -> None:
    acme, globex = seed_actors(sessions, "acme"), seed_actors(sessions, "globex")
    build_strategy(api, acme)
    ok(api.post("/measures/nps/values", json={"period": "2026-10-01", "actual": 1},
                headers=acme.auth()), 201)
    for path in ("/measures/nps", "/measures/nps/values", "/measures/nps/values/2026-10-01"):
        assert_problem(api.get(path, headers=globex.auth()), 404)
    assert_problem(api.patch("/measures/nps", json={"name": "Mine"}, headers=globex.auth()), 404)
    assert ok(api.get("/measures", headers=globex.auth()))["items"] == []
    assert_invalid_field(api.post("/measures", json=nps_measure("nps-g", "happy-customers"),
                                  headers=globex.auth()), "objective")


def test_binding_to_an_unknown_metric_is_422_naming_metric_id(
    api: TestClient, sessions: sessionmaker[Session]
) -> None:
    actors = seed_actors(sessions)
    build_strategy(api, actors)
    admin = actors.auth()
    ghost = {"id": "happiness", "slice": None}
    body = assert_invalid_field(api.post("/measures", json={
        **nps_measure("ghost", "happy-customers"), "metric": ghost}, headers=admin), "metric.id")
    assert body["detail"] == "metric.id: unknown metric 'happiness'; see `kano metrics list`"
    assert_invalid_field(api.patch("/measures/nps", json={"metric": ghost}, headers=admin),
                         "metric.id")
    assert_invalid_field(api.patch("/measures/nps", json={
        "metric": {"id": "nps", "slice": {"segmnt": "smb"}}}, headers=admin), "metric.slice.segmnt")
    assert_invalid_field(api.post("/okr/key-results", json={
        **nps_key_result("ghost", "mia-okr"), "metric": ghost}, headers=admin), "metric.id")
    assert_invalid_field(api.patch("/okr/key-results/mia-nps", json={"metric": ghost},
                                   headers=admin), "metric.id")
    assert ok(api.get("/measures/nps", headers=admin))["metric"]["id"] == "nps"
    assert_problem(api.get("/measures/ghost", headers=admin), 404)

    # A custom metric of the workspace (stored by a strategy import) binds like a built-in.
    import_strategy(sessions, (
        "format: kano-strategy/1\nmetrics:\n  - {id: web_orders, layer: TX, direction: higher,"
        " source: transactions, aggregate: count, filter: \"channel = 'web'\"}\n"
    ), source="metrics.yaml", workspace=actors.slug)
    web = {"id": "web_orders", "slice": {"segment": "smb"}}
    assert ok(api.patch("/measures/nps", json={"metric": web}, headers=admin))["metric"] == web
    assert ok(api.patch("/okr/key-results/mia-nps", json={"metric": web}, headers=admin))[
        "metric"] == web
