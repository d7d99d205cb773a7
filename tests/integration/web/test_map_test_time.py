"""The strategy map says when its arrows were tested the way the OKR page says when its live
values were refreshed: in the reader's language (a walk of the demo in Russian and Hungarian
found "Проверено 2026-12-07 08:41 UTC" under a map whose every other date was written out)."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from kano.adapters.db.engine import transaction
from kano.adapters.db.orm import LinkTestRow
from tests.integration.web.browsing import Browser, text_of
from tests.integration.web.strategy_seed import SeededStrategy
from tests.integration.web.test_strategy_map import _store_arrow_tests, strategy

__all__ = ["strategy"]


@pytest.mark.parametrize(("language", "said"), [
    ("en", "Tested on Mar 2, 2026, 9:05:00 AM UTC"),
    ("ru", "Проверено 2 мар. 2026 г., 09:05:00 UTC"),
    ("hu", "2026. márc. 2. 9:05:00"),
])  # fmt: skip
def test_the_map_says_when_its_arrows_were_tested_in_the_readers_language(
    browser: Browser, strategy: SeededStrategy, sessions: sessionmaker[Session],
    language: str, said: str,
) -> None:
    _store_arrow_tests(sessions)
    with transaction(sessions) as session:
        session.execute(update(LinkTestRow).values(tested_at=datetime(2026, 3, 2, 9, 5)))
    browser.log_in(strategy.editor, strategy.password)

    page = browser.page(f"/strategy/map?lang={language}").text
    tested = text_of(page, "map-tested-on")
    assert said in tested, tested
    assert "2026-03-02" not in tested
