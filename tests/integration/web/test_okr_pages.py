"""The OKR tree: alignment nesting, progress bars, Net Confidence per team, and the inline
HTMX check-in (recorded, audited, moves the progress bar; refused to viewers)."""

from __future__ import annotations

import re
from datetime import date
from html.parser import HTMLParser
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from kano.adapters.db.orm import (
    AuditEntry,
    CheckInRow,
    KeyResultRow,
    OkrCycleRow,
    OkrObjectiveRow,
)
from tests.integration.web.browsing import Browser, text_of
from tests.integration.web.seed import SeededCompanies
from tests.integration.web.strategy_seed import (
    SECRET,
    SeededStrategy,
    grant_manager,
    id_of,
    seed_strategy,
)


@pytest.fixture
def strategy(sessions: sessionmaker[Session], companies: SeededCompanies) -> SeededStrategy:
    return seed_strategy(sessions, companies)


class _Nesting(HTMLParser):
    """For each element whose id starts with ``okr-<digits>``: the OKR ids around it."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str | None] = []
        self.ancestors: dict[str, list[str]] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("input", "br", "img", "meta", "link", "circle", "line", "polyline"):
            return
        element_id = dict(attrs).get("id") or ""
        okr = element_id if re.fullmatch(r"okr-\d+", element_id) else None
        if okr:
            self.ancestors[okr] = [s for s in self.stack if s]
        self.stack.append(okr)

    def handle_endtag(self, tag: str) -> None:
        if tag not in ("input", "br", "img", "meta", "link") and self.stack:
            self.stack.pop()


def _progress_of(html: str, key_result_id: int) -> str:
    match = re.search(rf'<progress id="kr-progress-{key_result_id}"[^>]* value="([\d.]+)"', html)
    assert match, f"no progress bar for key result {key_result_id}"
    return match.group(1)


def _check_in(browser: Browser, key_result_id: int, data: dict[str, str], htmx: bool = True,
              lang: str = "en") -> object:
    headers = {"X-CSRF-Token": browser.session_token()}
    if htmx:
        headers["HX-Request"] = "true"
    return browser.client.post(f"/okr/key-results/{key_result_id}/check-ins?lang={lang}",
                               data=data, headers=headers)


@pytest.mark.parametrize(("language", "heading"),
                         [("en", "OKR tree"), ("ru", "Дерево OKR"), ("hu", "OKR-fa")])
def test_tree_nests_company_team_and_person_objectives(
    browser: Browser, strategy: SeededStrategy, sessions: sessionmaker[Session], language: str,
    heading: str,
) -> None:
    acme = strategy.companies.acme_id
    ids = {key: f"okr-{id_of(sessions, OkrObjectiveRow, acme, key)}"
           for key in ("delight-b2b", "service-first-time-right", "ana-coaching")}
    browser.log_in(strategy.editor, strategy.password)

    page = browser.page(f"/okr?lang={language}").text

    nesting = _Nesting()
    nesting.feed(page)
    assert nesting.ancestors[ids["delight-b2b"]] == []
    assert nesting.ancestors[ids["service-first-time-right"]] == [ids["delight-b2b"]]
    assert nesting.ancestors[ids["ana-coaching"]] == [ids["delight-b2b"],
                                                      ids["service-first-time-right"]]
    assert f"<h1>{heading}</h1>" in page
    kr = id_of(sessions, KeyResultRow, acme, "ana-coaching-sessions")
    assert _progress_of(page, kr) == "37.5"  # 9 of 24 sessions
    assert SECRET not in page


def test_net_confidence_is_shown_per_team(browser: Browser, strategy: SeededStrategy) -> None:
    browser.log_in(strategy.editor, strategy.password)

    table = text_of(browser.page("/okr").text, "team-confidence")

    # Company level: NPS check-in at 8 (on track). Customer service: playbooks at 7 (on
    # track) and Ana's coaching at 4 (at risk): (1 − 0) / 2 = +50.
    assert "Company-wide +100 1 0 0" in table
    assert "Customer Service +50 1 1 0" in table


def test_htmx_check_in_records_it_and_swaps_in_the_moved_progress_bar(
    browser: Browser, strategy: SeededStrategy, sessions: sessionmaker[Session]
) -> None:
    acme = strategy.companies.acme_id
    kr = id_of(sessions, KeyResultRow, acme, "nps-to-40")
    objective = id_of(sessions, OkrObjectiveRow, acme, "delight-b2b")
    browser.log_in(strategy.editor, strategy.password)
    assert _progress_of(browser.page("/okr").text, kr) == "68.9"  # (37.2 − 31) / (40 − 31)

    response = _check_in(browser, kr, {"value": "40", "confidence": "9",
                                       "comment": "Wave 3 is <in>"})

    assert response.status_code == 200  # type: ignore[attr-defined]
    fragment = response.text  # type: ignore[attr-defined]
    assert fragment.lstrip().startswith(f'<li class="key-result" id="kr-{kr}">')
    assert _progress_of(fragment, kr) == "100.0"
    assert f'id="okr-progress-{objective}" hx-swap-oob="true"' in fragment
    assert 'id="team-confidence" aria-labelledby="team-confidence-heading" hx-swap-oob="true"' \
        in fragment
    assert "Wave 3 is &lt;in&gt;" in fragment  # escaped
    assert "<html" not in fragment
    with sessions() as session:
        row = session.get(KeyResultRow, kr)
        assert row is not None and row.current == 40.0
        check_in = session.scalars(select(CheckInRow).where(CheckInRow.key_result_id == kr)
                                   .order_by(CheckInRow.at.desc())).first()
        assert check_in is not None
        assert (check_in.value, check_in.confidence, check_in.comment) == (40.0, 9,
                                                                           "Wave 3 is <in>")
        audit = session.scalars(select(AuditEntry).where(AuditEntry.entity == "check_in")
                                .order_by(AuditEntry.id.desc())).first()
        assert audit is not None and audit.actor == strategy.editor
        assert audit.detail is not None and audit.detail["key_result"] == "nps-to-40"
    assert _progress_of(browser.page("/okr").text, kr) == "100.0"


@pytest.mark.parametrize(("key", "value", "expected"), [
    ("fcr-playbooks", "9", "90.0"),  # milestones done
    ("callback-launched", "0", "0.0"),  # yes/no
    ("churn-below-2", "2,4", "0.0"),  # a band KR outside its band, typed with a comma
])
def test_check_in_moves_each_kind_of_key_result(
    browser: Browser, strategy: SeededStrategy, sessions: sessionmaker[Session], key: str,
    value: str, expected: str,
) -> None:
    kr = id_of(sessions, KeyResultRow, strategy.companies.acme_id, key)
    browser.log_in(strategy.editor, strategy.password)

    response = _check_in(browser, kr, {"value": value, "confidence": "5"})

    assert response.status_code == 200  # type: ignore[attr-defined]
    assert _progress_of(response.text, kr) == expected  # type: ignore[attr-defined]


def test_check_in_without_javascript_redirects_back_to_the_key_result(
    browser: Browser, strategy: SeededStrategy, sessions: sessionmaker[Session]
) -> None:
    kr = id_of(sessions, KeyResultRow, strategy.companies.acme_id, "ana-coaching-sessions")
    browser.log_in(strategy.editor, strategy.password)

    response = browser.client.post(f"/okr/key-results/{kr}/check-ins", data={
        "value": "12", "confidence": "6", "csrf_token": browser.session_token()})

    assert response.status_code == 303
    assert response.headers["location"] == f"/okr?cycle=2026-q3#kr-{kr}"


@pytest.mark.parametrize(("data", "message"), [
    ({"value": "40", "confidence": "11"}, "Уверенность — целое число от 0 до 10."),
    ({"value": "много", "confidence": "5"}, "Введите число."),
])
def test_a_wrong_check_in_changes_nothing_and_says_why(
    browser: Browser, strategy: SeededStrategy, sessions: sessionmaker[Session],
    data: dict[str, str], message: str,
) -> None:
    kr = id_of(sessions, KeyResultRow, strategy.companies.acme_id, "nps-to-40")
    browser.log_in(strategy.editor, strategy.password)

    response = _check_in(browser, kr, data, lang="ru")

    assert response.status_code == 422  # type: ignore[attr-defined]
    assert text_of(response.text, f"kr-{kr}-error") == message  # type: ignore[attr-defined]
    assert _progress_of(response.text, kr) == "68.9"  # type: ignore[attr-defined]
    with sessions() as session:
        assert session.get(KeyResultRow, kr).current == 37.2  # type: ignore[union-attr]


def test_a_viewer_sees_no_check_in_form_and_cannot_post_one(
    browser: Browser, strategy: SeededStrategy, sessions: sessionmaker[Session]
) -> None:
    kr = id_of(sessions, KeyResultRow, strategy.companies.acme_id, "nps-to-40")
    browser.log_in(strategy.viewer, strategy.password)

    page = browser.page("/okr").text
    response = _check_in(browser, kr, {"value": "40", "confidence": "9"})

    assert "check-in-form" not in page
    assert response.status_code == 403  # type: ignore[attr-defined]
    with sessions() as session:
        assert session.get(KeyResultRow, kr).current == 37.2  # type: ignore[union-attr]


def test_a_key_result_of_another_workspace_is_not_found(
    browser: Browser, strategy: SeededStrategy, sessions: sessionmaker[Session]
) -> None:
    secret = id_of(sessions, KeyResultRow, strategy.companies.globex_id, "globex-secret-kr")
    browser.log_in(strategy.editor, strategy.password)

    response = _check_in(browser, secret, {"value": "10", "confidence": "9"})

    assert response.status_code == 404  # type: ignore[attr-defined]
    with sessions() as session:
        assert session.get(KeyResultRow, secret).current == 5.0  # type: ignore[union-attr]


# -- ownership and closing the cycle ---------------------------------------------------------


def _next_quarter(sessions: sessionmaker[Session], workspace_id: int,
                  key: str = "2026-q4") -> None:
    """An open cycle to carry unfinished key results over to."""
    with sessions() as session:
        session.add(OkrCycleRow(workspace_id=workspace_id, key=key, name="Q4 2026",
                                starts_on=date(2026, 10, 1), ends_on=date(2026, 12, 31)))
        session.commit()


def _close(browser: Browser, data: dict[str, str], cycle: str = "2026-q3",
           lang: str = "en") -> Any:
    return browser.client.post(f"/okr/cycles/{cycle}/close?lang={lang}",
                               data={**data, "csrf_token": browser.session_token()})


def test_a_manager_checks_in_on_own_key_results_only(
    browser: Browser, strategy: SeededStrategy, sessions: sessionmaker[Session]
) -> None:
    acme = strategy.companies.acme_id
    own = id_of(sessions, KeyResultRow, acme, "nps-to-40")  # the CEO's company OKR
    other = id_of(sessions, KeyResultRow, acme, "ana-coaching-sessions")  # Ana's
    browser.log_in(grant_manager(sessions), strategy.password)

    page = browser.page("/okr").text
    allowed = _check_in(browser, own, {"value": "39", "confidence": "8"})
    refused = _check_in(browser, other, {"value": "20", "confidence": "8"})

    assert f'action="/okr/key-results/{own}/check-ins"' in page
    assert f'action="/okr/key-results/{other}/check-ins"' not in page
    assert "close-cycle-form" not in page  # closing is the admins'
    assert allowed.status_code == 200 and _progress_of(allowed.text, own) == "88.9"
    assert refused.status_code == 403
    assert "You may change only what you own" in refused.text
    with sessions() as session:
        assert session.get(KeyResultRow, other).current == 9.0  # type: ignore[union-attr]


def test_an_admin_closes_the_cycle_and_the_tree_shows_the_grades(
    browser: Browser, strategy: SeededStrategy, sessions: sessionmaker[Session]
) -> None:
    acme = strategy.companies.acme_id
    _next_quarter(sessions, acme)
    ids = {key: id_of(sessions, OkrObjectiveRow, acme, key)
           for key in ("delight-b2b", "service-first-time-right", "ana-coaching")}
    browser.log_in(strategy.editor, strategy.password)
    form = browser.page("/okr?cycle=2026-q3").text
    assert 'id="close-cycle-form"' in form
    assert '<option value="2026-q4">Q4 2026</option>' in form

    unconfirmed = _close(browser, {"carry_over_to": "2026-q4"}, lang="hu")
    assert unconfirmed.status_code == 422
    assert text_of(unconfirmed.text, "close-error") == (
        "A lezáráshoz jelölje be a megerősítő négyzetet.")

    closed = _close(browser, {"carry_over_to": "2026-q4", "confirm": "yes"})

    assert closed.status_code == 303 and closed.headers["location"] == "/okr?cycle=2026-q3"
    page = browser.page("/okr?cycle=2026-q3").text
    # Committed: NPS 68.9 % and churn in its band (1.0) → 0.8, short of 1.0. Aspirational:
    # playbooks 6 of 10 (weight 2) and callback done → 0.7, a success. Ana: 9 of 24 → 0.4.
    grades = {key: (text_of(page, f"okr-grade-{okr}"), text_of(page, f"okr-success-{okr}"))
              for key, okr in ids.items()}
    assert grades == {"delight-b2b": ("Grade: 0.8", "Missed"),
                      "service-first-time-right": ("Grade: 0.7", "Success"),
                      "ana-coaching": ("Grade: 0.4", "Missed")}
    assert 'id="close-cycle-form"' not in page
    assert "This cycle is closed; each objective shows its grade." in page
    with sessions() as session:
        copies = dict(session.execute(
            select(KeyResultRow.key, KeyResultRow.carried_over_from_id)
            .where(KeyResultRow.workspace_id == acme, KeyResultRow.key.like("%-2026-q4"))
        ).all())
    assert copies == {
        "nps-to-40-2026-q4": id_of(sessions, KeyResultRow, acme, "nps-to-40"),
        "fcr-playbooks-2026-q4": id_of(sessions, KeyResultRow, acme, "fcr-playbooks"),
        "ana-coaching-sessions-2026-q4": id_of(sessions, KeyResultRow, acme,
                                               "ana-coaching-sessions"),
    }
    next_quarter = browser.page("/okr?cycle=2026-q4").text
    nesting = _Nesting()
    nesting.feed(next_quarter)
    copied = {key: f"okr-{id_of(sessions, OkrObjectiveRow, acme, key + '-2026-q4')}"
              for key in ("delight-b2b", "service-first-time-right", "ana-coaching")}
    assert nesting.ancestors[copied["ana-coaching"]] == [copied["delight-b2b"],
                                                         copied["service-first-time-right"]]

    again = _close(browser, {"confirm": "yes"})
    assert again.status_code == 409
    assert text_of(again.text, "close-error") == "This cycle is closed already."


@pytest.mark.parametrize("who", ["manager", "viewer"])
def test_managers_and_viewers_cannot_close_a_cycle(
    browser: Browser, strategy: SeededStrategy, sessions: sessionmaker[Session], who: str
) -> None:
    _next_quarter(sessions, strategy.companies.acme_id)
    person = grant_manager(sessions) if who == "manager" else strategy.viewer
    browser.log_in(person, strategy.password)

    page = browser.page("/okr").text
    refused = _close(browser, {"carry_over_to": "2026-q4", "confirm": "yes"})

    assert "close-cycle-form" not in page
    assert refused.status_code == 403
    with sessions() as session:
        cycle = session.scalar(select(OkrCycleRow).where(OkrCycleRow.key == "2026-q3",
                                                         OkrCycleRow.workspace_id ==
                                                         strategy.companies.acme_id))
        assert cycle is not None and cycle.status == "open"
        assert session.scalar(select(OkrObjectiveRow.grade).where(
            OkrObjectiveRow.key == "delight-b2b")) is None


def test_the_target_must_be_another_open_cycle_of_the_workspace(
    browser: Browser, strategy: SeededStrategy, sessions: sessionmaker[Session]
) -> None:
    _next_quarter(sessions, strategy.companies.globex_id, key="globex-q4")
    browser.log_in(strategy.editor, strategy.password)

    for target in ("2026-q3", "globex-q4"):  # the cycle itself; another workspace's cycle
        refused = _close(browser, {"carry_over_to": target, "confirm": "yes"}, lang="ru")
        assert refused.status_code == 422
        assert text_of(refused.text, "close-error") == (
            "Выберите другой открытый цикл, в который перенести ключевые результаты.")
    unknown = _close(browser, {"confirm": "yes"}, cycle="no-such-cycle")

    assert unknown.status_code == 404
    with sessions() as session:
        assert session.scalar(select(OkrObjectiveRow.grade).where(
            OkrObjectiveRow.key == "delight-b2b")) is None


@pytest.mark.parametrize(("language", "unit", "shown"), [
    ("ru", "выездов", "3 выезда (начало: 1 выезд; цель: 24 выезда)"),
    ("hu", "közös út", "3 közös út (1 közös út → 24 közös út)"),
    ("en", "ride-alongs", "3 ride-alongs (from 1 ride-along to 24 ride-alongs)"),
])
def test_a_count_unit_reads_in_the_numbers_plural_form(
    browser: Browser, strategy: SeededStrategy, sessions: sessionmaker[Session],
    language: str, unit: str, shown: str,
) -> None:
    """The QA pass read "3 выездов" on the Russian OKR tree: the demo's count units follow
    the number ("1 выезд", "3 выезда", "24 выезда"); Hungarian keeps the singular."""
    acme = strategy.companies.acme_id
    kr = id_of(sessions, KeyResultRow, acme, "ana-coaching-sessions")
    with sessions.begin() as session:
        row = session.get(KeyResultRow, kr)
        assert row is not None
        row.unit, row.start, row.current, row.target = unit, 1, 3, 24
    browser.log_in(strategy.editor, strategy.password)

    page = browser.page(f"/okr?lang={language}").text

    assert shown in page
    assert "3 выездов" not in page


def test_a_closed_cycle_takes_no_more_check_ins(
    browser: Browser, strategy: SeededStrategy, sessions: sessionmaker[Session]
) -> None:
    """Closing grades the cycle for good; its key results still offered "Check in" and a
    check-in moved their progress under the fixed grade."""
    acme = strategy.companies.acme_id
    kr = id_of(sessions, KeyResultRow, acme, "nps-to-40")
    browser.log_in(strategy.editor, strategy.password)
    assert _close(browser, {"confirm": "yes"}).status_code == 303

    page = browser.page("/okr?cycle=2026-q3").text
    refused = _check_in(browser, kr, {"value": "40", "confidence": "9"})
    plain = _check_in(browser, kr, {"value": "40", "confidence": "9"}, htmx=False)

    assert 'class="check-in"' not in page
    assert refused.status_code == 409 == plain.status_code  # type: ignore[attr-defined]
    with sessions() as session:
        assert session.get(KeyResultRow, kr).current == 37.2  # type: ignore[union-attr]
        assert session.scalar(select(func.count()).select_from(CheckInRow)
                              .where(CheckInRow.key_result_id == kr)) == 2


def test_imported_key_results_are_due_when_their_cycle_ends(
    browser: Browser, strategy: SeededStrategy, sessions: sessionmaker[Session]
) -> None:
    """The example strategy names no due dates; imported, its key results say the cycle's
    end, as they would created on this page."""
    acme = strategy.companies.acme_id
    browser.log_in(strategy.editor, strategy.password)

    page = browser.page("/okr?cycle=2026-q3").text

    for key in ("nps-to-40", "churn-below-2", "fcr-playbooks", "callback-launched"):
        assert text_of(page, f"kr-due-{id_of(sessions, KeyResultRow, acme, key)}") == (
            "Due Sep 30, 2026"
        ), key
