"""``/text``: themes, sentiment and one response's analysis on a real DuckDB warehouse
holding two generated companies (seed 1 as acme, seed 2 as globex). The figures equal the
analysis computed directly on the caller's own comments."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from kano.adapters.db.orm import FeedbackResponse
from kano.adapters.warehouse import connect
from kano.analytics.text import analyze_comments, theme_summary
from kano.analytics.text.cache import clear_cache
from kano.analytics.text.inputs import load_comments
from tests.integration.api.problems import assert_invalid_field, assert_problem
from tests.integration.api.seed import SeededWorkspace
from tests.integration.api.test_metrics_api import demo_files, warehouse

__all__ = ["demo_files", "warehouse"]  # fixtures shared with the metrics API tests


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    clear_cache()


def _direct(url: str, workspace_id: int) -> object:
    backend = connect(url, read_only=True)
    try:
        return analyze_comments(load_comments(backend, workspace_id))
    finally:
        backend.disconnect()


def test_themes_per_touchpoint_are_the_callers_own_comments_analysed(
    api: TestClient, acme: SeededWorkspace, globex: SeededWorkspace, warehouse: str,
) -> None:
    response = api.get("/text/themes", params={"by": "touchpoint", "language": "ru"},
                       headers=acme.auth())  # fmt: skip

    assert response.status_code == 200, response.text
    body = response.json()
    mine = _direct(warehouse, acme.workspace_id)
    expected = theme_summary(mine, "touchpoint")  # type: ignore[arg-type]
    assert body["comments"] == len(mine.comments)  # type: ignore[attr-defined]
    assert [(t["group"], t["theme"], t["n"]) for t in body["themes"]] == [
        (r.group, r.theme, r.n) for r in expected
    ]
    for got, want in zip(body["themes"], expected, strict=True):
        assert got["share"] == pytest.approx(want.share)
        assert got["nps_with"] == pytest.approx(want.nps_with)
        assert (got["impact_ci_low"], got["impact_ci_high"]) == (
            pytest.approx(want.impact_ci_low), pytest.approx(want.impact_ci_high))
        if got["impact"] is not None:
            assert got["impact_ci_low"] < got["impact"] < got["impact_ci_high"]
    assert any(t["impact_ci_low"] is not None for t in body["themes"])
    assert {t["label"] for t in body["themes"] if t["theme"] == "delivery"} == {"Доставка"}
    assert set(body["languages"]) <= {"en", "ru", "hu", "unknown"}
    assert body["model"]["status"] == "trained" and body["model"]["accuracy"] > 0.9
    assert body["negative_themes"][0]["negative"] >= body["negative_themes"][-1]["negative"]
    assert len(body["topics"]) > 0
    theirs = api.get("/text/themes", headers=globex.auth()).json()
    assert theirs["comments"] != body["comments"]


def test_sentiment_reports_the_model_and_the_distribution_per_segment(
    api: TestClient, acme: SeededWorkspace, warehouse: str,
) -> None:
    response = api.get("/text/sentiment", params={"by": "segment"}, headers=acme.auth())

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["model"]["folds"] == 5 and 0.9 < body["model"]["macro_f1"] <= 1
    rows = body["distribution"]
    assert len(rows) > 1
    assert all(r["negative"] + r["neutral"] + r["positive"] == r["n"] for r in rows)
    assert sum(r["n"] for r in rows) == api.get("/text/themes", headers=acme.auth()).json()[
        "comments"]


def test_one_response_is_analysed_and_another_workspaces_is_not_found(
    api: TestClient, acme: SeededWorkspace, globex: SeededWorkspace, warehouse: str,
) -> None:
    mine = _direct(warehouse, acme.workspace_id).comments  # type: ignore[attr-defined]
    negative = mine[(mine["label"] == 0)].iloc[0]

    response = api.get(f"/text/responses/{int(negative['response_id'])}", headers=acme.auth())

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["comment"] == negative["comment"]
    assert body["label"] == "negative" and body["sentiment"] == "negative"
    assert body["language"] == negative["detected_language"]
    theirs = _direct(warehouse, globex.workspace_id).comments  # type: ignore[attr-defined]
    # the largest: small ids are also the app database's responses seeded for acme
    only_theirs = max(set(theirs["response_id"]) - set(mine["response_id"]))
    assert_problem(api.get(f"/text/responses/{only_theirs}", headers=acme.auth()), 404)


def test_bad_grouping_missing_warehouse_and_no_token_are_clear(
    api: TestClient, acme: SeededWorkspace
) -> None:
    assert api.get("/text/themes").status_code == 401
    assert_invalid_field(api.get("/text/themes", params={"by": "mood"}, headers=acme.auth()),
                         "by")  # fmt: skip
    assert_problem(api.get("/text/sentiment", headers=acme.auth()), 409)


def test_a_response_newer_than_the_warehouse_is_read_with_the_same_model(
    api: TestClient, acme: SeededWorkspace, globex: SeededWorkspace, warehouse: str,
    sessions: sessionmaker[Session],
) -> None:
    with sessions() as session:
        # Ids beyond the warehouse's: it was loaded from generated files, not from this
        # database, so a sequence id could name one of its responses.
        mine = FeedbackResponse(id=1_999_999_001, workspace_id=acme.workspace_id, nps=2,
                                channel="web",
                                submitted_at=datetime(2030, 1, 1), language=None,
                                comment="Доставка опоздала на три дня. Очень разочарованы.")
        theirs = FeedbackResponse(id=1_999_999_002, workspace_id=globex.workspace_id, nps=2,
                                  channel="web",
                                  submitted_at=datetime(2030, 1, 1), comment="Late.")
        session.add_all([mine, theirs])
        session.commit()
        mine_id, theirs_id = mine.id, theirs.id

    response = api.get(f"/text/responses/{mine_id}", headers=acme.auth())

    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["language"], body["label"], body["sentiment"]) == ("ru", "negative", "negative")
    assert {"delivery", "lateness"} <= set(body["themes"]) and body["topic"] is None
    assert_problem(api.get(f"/text/responses/{theirs_id}", headers=acme.auth()), 404)
