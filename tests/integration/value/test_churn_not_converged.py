"""A churn model whose logistic fit does not converge is not shown: each door says so as
it says a CLV model could not be fitted — the page in its language with what to do, the
API a 422 problem with ``"code": "churn_not_fitted"`` and what was tried, the CLI a line
with what was tried and what to do, then an error (exit code 2). Gradient boosting, which
has no such search, still answers.

The demo company's churn data converge within scikit-learn's default budget (as any data
do under its L2 penalty on standardised features: see tests/unit/value/
test_churn_convergence.py), so the stop is provoked by cutting the iteration budget of
every attempt; the fit, the warehouse, the app and the databases are real."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import select
from starlette.testclient import TestClient
from typer.testing import CliRunner

import kano.analytics.value.churn as churn
from kano.adapters.db.orm import Workspace
from kano.adapters.web.page_figures import PAGE_FIGURES
from kano.app import create_app
from kano.bootstrap import Container
from kano.config import get_settings
from tests.integration.api.seed import SeededWorkspace
from tests.integration.jobs.test_live_binding import demo_data, live, workspace_id
from tests.integration.web.browsing import Browser, text_of

__all__ = ["demo_data", "live"]

CUT = (("lbfgs", 1), ("newton-cholesky", 1))


@pytest.fixture
def cut_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(churn, "LOGISTIC_ATTEMPTS", CUT)
    monkeypatch.setattr(PAGE_FIGURES, "enabled", False)  # churn kept from another test


def _words(page: str, element_id: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", text_of(page, element_id))).split())


def test_the_page_says_there_is_no_churn_risk_and_what_to_do(
    live: Container, cut_budget: None
) -> None:
    browser = Browser(TestClient(create_app(container=live), follow_redirects=False))
    browser.log_in("helen.carter@northwind.example", "demo")

    english = browser.page("/value/churn?lang=en").text
    note = _words(english, "churn-not-fitted")
    assert note.startswith("No churn risk to show: the model could not be fitted")
    assert ("did not converge, even with more iterations and another solver: the data do "
            "not pin the model down. Choose") in note
    assert "Choose “Gradient boosting” as the model, or wait for more data." in note
    assert 'id="churn-auc"' not in english and 'id="churn-customers"' not in english

    one_segment = browser.page("/value/churn?lang=en&segment=smb").text
    assert "or show all segments" in _words(one_segment, "churn-not-fitted")
    hungarian = _words(browser.page("/value/churn?lang=hu").text, "churn-not-fitted")
    assert hungarian.startswith("Nincs megjeleníthető lemorzsolódási kockázat")
    assert "sem konvergált" in hungarian and "„Gradiens boosting”" in hungarian
    russian = _words(browser.page("/value/churn?lang=ru").text, "churn-not-fitted")
    assert russian.startswith("Риск оттока показать нельзя") and "не сошлась" in russian

    boosted = browser.page("/value/churn?lang=en&method=boosting").text
    assert 'id="churn-not-fitted"' not in boosted and 'id="churn-auc"' in boosted


def test_the_api_answers_a_problem_with_what_was_tried(
    api: TestClient, acme: SeededWorkspace, warehouse: str, cut_budget: None
) -> None:
    response = api.get("/value/churn", headers=acme.auth())

    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["code"] == "churn_not_fitted" and problem["reason"] == "not_converged"
    assert problem["errors"][0]["field"] == "method"
    assert problem["detail"].startswith(
        "method: the logistic churn model could not be fitted to these customers, so there "
        "is no churn risk to show — the fit did not converge"
    )
    assert (problem["method"], problem["segment"]) == ("logistic", None)
    assert problem["attempts"] == [{"solver": "lbfgs", "max_iter": 1, "iterations": 1},
                                   {"solver": "newton-cholesky", "max_iter": 1,
                                    "iterations": 1}]  # fmt: skip
    boosted = api.get("/value/churn", params={"method": "boosting"}, headers=acme.auth())
    assert boosted.status_code == 200 and 0.5 < boosted.json()["holdout_auc"] <= 1


def test_the_cli_says_what_was_tried_and_exits_with_an_error(
    live: Container, cut_budget: None
) -> None:
    from kano.adapters.cli.main import app

    with live.sessions() as session:
        slug = session.scalar(select(Workspace.slug).where(
            Workspace.id == workspace_id(live.sessions)))  # fmt: skip
    env = {"KANO_DATABASE_URL": live.settings.database_url,
           "KANO_WAREHOUSE_URL": live.settings.resolved_warehouse_url(),
           "KANO_SECRET_KEY": "test-secret-key-0123456789abcdef", "COLUMNS": "200"}  # fmt: skip
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["value", "churn", "--workspace", str(slug)], env=env)
    finally:
        get_settings.cache_clear()

    assert result.exit_code == 2, result.output
    said = " ".join(result.output.split())  # Rich wraps the error line
    assert ("churn model not fitted (not_converged): tried lbfgs: 1 of 1 iterations; "
            "newton-cholesky: 1 of 1 iterations; use --method boosting, or wait for more "
            "data.") in said  # fmt: skip
    assert ("Error: --method: the logistic churn model could not be fitted to these "
            "customers, so there is no churn risk to show") in said  # fmt: skip
