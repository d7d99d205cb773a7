"""The window a key result is measured over, in Russian. The UX walk found each key result
of /okr saying "Период расчёта: Цикл на сегодня" ("the cycle for today"), which names no
span; "С начала цикла" ("since the cycle began") says what is counted."""

from __future__ import annotations

import re

import pytest
from sqlalchemy.orm import Session, sessionmaker

from tests.integration.web.browsing import Browser
from tests.integration.web.seed import SeededCompanies
from tests.integration.web.strategy_seed import SeededStrategy, seed_strategy


@pytest.fixture
def strategy(sessions: sessionmaker[Session], companies: SeededCompanies) -> SeededStrategy:
    return seed_strategy(sessions, companies)


def test_a_cycle_long_key_result_is_measured_since_the_cycle_began(
    browser: Browser, strategy: SeededStrategy
) -> None:
    browser.log_in(strategy.editor, strategy.password)
    page = browser.page("/okr", params={"lang": "ru"}).text
    windows = re.findall(r"<summary>Период расчёта: ([^<]*)</summary>", page)
    assert "С начала цикла" in windows, windows
    assert "Цикл на сегодня" not in page
