"""A key result that follows a higher-is-better metric and started above its target
(the demo's "85 % of deliveries on the promised day" read "83.95 % (from 85.94 % to
85 %)") counts a fall below the target as no progress, on the page and when the cycle is
graded and carried over. Before, (current − start) / (target − start) read the fall as
100 %: the committed objective looked done and the key result was not carried over."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from kano.adapters.db.orm import KeyResultRow, OkrCycleRow, OkrObjectiveRow
from tests.integration.web.browsing import Browser, text_of
from tests.integration.web.seed import SeededCompanies
from tests.integration.web.strategy_seed import id_of, seed_strategy


def _progress_of(html: str, key_result_id: int) -> str:
    marker = f'<progress id="kr-progress-{key_result_id}"'
    tail = html[html.index(marker):]
    return tail[tail.index('value="') + 7:].split('"', 1)[0]


def test_a_fall_below_a_target_the_start_already_met_is_no_progress(
    browser: Browser, sessions: sessionmaker[Session], companies: SeededCompanies
) -> None:
    strategy = seed_strategy(sessions, companies)
    acme = companies.acme_id
    kr_id = id_of(sessions, KeyResultRow, acme, "nps-to-40")  # follows NPS: higher is better
    objective = id_of(sessions, OkrObjectiveRow, acme, "delight-b2b")
    with sessions() as session:
        kr = session.get(KeyResultRow, kr_id)
        assert kr is not None
        kr.start, kr.target, kr.current = 41.0, 40.0, 38.0
        session.add(OkrCycleRow(workspace_id=acme, key="2026-q4", name="Q4 2026",
                                starts_on=date(2026, 10, 1), ends_on=date(2026, 12, 31)))
        session.commit()
    browser.log_in(strategy.editor, strategy.password)

    page = browser.page("/okr?cycle=2026-q3").text
    assert _progress_of(page, kr_id) == "0.0"
    # and its objective: NPS 0 % and churn in its band (1.0), equal weights → 50 %
    assert "50%" in text_of(page, f"okr-progress-{objective}")

    closed = browser.client.post("/okr/cycles/2026-q3/close", data={
        "carry_over_to": "2026-q4", "confirm": "yes", "csrf_token": browser.session_token()})

    assert closed.status_code == 303
    page = browser.page("/okr?cycle=2026-q3").text
    assert text_of(page, f"okr-grade-{objective}") == "Grade: 0.5"
    assert text_of(page, f"okr-success-{objective}") == "Missed"
    with sessions() as session:
        copy = session.scalar(select(KeyResultRow).where(
            KeyResultRow.workspace_id == acme, KeyResultRow.carried_over_from_id == kr_id))
        assert copy is not None  # unfinished: it goes on into the next quarter
        assert (copy.start, copy.target) == (38.0, 40.0)


def test_a_target_the_start_already_met_is_done_while_it_holds(
    browser: Browser, sessions: sessionmaker[Session], companies: SeededCompanies
) -> None:
    strategy = seed_strategy(sessions, companies)
    kr_id = id_of(sessions, KeyResultRow, companies.acme_id, "nps-to-40")
    with sessions() as session:
        kr = session.get(KeyResultRow, kr_id)
        assert kr is not None
        kr.start, kr.target, kr.current = 41.0, 40.0, 40.5
        session.commit()
    browser.log_in(strategy.editor, strategy.password)

    assert _progress_of(browser.page("/okr?cycle=2026-q3").text, kr_id) == "100.0"
