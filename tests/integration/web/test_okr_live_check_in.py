"""A key result whose value follows its metric live (a refresh has set it) is checked in
with confidence and comment only: the check-in records the live value, and a typed value
is refused. Before, a typed value replaced the live one until the next refresh while the
page still said "live from nps, n = …", and the objective's progress jumped with it."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from kano.adapters.db.orm import CheckInRow, KeyResultRow
from tests.integration.web.browsing import Browser, text_of
from tests.integration.web.seed import SeededCompanies
from tests.integration.web.strategy_seed import SeededStrategy, id_of, seed_strategy

LIVE_NPS = 35.0  # (35 − 31) / (40 − 31) = 44.4 % of the way


@pytest.fixture
def live_kr(sessions: sessionmaker[Session], companies: SeededCompanies) -> tuple[
        SeededStrategy, int]:
    strategy = seed_strategy(sessions, companies)
    kr_id = id_of(sessions, KeyResultRow, companies.acme_id, "nps-to-40")
    with sessions() as session:  # what `kano compute` writes on a bound key result
        kr = session.get(KeyResultRow, kr_id)
        assert kr is not None
        kr.current, kr.current_n, kr.computed_at = LIVE_NPS, 410, datetime(2026, 9, 1, 6, 0)
        session.commit()
    return strategy, kr_id


def _check_ins(sessions: sessionmaker[Session], kr_id: int) -> int:
    with sessions() as session:
        return int(session.scalar(select(func.count()).select_from(CheckInRow)
                                  .where(CheckInRow.key_result_id == kr_id)) or 0)


def _post(browser: Browser, kr_id: int, data: dict[str, str]) -> object:
    return browser.client.post(
        f"/okr/key-results/{kr_id}/check-ins",
        data=data, headers={"X-CSRF-Token": browser.session_token(), "HX-Request": "true"})


def test_the_form_shows_the_live_value_instead_of_a_field(
    browser: Browser, live_kr: tuple[SeededStrategy, int]
) -> None:
    strategy, kr_id = live_kr
    browser.log_in(strategy.editor, strategy.password)

    html = browser.page("/okr").text

    assert f'id="kr-{kr_id}-value"' not in html
    assert text_of(html, f"kr-{kr_id}-live-value") == "35 points"
    assert f'id="kr-{kr_id}-confidence"' in html
    # the page's text keeps the value and its source apart ("40 points)live from …"), and
    # names the metric as the catalogue does in the reader's language, not by its key
    assert ('(from 31 points to 40 points) <span class="cell-note live-value">'
            'live from Net Promoter Score, n = 410</span>') in html
    # and so does the check-in form's hint ("Updates itself from nps." before)
    assert "Updates itself from Net Promoter Score." in html
    russian = browser.page("/okr?lang=ru").text
    assert "по показателю «Индекс потребительской лояльности (NPS)», n = 410" in russian
    assert ("Обновляется само по показателю «Индекс потребительской лояльности (NPS)»."
            in russian)  # fmt: skip


def test_a_check_in_records_the_live_value_with_confidence_and_comment(
    browser: Browser, live_kr: tuple[SeededStrategy, int], sessions: sessionmaker[Session]
) -> None:
    strategy, kr_id = live_kr
    browser.log_in(strategy.editor, strategy.password)
    before = _check_ins(sessions, kr_id)

    response = _post(browser, kr_id, {"confidence": "8", "comment": "Wave 3 looks good"})

    assert response.status_code == 200  # type: ignore[attr-defined]
    assert 'value="44.4"' in response.text  # type: ignore[attr-defined]
    assert _check_ins(sessions, kr_id) == before + 1
    with sessions() as session:
        latest = session.scalars(select(CheckInRow).where(CheckInRow.key_result_id == kr_id)
                                 .order_by(CheckInRow.at.desc())).first()
        assert latest is not None
        assert (latest.value, latest.confidence, latest.comment) == (LIVE_NPS, 8,
                                                                     "Wave 3 looks good")
        assert session.get(KeyResultRow, kr_id).current == LIVE_NPS  # type: ignore[union-attr]


def test_a_typed_value_does_not_replace_the_live_one(
    browser: Browser, live_kr: tuple[SeededStrategy, int], sessions: sessionmaker[Session]
) -> None:
    strategy, kr_id = live_kr
    browser.log_in(strategy.editor, strategy.password)
    before = _check_ins(sessions, kr_id)

    response = _post(browser, kr_id, {"value": "40", "confidence": "9"})

    assert response.status_code == 422  # type: ignore[attr-defined]
    assert text_of(response.text, f"kr-{kr_id}-error") == (  # type: ignore[attr-defined]
        "This key result follows its metric: its value updates itself. Check in your "
        "confidence and a comment.")
    assert _check_ins(sessions, kr_id) == before
    with sessions() as session:
        assert session.get(KeyResultRow, kr_id).current == LIVE_NPS  # type: ignore[union-attr]


def test_a_key_result_not_yet_refreshed_still_takes_a_typed_value(
    browser: Browser, sessions: sessionmaker[Session], companies: SeededCompanies
) -> None:
    strategy = seed_strategy(sessions, companies)
    kr_id = id_of(sessions, KeyResultRow, companies.acme_id, "nps-to-40")
    browser.log_in(strategy.editor, strategy.password)

    missing = _post(browser, kr_id, {"confidence": "9"})
    typed = _post(browser, kr_id, {"value": "38", "confidence": "9"})

    assert missing.status_code == 422  # type: ignore[attr-defined]
    assert text_of(missing.text, f"kr-{kr_id}-error") == "Enter a number."  # type: ignore[attr-defined]
    assert typed.status_code == 200  # type: ignore[attr-defined]
    with sessions() as session:
        assert session.get(KeyResultRow, kr_id).current == 38.0  # type: ignore[union-attr]
