"""The home page's "needs attention" cards: the scorecard, the case inbox, the OKRs of the
current cycle, the pilots and the strategy map's arrows — each with counts worked out by
hand from the seeded data, links that open the page with the matching filter (and that page
then lists as many as the card said), a hint when the workspace has none of the thing,
and nothing ever counted from another workspace."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from html import unescape

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from kano.adapters.db import accounts
from kano.adapters.db.engine import transaction
from kano.adapters.db.orm import CaseRow, LinkTestRow, ObjectiveRow, PilotRow, ScorecardRow, utcnow
from kano.domain.workspaces import Role
from tests.integration.strategy.seed import seed_people
from tests.integration.strategy.support import import_text
from tests.integration.web.browsing import Browser, text_of
from tests.integration.web.seed import PASSWORD, SeededCompanies
from tests.integration.web.strategy_seed import GLOBEX_STRATEGY, SECRET

# Five objectives scored against amber 30 / green 60 / target 90 (higher is better):
# 0 → score 0.0 (off track); 40 → 4.4 and 45 → 5.0 (at risk); 90 → 10 (on track); one
# without a measure has no data. Perspectives: customer (0.0 + 5.0) / 2 = 2.5, process
# (4.4 + 10) / 2 = 7.2, learning none; the card 4.9 / 10, at risk.
ACME_STRATEGY = """\
format: kano-strategy/1
scorecards:
  - key: company
    name: Acme company scorecard
    level: company
    perspectives:
      - key: customer
        name: Customer
        objectives:
{win_back}
{complaints}
      - key: process
        name: Internal processes
        objectives:
{training}
{revenue}
      - key: learning
        name: Learning
        objectives:
          - {{key: markets, title: Open new markets}}
    links:
      - {{cause: training, effect: complaints}}
      - {{cause: complaints, effect: win-back}}
      - {{cause: win-back, effect: revenue}}
      - {{cause: markets, effect: revenue}}
okr_cycles:
  - key: past
    name: Last quarter
    starts_on: {past_start}
    ends_on: {past_end}
    objectives:
      - key: old
        title: An old objective
        key_results:
          - {{key: old-kr, title: Old key result, kind: yes_no, done: false,
              check_ins: [{{at: "{past_start} 09:00:00", confidence: 1}}]}}
  - key: current
    name: This quarter
    starts_on: {start}
    ends_on: {end}
    objectives:
      - key: delight
        title: Delight customers
        key_results:
          - {{key: nps, title: NPS to 100, kind: metric, start: 0, target: 100, current: 40,
              check_ins: [{{at: "{start} 09:00:00", value: 40, confidence: 5}}]}}
          - {{key: churn, title: Churn to 10, kind: metric, start: 0, target: 10, current: 10,
              check_ins: [{{at: "{start} 09:00:00", value: 10, confidence: 2}}]}}
      - key: launch
        title: Launch the portal
        key_results:
          - {{key: portal, title: Portal live, kind: yes_no, done: false}}
