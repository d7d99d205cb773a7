"""A key result's figures in Russian: "2,8 (начало: 2,95, цель: 3,5)" was the UX walk's
find on /okr, the comma after "2,95" one more decimal comma to a reader who writes
decimals with one. A semicolon now parts the start from the target, as on the journey map."""

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


def test_a_key_result_s_start_and_target_are_parted_by_a_semicolon_in_russian(
    browser: Browser, strategy: SeededStrategy
) -> None:
    browser.log_in(strategy.editor, strategy.password)
    page = browser.page("/okr", params={"lang": "ru"}).text
    figures = re.findall(r"\(начало: [^()<]*\)", page)
    assert figures, "no key result shows its start and target"
    assert all(re.fullmatch(r"\(начало: [^;,]*(?:,\d+)?[^;,]*; цель: [^;]*\)", f)
               for f in figures), figures  # fmt: skip
