"""The OKR page's key-result form chooses the window a live value covers: the cycle so
far (default) or per month; an unknown window is refused naming the field, in the
reader's language. SQLite and PostgreSQL through the app's own fixtures."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from kano.adapters.db.orm import KeyResultRow, OkrObjectiveRow
from tests.integration.web.browsing import Browser, text_of
from tests.integration.web.seed import SeededCompanies
from tests.integration.web.strategy_seed import SeededStrategy, id_of, seed_strategy


@pytest.fixture
def strategy(sessions: sessionmaker[Session], companies: SeededCompanies) -> SeededStrategy:
    return seed_strategy(sessions, companies)


def _post(browser: Browser, path: str, data: dict[str, str], lang: str = "en") -> Any:
    return browser.client.post(f"{path}?lang={lang}",
                               data={**data, "csrf_token": browser.session_token()})


def test_the_form_stores_per_month_and_refuses_an_unknown_window(
    browser: Browser, strategy: SeededStrategy, sessions: sessionmaker[Session],
) -> None:
    objective_id = id_of(sessions, OkrObjectiveRow, strategy.companies.acme_id, "delight-b2b")
    browser.log_in(strategy.editor, strategy.password)
    path = f"/okr/objectives/{objective_id}/key-results"
    fields = {"kind": "metric", "metric": "nps", "start": "31", "target": "40"}

    monthly = _post(browser, path, {"title": "Monthly NPS", **fields, "per": "month"})
    default = _post(browser, path, {"title": "Quarter NPS", **fields})
    refused = _post(browser, path, {"title": "Weekly NPS", **fields, "per": "week"}, lang="hu")

    assert (monthly.status_code, default.status_code) == (303, 303), monthly.text
    assert refused.status_code == 422
    assert text_of(refused.text, f"new-kr-error-{objective_id}") == (
        "Válassza a ciklust eddig vagy a havi mérést.")
    assert re.search(rf'id="new-kr-per-{objective_id}"[^>]*aria-invalid', refused.text)
    with sessions() as session:
        pers = {kr.title: kr.per for kr in session.scalars(select(KeyResultRow))}
    assert (pers["Monthly NPS"], pers["Quarter NPS"]) == ("month", "cycle")
    assert "Weekly NPS" not in pers
