"""Writing OKRs on the OKR page: a new objective in the cycle (aligned to a parent, serving
a scorecard objective, committed or aspirational) and a key result on an objective
(following a catalogue metric, by hand, milestones, done or not). Who may is the API's
rule: admins anything, managers what they own, viewers nothing; each write leaves the
API's audit entry; a refused field is named in the reader's language. SQLite and
PostgreSQL through the app's own fixtures."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from kano.adapters.db import accounts
from kano.adapters.db.engine import transaction
from kano.adapters.db.orm import (
    AuditEntry,
    KeyResultRow,
    ObjectiveRow,
    OkrCycleRow,
    OkrObjectiveRow,
    Team,
    User,
)
from kano.domain.workspaces import Scope
from tests.integration.web.browsing import Browser, text_of
from tests.integration.web.seed import SeededCompanies
from tests.integration.web.strategy_seed import (
    MANAGER,
    SeededStrategy,
    grant_manager,
    id_of,
    seed_strategy,
)
from tests.integration.web.test_okr_pages import _Nesting

CYCLE = "2026-q3"


@pytest.fixture
def strategy(sessions: sessionmaker[Session], companies: SeededCompanies) -> SeededStrategy:
    return seed_strategy(sessions, companies)


def _post(browser: Browser, path: str, data: dict[str, str], lang: str = "en") -> Any:
    return browser.client.post(f"{path}?lang={lang}",
                               data={**data, "csrf_token": browser.session_token()})


def _user_id(sessions: sessionmaker[Session], email: str) -> int:
    with sessions() as session:
        found = session.scalar(select(User.id).where(User.email == email))
    assert found is not None
    return int(found)


def _objective(sessions: sessionmaker[Session], workspace_id: int, title: str) -> Any:
    with sessions() as session:
        return session.scalar(select(OkrObjectiveRow).where(
            OkrObjectiveRow.workspace_id == workspace_id, OkrObjectiveRow.title == title))


def _audit(sessions: sessionmaker[Session], workspace_id: int, entity: str) -> list[AuditEntry]:
    with sessions() as session:
        return list(session.scalars(select(AuditEntry).where(
            AuditEntry.workspace_id == workspace_id, AuditEntry.entity == entity,
            AuditEntry.action == "create").order_by(AuditEntry.id)))


def _count(sessions: sessionmaker[Session], table: Any, workspace_id: int) -> int:
    with sessions() as session:
        return int(session.scalar(select(func.count()).select_from(table)
                                  .where(table.workspace_id == workspace_id)) or 0)


def _progress_of(html: str, key_result_id: int) -> str:
    match = re.search(rf'<progress id="kr-progress-{key_result_id}"[^>]* value="([\d.]+)"', html)
    assert match, f"no progress bar for key result {key_result_id}"
    return match.group(1)


def test_an_objective_aligned_and_linked_then_a_metric_key_result_that_updates_itself(
    browser: Browser, strategy: SeededStrategy, sessions: sessionmaker[Session],
) -> None:
    acme = strategy.companies.acme_id
    parent_id = id_of(sessions, OkrObjectiveRow, acme, "delight-b2b")
    served_id = id_of(sessions, ObjectiveRow, acme, "easy-to-work-with")
    team_id = id_of(sessions, Team, acme, "customer-service")
    owner_id = _user_id(sessions, MANAGER)
    browser.log_in(strategy.editor, strategy.password)
    page = browser.page(f"/okr?cycle={CYCLE}").text
    assert 'id="new-objective-form"' in page
    assert f'action="/okr/objectives/{parent_id}/key-results"' in page
    assert "Due at the end of the cycle, Sep 30, 2026." in page

    made = _post(browser, f"/okr/cycles/{CYCLE}/objectives", {
        "title": "  Answer every B2B ticket within a day ", "level": "team",
        "owner": str(owner_id), "team": str(team_id), "parent": str(parent_id),
        "scorecard_objective": str(served_id), "commitment": "aspirational"})

    assert made.status_code == 303, made.text
    row = _objective(sessions, acme, "Answer every B2B ticket within a day")
    assert row is not None
    assert (row.parent_id, row.scorecard_objective_id, row.team_id, row.owner_user_id) == (
        parent_id, served_id, team_id, owner_id)
    assert (row.level, row.commitment, row.grade) == ("team", "aspirational", None)
    with sessions() as session:
        assert session.get(OkrCycleRow, row.cycle_id).key == CYCLE  # type: ignore[union-attr]
    entry = _audit(sessions, acme, "okr_objective")[-1]
    assert entry.actor == strategy.editor and entry.detail is not None
    assert entry.detail["parent"] == "delight-b2b"
    assert entry.detail["scorecard_objective"] == "easy-to-work-with"
    assert entry.detail["owner"] == MANAGER and entry.detail["team"] == "customer-service"
    assert entry.detail["cycle"] == CYCLE and entry.detail["key"] == row.key

    added = _post(browser, f"/okr/objectives/{row.id}/key-results", {
        "title": "NPS of B2B from 31 to 40", "kind": "metric", "metric": "nps",
        "start": "31", "target": "40", "unit": "points"})

    assert added.status_code == 303, added.text
    with sessions() as session:
        kr = session.scalar(select(KeyResultRow).where(KeyResultRow.okr_objective_id == row.id))
        assert kr is not None
        assert (kr.kind, kr.metric_id, kr.start, kr.target, kr.current, kr.unit) == (
            "metric", "nps", 31.0, 40.0, None, "points")
        # what `kano compute` writes on a bound key result (as test_okr_live_check_in does)
        kr.current, kr.current_n, kr.computed_at = 35.5, 212, datetime(2026, 9, 1, 6, 0)
        kr_id = kr.id
        session.commit()
    kr_entry = _audit(sessions, acme, "key_result")[-1]
    assert kr_entry.detail is not None
    assert kr_entry.detail["metric"] == {"id": "nps", "slice": None}
    assert kr_entry.detail["objective"] == row.key and kr_entry.actor == strategy.editor

    html = browser.page(f"/okr?cycle={CYCLE}").text
    assert _progress_of(html, kr_id) == "50.0"  # (35.5 − 31) / (40 − 31), in per cent
    assert "live from Net Promoter Score, n = 212" in text_of(html, f"kr-{kr_id}")
    nesting = _Nesting()  # nested under the objective it is aligned to
    nesting.feed(html)
    assert nesting.ancestors[f"okr-{row.id}"] == [f"okr-{parent_id}"]


@pytest.mark.parametrize(("kind", "fields", "stored"), [
    ("manual", {"start": "8,5", "target": "5"}, ("metric", None, 8.5, 5.0, 0)),
    ("milestone", {"milestones_total": "4"}, ("milestone", None, None, None, 4)),
    ("yes_no", {}, ("yes_no", None, None, None, 0)),
])
def test_the_other_kinds_of_key_result(
    browser: Browser, strategy: SeededStrategy, sessions: sessionmaker[Session], kind: str,
    fields: dict[str, str], stored: tuple[Any, ...],
) -> None:
    acme = strategy.companies.acme_id
    objective_id = id_of(sessions, OkrObjectiveRow, acme, "delight-b2b")
    browser.log_in(strategy.editor, strategy.password)

    added = _post(browser, f"/okr/objectives/{objective_id}/key-results",
                  {"title": f"A {kind} result", "kind": kind, **fields}, lang="ru")

    assert added.status_code == 303, added.text
    with sessions() as session:
        kr = session.scalar(select(KeyResultRow).where(KeyResultRow.title == f"A {kind} result"))
        assert kr is not None
        assert (kr.kind, kr.metric_id, kr.start, kr.target, kr.milestones_total) == stored


def test_a_viewer_cannot_add_objectives_or_key_results(
    browser: Browser, strategy: SeededStrategy, sessions: sessionmaker[Session],
) -> None:
    acme = strategy.companies.acme_id
    objective_id = id_of(sessions, OkrObjectiveRow, acme, "delight-b2b")
    objectives, key_results = (_count(sessions, OkrObjectiveRow, acme),
                               _count(sessions, KeyResultRow, acme))
    browser.log_in(strategy.viewer, strategy.password)
    page = browser.page(f"/okr?cycle={CYCLE}").text
    assert 'id="new-objective-form"' not in page
    assert "/key-results\"" not in page

    refused = _post(browser, f"/okr/cycles/{CYCLE}/objectives",
                    {"title": "Viewer's objective", "level": "company"})
    refused_kr = _post(browser, f"/okr/objectives/{objective_id}/key-results",
                       {"title": "Viewer's result", "kind": "yes_no"})

    assert (refused.status_code, refused_kr.status_code) == (403, 403)
    assert _count(sessions, OkrObjectiveRow, acme) == objectives
    assert _count(sessions, KeyResultRow, acme) == key_results


def test_a_manager_adds_only_what_they_own(
    browser: Browser, strategy: SeededStrategy, sessions: sessionmaker[Session],
) -> None:
    acme = strategy.companies.acme_id
    manager = grant_manager(sessions)
    others = id_of(sessions, OkrObjectiveRow, acme, "service-first-time-right")  # a team's
    browser.log_in(manager, strategy.password)

    for_someone_else = _post(browser, f"/okr/cycles/{CYCLE}/objectives", {
        "title": "Handed over", "owner": str(_user_id(sessions, strategy.editor))})
    on_theirs = _post(browser, f"/okr/objectives/{others}/key-results",
                      {"title": "Not mine", "kind": "yes_no"})
    own = _post(browser, f"/okr/cycles/{CYCLE}/objectives", {
        "title": "My own objective", "owner": str(_user_id(sessions, manager))})

    assert (for_someone_else.status_code, on_theirs.status_code, own.status_code) == (
        403, 403, 303)
    assert _objective(sessions, acme, "Handed over") is None
    mine = _objective(sessions, acme, "My own objective")
    assert mine is not None and mine.commitment == "committed" and mine.parent_id is None
    assert _post(browser, f"/okr/objectives/{mine.id}/key-results",
                 {"title": "Mine", "kind": "yes_no"}).status_code == 303


@pytest.mark.parametrize(("language", "message"), [
    ("en", "Enter a number."), ("ru", "Введите число."), ("hu", "Adjon meg egy számot."),
])
def test_a_bad_target_is_named_in_the_readers_language(
    browser: Browser, strategy: SeededStrategy, sessions: sessionmaker[Session],
    language: str, message: str,
) -> None:
    acme = strategy.companies.acme_id
    objective_id = id_of(sessions, OkrObjectiveRow, acme, "delight-b2b")
    key_results = _count(sessions, KeyResultRow, acme)
    browser.log_in(strategy.editor, strategy.password)

    refused = _post(browser, f"/okr/objectives/{objective_id}/key-results", {
        "title": "NPS to forty", "kind": "metric", "metric": "nps", "start": "31",
        "target": "forty"}, lang=language)

    assert refused.status_code == 422
    assert text_of(refused.text, f"new-kr-error-{objective_id}") == message
    assert re.search(rf'id="new-kr-target-{objective_id}"[^>]*value="forty"[^>]*aria-invalid',
                     refused.text)
    assert _count(sessions, KeyResultRow, acme) == key_results


@pytest.mark.parametrize(("data", "field"), [
    ({"title": "   "}, "title"),
    ({"title": "Team without a team", "level": "team"}, "team"),
    ({"title": "Loose", "parent": "999999"}, "parent"),
    ({"title": "Loose", "scorecard_objective": "abc"}, "scorecard_objective"),
    ({"title": "Loose", "commitment": "maybe"}, "commitment"),
])
def test_a_refused_objective_names_its_field(
    browser: Browser, strategy: SeededStrategy, sessions: sessionmaker[Session],
    data: dict[str, str], field: str,
) -> None:
    texts = {"title": "Заполните это поле.", "team": "Для цели команды выберите команду.",
             "parent": "Выберите цель этого рабочего пространства.",
             "scorecard_objective": "Выберите цель из системы показателей.",
             "commitment": "Выберите: обязательная или амбициозная."}
    acme = strategy.companies.acme_id
    objectives = _count(sessions, OkrObjectiveRow, acme)
    browser.log_in(strategy.editor, strategy.password)

    refused = _post(browser, f"/okr/cycles/{CYCLE}/objectives",
                    {"level": "company", **data}, lang="ru")

    assert refused.status_code == 422
    assert "<h2 id=\"new-objective-heading\">Новая цель</h2>" in refused.text
    assert text_of(refused.text, "new-objective-error") == texts[field]
    names = {"title": "new-objective-title", "team": "new-objective-team",
             "parent": "new-objective-parent", "scorecard_objective": "new-objective-serves"}
    if field in names:
        assert re.search(rf'id="{names[field]}"[^>]*aria-invalid', refused.text)
    assert _count(sessions, OkrObjectiveRow, acme) == objectives


def test_an_unknown_metric_and_no_milestones_are_refused(
    browser: Browser, strategy: SeededStrategy, sessions: sessionmaker[Session],
) -> None:
    acme = strategy.companies.acme_id
    objective_id = id_of(sessions, OkrObjectiveRow, acme, "delight-b2b")
    browser.log_in(strategy.editor, strategy.password)

    unknown = _post(browser, f"/okr/objectives/{objective_id}/key-results", {
        "title": "Unknown", "kind": "metric", "metric": "no-such-metric", "start": "1",
        "target": "2"})
    none = _post(browser, f"/okr/objectives/{objective_id}/key-results", {
        "title": "No milestones", "kind": "milestone", "milestones_total": "0"})

    assert (unknown.status_code, none.status_code) == (422, 422)
    assert re.search(rf'id="new-kr-metric-{objective_id}"[^>]*aria-invalid', unknown.text)
    assert re.search(rf'id="new-kr-milestones-{objective_id}"[^>]*aria-invalid', none.text)


def test_a_closed_cycle_takes_no_new_objectives_or_key_results(
    browser: Browser, strategy: SeededStrategy, sessions: sessionmaker[Session],
) -> None:
    acme = strategy.companies.acme_id
    objective_id = id_of(sessions, OkrObjectiveRow, acme, "delight-b2b")
    browser.log_in(strategy.editor, strategy.password)
    closed = _post(browser, f"/okr/cycles/{CYCLE}/close", {"confirm": "yes"})
    assert closed.status_code == 303, closed.text
    objectives, key_results = (_count(sessions, OkrObjectiveRow, acme),
                               _count(sessions, KeyResultRow, acme))

    page = browser.page(f"/okr?cycle={CYCLE}").text
    late = _post(browser, f"/okr/cycles/{CYCLE}/objectives", {"title": "Too late"})
    late_kr = _post(browser, f"/okr/objectives/{objective_id}/key-results",
                    {"title": "Too late", "kind": "yes_no"})

    assert 'id="new-objective-form"' not in page and "/key-results\"" not in page
    assert (late.status_code, late_kr.status_code) == (409, 409)
    assert _count(sessions, OkrObjectiveRow, acme) == objectives
    assert _count(sessions, KeyResultRow, acme) == key_results


def test_an_admin_opens_a_new_cycle_and_adds_objectives_to_it(
    browser: Browser, strategy: SeededStrategy, sessions: sessionmaker[Session],
) -> None:
    acme = strategy.companies.acme_id
    browser.log_in(strategy.editor, strategy.password)
    assert 'id="new-cycle-form"' in browser.page("/okr").text

    made = _post(browser, "/okr/cycles", {"name": " Q4 2026 ", "kind": "quarter",
                                          "starts_on": "2026-10-01", "ends_on": "2026-12-31"})

    assert made.status_code == 303, made.text
    with sessions() as session:
        cycle = session.scalar(select(OkrCycleRow).where(OkrCycleRow.workspace_id == acme,
                                                         OkrCycleRow.name == "Q4 2026"))
        assert cycle is not None
        assert (cycle.key, cycle.kind, str(cycle.starts_on), str(cycle.ends_on),
                cycle.status) == ("q4-2026", "quarter", "2026-10-01", "2026-12-31", "open")
    assert made.headers["location"].endswith("/okr?cycle=q4-2026")
    entry = _audit(sessions, acme, "okr_cycle")[-1]
    assert entry.actor == strategy.editor
    assert entry.detail == {"key": "q4-2026", "name": "Q4 2026", "kind": "quarter",
                            "starts_on": "2026-10-01", "ends_on": "2026-12-31",
                            "status": "open"}
    page = browser.page("/okr?cycle=q4-2026").text
    assert "This cycle has no objectives yet." in page
    assert _post(browser, "/okr/cycles/q4-2026/objectives",
                 {"title": "Start Q4 well"}).status_code == 303
    assert _objective(sessions, acme, "Start Q4 well").cycle_id == cycle.id  # in the new cycle


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"name": "", "starts_on": "2026-10-01", "ends_on": "2026-12-31"}, "name",
     "Заполните это поле."),
    ({"name": "Q4", "starts_on": "1.10.2026", "ends_on": "2026-12-31"}, "starts",
     "Введите дату."),
    ({"name": "Q4", "starts_on": "2026-10-01", "ends_on": "2026-09-30"}, "ends",
     "Цикл заканчивается не раньше своего первого дня."),
    ({"name": "Q4", "kind": "month", "starts_on": "2026-10-01", "ends_on": "2026-12-31"},
     "kind", "Выберите квартал или год."),
])
def test_a_refused_cycle_names_its_field_in_russian(
    browser: Browser, strategy: SeededStrategy, sessions: sessionmaker[Session],
    data: dict[str, str], field: str, message: str,
) -> None:
    acme = strategy.companies.acme_id
    cycles = _count(sessions, OkrCycleRow, acme)
    browser.log_in(strategy.editor, strategy.password)

    refused = _post(browser, "/okr/cycles", data, lang="ru")

    assert refused.status_code == 422
    assert text_of(refused.text, "new-cycle-error") == message
    assert re.search(rf'id="new-cycle-{field}"[^>]*aria-invalid', refused.text)
    assert _count(sessions, OkrCycleRow, acme) == cycles


@pytest.mark.parametrize("who", ["manager", "viewer"])
def test_only_admins_open_cycles(
    browser: Browser, strategy: SeededStrategy, sessions: sessionmaker[Session], who: str,
) -> None:
    acme = strategy.companies.acme_id
    cycles = _count(sessions, OkrCycleRow, acme)
    browser.log_in(grant_manager(sessions) if who == "manager" else strategy.viewer,
                   strategy.password)
    assert 'id="new-cycle-form"' not in browser.page("/okr").text

    refused = _post(browser, "/okr/cycles", {"name": "Mine", "starts_on": "2026-10-01",
                                             "ends_on": "2026-12-31"})

    assert refused.status_code == 403
    assert _count(sessions, OkrCycleRow, acme) == cycles


OBJECTIVE_COLUMNS = ("cycle_id", "title", "level", "team_id", "owner_user_id", "parent_id",
                     "scorecard_objective_id", "commitment", "grade")
KEY_RESULT_COLUMNS = ("kind", "unit", "start", "target", "current", "milestones_done",
                      "milestones_total", "done", "weight", "metric_id", "metric_slice")


def test_the_forms_store_and_audit_what_the_api_does(
    browser: Browser, strategy: SeededStrategy, sessions: sessionmaker[Session],
) -> None:
    """The same objective and key result through the page and through the API (Bob, with a
    write token of his own) make the same rows and the same audit detail but for the key."""
    acme = strategy.companies.acme_id
    with transaction(sessions) as session:
        bob = session.scalar(select(User).where(User.email == strategy.editor))
        token = accounts.create_api_token(session, accounts.get_workspace(session, "acme"),
                                          Scope.WRITE, "bob", user=bob).token
    browser.log_in(strategy.editor, strategy.password)

    def api(path: str, body: dict[str, Any]) -> Any:
        return browser.client.post(f"/api/v1{path}", json=body,
                                   headers={"Authorization": f"Bearer {token}"})

    by_form = _post(browser, f"/okr/cycles/{CYCLE}/objectives", {
        "title": "Same both ways", "level": "team",
        "owner": str(_user_id(sessions, MANAGER)),
        "team": str(id_of(sessions, Team, acme, "customer-service")),
        "parent": str(id_of(sessions, OkrObjectiveRow, acme, "delight-b2b")),
        "scorecard_objective": str(id_of(sessions, ObjectiveRow, acme, "easy-to-work-with")),
        "commitment": "aspirational"})
    by_api = api("/okr/objectives", {
        "key": "same-by-api", "cycle": CYCLE, "title": "Same both ways", "level": "team",
        "owner": MANAGER, "team": "customer-service", "parent": "delight-b2b",
        "scorecard_objective": "easy-to-work-with", "commitment": "aspirational"})

    assert (by_form.status_code, by_api.status_code) == (303, 201), (by_form.text, by_api.text)
    with sessions() as session:
        form_row, api_row = session.scalars(select(OkrObjectiveRow).where(
            OkrObjectiveRow.workspace_id == acme, OkrObjectiveRow.title == "Same both ways")
            .order_by(OkrObjectiveRow.id)).all()
        assert {c: getattr(form_row, c) for c in OBJECTIVE_COLUMNS} == \
            {c: getattr(api_row, c) for c in OBJECTIVE_COLUMNS}
        form_key = form_row.key
    form_entry, api_entry = _audit(sessions, acme, "okr_objective")[-2:]
    assert form_entry.actor == api_entry.actor == strategy.editor
    assert form_entry.detail is not None and api_entry.detail is not None
    assert {k: v for k, v in form_entry.detail.items() if k not in ("key", "position")} == \
        {k: v for k, v in api_entry.detail.items() if k not in ("key", "position")}

    kr_form = _post(browser, f"/okr/objectives/{form_row.id}/key-results", {
        "title": "NPS from 31 to 40", "kind": "metric", "metric": "nps", "start": "31",
        "target": "40", "unit": "points"})
    kr_api = api("/okr/key-results", {
        "key": "same-kr-by-api", "objective": "same-by-api", "title": "NPS from 31 to 40",
        "kind": "metric", "metric": {"id": "nps"}, "start": 31, "target": 40,
        "unit": "points"})

    assert (kr_form.status_code, kr_api.status_code) == (303, 201), (kr_form.text, kr_api.text)
    with sessions() as session:
        form_kr, api_kr = session.scalars(select(KeyResultRow).where(
            KeyResultRow.workspace_id == acme, KeyResultRow.title == "NPS from 31 to 40")
            .order_by(KeyResultRow.id)).all()
        assert {c: getattr(form_kr, c) for c in KEY_RESULT_COLUMNS} == \
            {c: getattr(api_kr, c) for c in KEY_RESULT_COLUMNS}
    form_kr_entry, api_kr_entry = _audit(sessions, acme, "key_result")[-2:]
    assert form_kr_entry.detail is not None and api_kr_entry.detail is not None
    skip = ("key", "position", "objective")
    assert {k: v for k, v in form_kr_entry.detail.items() if k not in skip} == \
        {k: v for k, v in api_kr_entry.detail.items() if k not in skip}
    assert form_kr_entry.detail["objective"] == form_key


def test_a_key_result_shows_its_due_date_and_is_flagged_overdue(
    browser: Browser, strategy: SeededStrategy, sessions: sessionmaker[Session],
) -> None:
    """The form's day, or the cycle's end when it names none; overdue once the day is past
    and the key result not done, in the page's language."""
    acme = strategy.companies.acme_id
    objective_id = id_of(sessions, OkrObjectiveRow, acme, "delight-b2b")
    browser.log_in(strategy.editor, strategy.password)
    for title, kind, due_on in (("Late and open", "milestone", "2020-01-15"),
                                ("Late but done", "yes_no", "2020-01-15"),
                                ("Far ahead", "milestone", "2099-12-31"),
                                ("By the cycle", "milestone", "")):
        added = _post(browser, f"/okr/objectives/{objective_id}/key-results", {
            "title": title, "kind": kind, "milestones_total": "4", "due_on": due_on})
        assert added.status_code == 303, added.text
    refused = _post(browser, f"/okr/objectives/{objective_id}/key-results", {
        "title": "Some day", "kind": "yes_no", "due_on": "soon"})
    assert refused.status_code == 422
    assert "Enter a date." in text_of(refused.text, f"new-kr-error-{objective_id}")
    with transaction(sessions) as session:
        rows = {kr.title: kr for kr in session.scalars(select(KeyResultRow).where(
            KeyResultRow.okr_objective_id == objective_id))}
        assert "Some day" not in rows
        assert str(rows["By the cycle"].due_on) == "2026-09-30"  # the cycle's end
        rows["Late but done"].done = True
        ids = {title: kr.id for title, kr in rows.items()}

    html = browser.page(f"/okr?cycle={CYCLE}").text
    assert text_of(html, f"kr-due-{ids['Late and open']}") == "Due Jan 15, 2020"
    assert text_of(html, f"kr-overdue-{ids['Late and open']}") == "Overdue"
    assert text_of(html, f"kr-due-{ids['Late but done']}") == "Due Jan 15, 2020"
    assert text_of(html, f"kr-due-{ids['Far ahead']}") == "Due Dec 31, 2099"
    assert text_of(html, f"kr-due-{ids['By the cycle']}") == "Due Sep 30, 2026"
    for title in ("Late but done", "Far ahead"):
        assert f'id="kr-overdue-{ids[title]}"' not in html
    russian = browser.page(f"/okr?cycle={CYCLE}&lang=ru").text
    assert text_of(russian, f"kr-due-{ids['Late and open']}") == "Срок: 15 янв. 2020 г."
    assert text_of(russian, f"kr-overdue-{ids['Late and open']}") == "Просрочено"
