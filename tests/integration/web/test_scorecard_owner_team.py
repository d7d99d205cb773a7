"""The team that owns a scorecard on the web pages: chosen when an admin adds a scorecard
below another, changed or cleared on the scorecard page, shown there ("Team: …") and in
the PDF — through the scorecard store, as ``PATCH /scorecards`` does, with its audit
entries. A team of another workspace is refused naming the field in the reader's
language; only admins and owners change it. SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from kano.adapters.db.engine import transaction
from kano.adapters.db.orm import AuditEntry, ScorecardRow, Team
from kano.adapters.web.i18n import load_translations
from tests.integration.web.browsing import Browser, text_of
from tests.integration.web.exported_files import download, pdf_characters
from tests.integration.web.seed import SeededCompanies
from tests.integration.web.strategy_seed import SeededStrategy, grant_manager, id_of, seed_strategy

TRANSLATIONS = {language: load_translations(language) for language in ("en", "ru", "hu")}


@pytest.fixture
def strategy(sessions: sessionmaker[Session], companies: SeededCompanies) -> SeededStrategy:
    return seed_strategy(sessions, companies)


def _post(browser: Browser, path: str, data: dict[str, Any]) -> Any:
    return browser.client.post(path, data={**data, "csrf_token": browser.session_token()})


def _team(sessions: sessionmaker[Session], workspace_id: int, key: str) -> int:
    return id_of(sessions, Team, workspace_id, key)


def _owner(sessions: sessionmaker[Session], workspace_id: int, key: str) -> int | None:
    with sessions() as session:
        return session.scalar(select(ScorecardRow.owner_team_id).where(
            ScorecardRow.workspace_id == workspace_id, ScorecardRow.key == key))


def _audit(sessions: sessionmaker[Session], action: str) -> list[dict[str, Any]]:
    with sessions() as session:
        return [entry.detail or {} for entry in session.scalars(
            select(AuditEntry).where(AuditEntry.entity == "scorecard", AuditEntry.action == action)
            .order_by(AuditEntry.id))]


def test_a_scorecard_below_is_added_with_its_team_and_its_page_names_it(
    browser: Browser, strategy: SeededStrategy, sessions: sessionmaker[Session]
) -> None:
    acme = strategy.companies.acme_id
    company = id_of(sessions, ScorecardRow, acme, "company")
    sales = _team(sessions, acme, "sales")
    browser.log_in(strategy.editor, strategy.password)
    form = browser.page("/scorecard").text
    assert f'<option value="{sales}">Sales</option>' in form
    assert "Secret Team" not in form  # Globex's team is not offered

    made = _post(browser, f"/scorecard/cards/{company}/children",
                 {"name": "Sales department", "level": "department", "owner_team": str(sales)})

    assert made.status_code == 303
    assert _owner(sessions, acme, "department") == sales
    assert _audit(sessions, "create")[-1]["owner_team"] == "sales"
    page = browser.page("/scorecard?scorecard=department").text
    assert text_of(page, "scorecard-team") == "Team: Sales"
    assert text_of(page, "cascade-team") == "Sales"
    assert f'<option value="{sales}" selected>Sales</option>' in page
    assert 'id="scorecard-team"' not in browser.page("/scorecard").text  # the company's


@pytest.mark.parametrize(("language", "shown"),
                         [("ru", "Команда: Customer Service"), ("hu", "Csapat: Customer Service")])
def test_an_admin_changes_and_clears_the_team_and_each_change_is_audited(
    browser: Browser, strategy: SeededStrategy, sessions: sessionmaker[Session],
    language: str, shown: str,
) -> None:
    acme = strategy.companies.acme_id
    service = id_of(sessions, ScorecardRow, acme, "service")
    team = _team(sessions, acme, "customer-service")
    browser.log_in(strategy.editor, strategy.password)

    changed = _post(browser, f"/scorecard/cards/{service}/team", {"owner_team": str(team)})

    assert changed.status_code == 303
    assert changed.headers["location"] == "/scorecard?scorecard=service#cascade"
    assert _owner(sessions, acme, "service") == team
    page = browser.page(f"/scorecard?scorecard=service&lang={language}").text
    assert text_of(page, "scorecard-team") == shown
    assert _post(browser, f"/scorecard/cards/{service}/team",
                 {"owner_team": ""}).status_code == 303
    assert _owner(sessions, acme, "service") is None
    assert [entry["owner_team_id"] for entry in _audit(sessions, "update")] == [
        {"from": None, "to": team}, {"from": team, "to": None}]
    assert 'id="scorecard-team"' not in browser.page("/scorecard?scorecard=service").text


@pytest.mark.parametrize("language", ["en", "ru", "hu"])
def test_a_team_of_another_workspace_is_refused_naming_the_field(
    browser: Browser, strategy: SeededStrategy, sessions: sessionmaker[Session],
    language: str,
) -> None:
    acme = strategy.companies.acme_id
    company = id_of(sessions, ScorecardRow, acme, "company")
    service = id_of(sessions, ScorecardRow, acme, "service")
    secret = _team(sessions, strategy.companies.globex_id, "secret-team")
    message = TRANSLATIONS[language].gettext("Choose one of the workspace's teams.")
    assert language == "en" or message != "Choose one of the workspace's teams."
    browser.log_in(strategy.editor, strategy.password)
    browser.page(f"/scorecard?lang={language}")

    for chosen in (str(secret), "not-a-team"):
        moved = _post(browser, f"/scorecard/cards/{service}/team", {"owner_team": chosen})
        added = _post(browser, f"/scorecard/cards/{company}/children",
                      {"name": "Shadow", "level": "team", "owner_team": chosen})
        assert (moved.status_code, added.status_code) == (422, 422)
        assert text_of(moved.text, "owner_team-error") == message
        assert 'id="owner-team-edit" open' in moved.text
        assert text_of(added.text, "owner_team-error") == message
        assert 'value="Shadow"' in added.text  # what was typed stays
    assert _owner(sessions, acme, "service") is None
    with sessions() as session:
        assert session.scalar(select(ScorecardRow.id).where(ScorecardRow.name == "Shadow")) is None
    assert _audit(sessions, "update") == []


def test_only_admins_change_the_team_and_a_post_needs_its_csrf_token(
    browser: Browser, strategy: SeededStrategy, sessions: sessionmaker[Session]
) -> None:
    acme = strategy.companies.acme_id
    service = id_of(sessions, ScorecardRow, acme, "service")
    typed = {"owner_team": str(_team(sessions, acme, "sales"))}
    manager = grant_manager(sessions)
    for email in (strategy.viewer, strategy.analyst, manager):
        browser.log_in(email, strategy.password)
        assert 'id="owner-team"' not in browser.page("/scorecard?scorecard=service").text
        assert _post(browser, f"/scorecard/cards/{service}/team", typed).status_code == 403
        browser.client.post("/logout", data={"csrf_token": browser.session_token()})
    browser.log_in(strategy.editor, strategy.password)
    assert browser.client.post(f"/scorecard/cards/{service}/team",
                               data=typed).status_code == 403  # no CSRF token
    globex_card = id_of(sessions, ScorecardRow, strategy.companies.globex_id, "company")
    assert _post(browser, f"/scorecard/cards/{globex_card}/team", typed).status_code == 404
    assert _owner(sessions, acme, "service") is None


def test_the_pdf_names_the_team(
    browser: Browser, strategy: SeededStrategy, sessions: sessionmaker[Session]
) -> None:
    acme = strategy.companies.acme_id
    with transaction(sessions) as session:
        team = Team(workspace_id=acme, key="omega", name="Ωmega squad")
        session.add(team)
        session.flush()
        card = session.scalars(select(ScorecardRow).where(
            ScorecardRow.workspace_id == acme, ScorecardRow.key == "service")).one()
        card.owner_team_id = team.id
    browser.log_in(strategy.editor, strategy.password)

    with_team = download(browser, "/scorecard.pdf?scorecard=service").content
    without = download(browser, "/scorecard.pdf?scorecard=company").content

    assert "Ω" in pdf_characters(with_team) and "Ω" not in pdf_characters(without)