"""


def objective_yaml(key: str, title: str, actual: float) -> str:
    """An objective with one measure (amber 30, green 60, target 90) and one value."""
    return (f"          - {{key: {key}, title: {title}, measures: [{{key: m-{key}, "
            f"name: Measure, direction: higher, amber_from: 30, green_from: 60, target: 90, "
            f"values: [{{period: 2026-01-01, actual: {actual}}}]}}]}}")


CALM_STRATEGY = """\
format: kano-strategy/1
scorecards:
  - key: company
    name: Calm scorecard
    perspectives:
      - key: customer
        name: Customer
        objectives:
{calm}
"""


@dataclass(frozen=True)
class Seeded:
    companies: SeededCompanies
    objectives: dict[str, int]
    scorecard_id: int


def _strategy_text(today: date) -> str:
    return ACME_STRATEGY.format(
        win_back=objective_yaml("win-back", "Win back lost accounts", 0),
        complaints=objective_yaml("complaints", "Answer every complaint", 45),
        training=objective_yaml("training", "Train the agents", 40),
        revenue=objective_yaml("revenue", "Grow revenue", 90),
        start=today - timedelta(days=30), end=today + timedelta(days=60),
        past_start=today - timedelta(days=200), past_end=today - timedelta(days=110),
    )


def _link_tests(session: Session, workspace_id: int, scorecard_id: int,
                ids: dict[str, int]) -> None:
    """Stored verdicts for the four arrows: supported, not supported, the opposite effect,
    untested; plus a proposed link (not an arrow of the map: never counted)."""
    verdicts = [("training", "complaints", "supported", False),
                ("complaints", "win-back", "not supported", False),
                ("win-back", "revenue", "wrong sign", False),
                ("markets", "revenue", "untested", False),
                ("training", "revenue", "not supported", True)]
    session.add_all(
        LinkTestRow(workspace_id=workspace_id, scorecard_id=scorecard_id, cause_id=ids[cause],
                    effect_id=ids[effect], verdict=verdict, proposed=proposed, n=100)
        for cause, effect, verdict, proposed in verdicts
    )


def _case(session: Session, workspace_id: int, title: str, status: str,
          first_due: datetime, resolution_due: datetime,
          responded: datetime | None = None) -> None:
    now = utcnow()
    session.add(CaseRow(
        workspace_id=workspace_id, rule="detractor", title=title, status=status,
        opened_at=now - timedelta(days=1), first_response_due_at=first_due,
        resolution_due_at=resolution_due, first_responded_at=responded,
        resolved_at=now - timedelta(hours=1) if status == "resolved" else None,
    ))


def _cases(session: Session, acme: int, globex: int) -> None:
    """Acme: 5 open cases — 2 overdue (one on its first response, one on its resolution),
    1 due today, 2 due later (one whose first-response deadline is today but who has had
    its response, so the resolution's counts) — and a resolved one. Globex: 3 overdue and 2
    due today, which Acme must never count."""
    now = utcnow()
    midnight = datetime.combine(now.date() + timedelta(days=1), time())
    later_today = now + (midnight - now) / 2
    tomorrow = midnight + timedelta(hours=5)
    _case(session, acme, "Due today", "new", later_today, tomorrow + timedelta(days=2))
    _case(session, acme, "Late first response", "new", now - timedelta(hours=1), tomorrow)
    _case(session, acme, "Late resolution", "in_progress", now - timedelta(days=1),
          now - timedelta(hours=2), responded=now - timedelta(days=1))
    _case(session, acme, "Due tomorrow", "in_progress", now - timedelta(days=1), tomorrow,
          responded=now - timedelta(days=1))
    _case(session, acme, "Responded today", "in_progress", later_today,
          tomorrow + timedelta(days=3), responded=now - timedelta(minutes=5))
    _case(session, acme, "Resolved long ago", "resolved", now - timedelta(days=9),
          now - timedelta(days=8), responded=now - timedelta(days=9))
    for index in range(3):
        _case(session, globex, f"Globex secret late {index}", "new", now - timedelta(days=1),
              now - timedelta(hours=1))
    for index in range(2):
        _case(session, globex, f"Globex secret today {index}", "new", later_today, tomorrow)


def _pilot(session: Session, workspace_id: int, name: str, status: str, test_end: date) -> None:
    session.add(PilotRow(
        workspace_id=workspace_id, name=name, pilot_group={"filters": {"region": "North"}},
        control_group={"filters": {"region": "South"}}, kpis=["nps"],
        baseline_start=test_end - timedelta(days=120), baseline_end=test_end - timedelta(days=61),
        test_start=test_end - timedelta(days=60), test_end=test_end, status=status,
    ))


def _pilots(session: Session, acme: int, globex: int) -> None:
    """Acme: 2 running (one past its test period), 1 evaluated (awaiting a decision),
    1 planned, 1 decided. Globex: 4 evaluated."""
    today = utcnow().date()
    _pilot(session, acme, "Callback", "running", today + timedelta(days=20))
    _pilot(session, acme, "Free returns", "running", today - timedelta(days=3))
    _pilot(session, acme, "Chat", "evaluated", today - timedelta(days=30))
    _pilot(session, acme, "Portal", "planned", today + timedelta(days=90))
    _pilot(session, acme, "Old one", "decided", today - timedelta(days=300))
    for index in range(4):
        _pilot(session, globex, f"Globex secret {index}", "evaluated", today)


@pytest.fixture
def seeded(sessions: sessionmaker[Session], companies: SeededCompanies) -> Seeded:
    import_text(sessions, _strategy_text(utcnow().date()), "acme")
    seed_people(sessions, "globex", users=(), teams=("secret-team",), employees=("E-1001",))
    import_text(sessions, GLOBEX_STRATEGY, "globex")
    with transaction(sessions) as session:
        acme = companies.acme_id
        ids = dict(session.execute(select(ObjectiveRow.key, ObjectiveRow.id)
                                   .where(ObjectiveRow.workspace_id == acme)).all())
        scorecard_id = session.scalars(select(ScorecardRow.id).where(
            ScorecardRow.workspace_id == acme)).one()
        _link_tests(session, acme, scorecard_id, ids)
        _cases(session, acme, companies.globex_id)
        _pilots(session, acme, companies.globex_id)
    return Seeded(companies, ids, scorecard_id)


def _home(browser: Browser, email: str) -> str:
    assert browser.log_in(email, PASSWORD).status_code == 303
    return browser.page("/").text


def _link(html: str, element_id: str) -> str:
    """The href of the first link inside the element with this id."""
    match = re.search(rf'id="{re.escape(element_id)}"[^>]*>.*?<a href="([^"]+)"', html,
                      re.DOTALL)
    assert match, f"no link in #{element_id}"
    return unescape(match.group(1))


def _listed_cases(browser: Browser, href: str) -> set[str]:
    html = browser.page(href).text
    return {unescape(title) for title in re.findall(
        r'<th scope="row"[^>]*><a href="/cases/\d+">([^<]+)</a></th>', html)}


def test_the_scorecard_card_counts_objectives_off_track_and_at_risk(
    browser: Browser, seeded: Seeded
) -> None:
    html = _home(browser, seeded.companies.alice)

    assert text_of(html, "attention-scorecard") == (
        "Scorecard 4.9 / 10 At risk 1 objective off track 2 objectives at risk "
        "Win back lost accounts Off track · 0.0 Train the agents At risk · 4.4 "
        "Answer every complaint At risk · 5.0")
    assert _link(html, "attention-scorecard-heading") == "/scorecard?scorecard=company"
    assert f'href="/scorecard/objectives/{seeded.objectives["win-back"]}"' in html
    scorecard = browser.page("/scorecard?scorecard=company").text
    assert text_of(scorecard, "scorecard-score") == "4.9 / 10 At risk"  # the page agrees


def test_the_case_card_counts_open_overdue_and_due_today_and_its_links_list_them(
    browser: Browser, seeded: Seeded
) -> None:
    html = _home(browser, seeded.companies.alice)

    assert text_of(html, "attention-cases-open") == "5 open cases"
    assert text_of(html, "attention-cases-overdue") == "2 overdue"
    assert text_of(html, "attention-cases-due-today") == "1 due today"
    assert _link(html, "attention-cases-open") == "/cases?status=open"
    assert _link(html, "attention-cases-overdue") == "/cases?overdue=1"
    assert _link(html, "attention-cases-due-today") == "/cases?due=today"
    assert _listed_cases(browser, "/cases?status=open") == {
        "Due today", "Late first response", "Late resolution", "Due tomorrow",
        "Responded today"}
    assert _listed_cases(browser, "/cases?overdue=1") == {
        "Late first response", "Late resolution"}
    assert _listed_cases(browser, "/cases?due=today") == {"Due today"}


def test_the_okr_card_sums_up_the_cycle_running_today(browser: Browser, seeded: Seeded) -> None:
    html = _home(browser, seeded.companies.alice)

    # Delight: (40 % + 100 %) / 2 = 70 %; Launch: 0 %; the cycle's mean 35 %. Latest
    # check-ins: confidence 5 (at risk) and 2 (off track); the portal has none. The last
    # quarter's off-track key result is not this cycle's.
    assert text_of(html, "attention-okr") == (
        "OKRs · This quarter 35% average progress 1 key result at risk "
        "1 key result off track 1 key result without a check-in")
    assert _link(html, "attention-okr-heading") == "/okr?cycle=current"


def test_the_pilot_card_counts_running_to_evaluate_and_awaiting_a_decision(
    browser: Browser, seeded: Seeded
) -> None:
    html = _home(browser, seeded.companies.alice)

    assert text_of(html, "attention-pilots") == (
        "Pilots 2 running 1 past its test period: evaluate it 1 awaiting a decision")
    assert _link(html, "attention-pilots-heading") == "/pilots"


def test_the_map_card_counts_the_arrows_the_data_do_not_support(
    browser: Browser, seeded: Seeded
) -> None:
    html = _home(browser, seeded.companies.alice)

    # "not supported" and "wrong sign" of the three arrows with a verdict; the untested
    # arrow and the proposed link do not count as tested.
    assert text_of(html, "attention-map") == (
        "Strategy map 2 arrows not supported by the data 3 of 4 arrows tested on the data")
    assert _link(html, "attention-map-heading") == "/strategy/map?scorecard=company"


def test_nothing_of_another_workspace_is_counted_or_shown(
    browser: Browser, seeded: Seeded
) -> None:
    html = _home(browser, seeded.companies.bob)  # Bob is in both; Acme is his first

    assert SECRET not in html
    assert text_of(html, "attention-cases-overdue") == "2 overdue"
    assert text_of(html, "attention-pilots-awaiting") == "1 awaiting a decision"
    assert SECRET not in browser.page("/cases?due=today").text


def test_a_workspace_without_any_of_it_gets_a_hint_on_each_card(
    browser: Browser, companies: SeededCompanies, sessions: sessionmaker[Session]
) -> None:
    with transaction(sessions) as db:
        empty = accounts.ensure_workspace(db, "empty", "Empty Co")
        user = accounts.ensure_user(db, "carol@empty.test", PASSWORD)
        accounts.grant_role(db, empty, user, Role.VIEWER)

    html = _home(browser, "carol@empty.test")

    assert text_of(html, "attention-scorecard") == (
        "Scorecard No scorecard yet. Build one in the strategy session, or import a "
        "strategy file with “kano strategy import”.")
    assert text_of(html, "attention-cases") == (
        "Case inbox No case yet. Cases open when responses match the case rules. "
        "See the rules")
    assert text_of(html, "attention-okr").startswith("OKRs No OKR cycle yet.")
    assert text_of(html, "attention-pilots").startswith("Pilots No pilot yet.")
    assert text_of(html, "attention-pilots").endswith("Define a pilot")
    assert text_of(html, "attention-map") == "Strategy map No scorecard yet."
    assert _link(html, "attention-scorecard") == "/strategy/session"
    assert _link(html, "attention-pilots") == "/pilots"
    assert "<a" not in html[html.index('id="attention-okr-heading"'):html.index("</h3>",
                                  html.index('id="attention-okr-heading"'))]


def test_cards_with_nothing_to_worry_about_say_so(
    browser: Browser, companies: SeededCompanies, sessions: sessionmaker[Session]
) -> None:
    """A map without arrows, objectives all on track, cases all closed."""
    import_text(sessions, CALM_STRATEGY.format(calm=objective_yaml("calm", "Stay calm", 90)),
                "acme")
    now = utcnow()
    with transaction(sessions) as session:
        _case(session, companies.acme_id, "Done", "loop_closed", now - timedelta(days=3),
              now - timedelta(days=2), responded=now - timedelta(days=3))

    html = _home(browser, companies.alice)

    assert text_of(html, "attention-map") == (
        "Strategy map The map has no cause-and-effect arrows yet.")
    assert text_of(html, "attention-cases") == (
        "Case inbox 0 open cases 0 overdue 0 due today No open case: every case is resolved "
        "or its loop closed.")
    assert text_of(html, "attention-scorecard") == (
        "Scorecard 10.0 / 10 On track 0 objectives off track 0 objectives at risk "
        "No objective is off track or at risk.")


def test_the_cards_speak_russian(browser: Browser, seeded: Seeded) -> None:
    _home(browser, seeded.companies.alice)

    html = browser.page("/?lang=ru").text

    assert text_of(html, "attention-heading") == "Требует внимания"
    assert text_of(html, "attention-cases-open") == "5 открытых обращений"
    assert text_of(html, "attention-objectives-at-risk") == "2 цели под угрозой"
    assert text_of(html, "attention-okr-off-track") == "1 ключевой результат отстаёт"


CLOSED_CYCLE = """\
format: kano-strategy/1
okr_cycles:
  - key: h1
    name: First half
    starts_on: 2026-01-01
    ends_on: 2026-06-30
    status: closed
    objectives:
      - {key: a, title: Objective A, grade: 0.8,
         key_results: [{key: a1, title: A one, kind: yes_no, done: true}]}
      - {key: b, title: Objective B, grade: 0.4,
         key_results: [{key: b1, title: B one, kind: yes_no, done: false}]}
"""


def test_a_closed_cycle_shows_its_average_grade(
    browser: Browser, companies: SeededCompanies, sessions: sessionmaker[Session]
) -> None:
    """With no open cycle the OKR page opens on the latest closed one; so does the card,
    with the mean of its grades, (0.8 + 0.4) / 2 = 0.6, instead of the progress."""
    import_text(sessions, CLOSED_CYCLE, "acme")

    html = _home(browser, companies.alice)

    assert text_of(html, "attention-okr-figure") == "0.6 average grade"
    assert _link(html, "attention-okr-heading") == "/okr?cycle=h1"
    assert text_of(html, "attention-okr-unchecked") == "2 key results without a check-in"
