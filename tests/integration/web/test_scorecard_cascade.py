"""The cascade of scorecards on the web pages (SPEC §2.7, company → department → team): an
admin adds a department scorecard below the company one (the classic perspectives, in the
reader's language), each scorecard page shows its place in the cascade, and an objective of
a scorecard below is aligned to an objective of one above — by its owner or an admin, as
``PATCH /objectives`` allows, through the same store and with the same audit entries.
Refusals name the field in English, Russian and Hungarian. On the example strategy (its
"Customer service scorecard" sits below the company one), SQLite and PostgreSQL."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from kano.adapters.db import accounts
from kano.adapters.db.engine import transaction
from kano.adapters.db.orm import (
    AuditEntry,
    ObjectiveRow,
    PerspectiveRow,
    ScorecardRow,
    User,
)
from kano.adapters.web.i18n import load_translations
from kano.domain.workspaces import Scope
from tests.integration.web.browsing import Browser, text_of
from tests.integration.web.seed import SeededCompanies
from tests.integration.web.strategy_seed import (
    SECRET,
    SeededStrategy,
    grant_manager,
    id_of,
    seed_strategy,
)

TRANSLATIONS = {language: load_translations(language) for language in ("en", "ru", "hu")}


@pytest.fixture
def strategy(sessions: sessionmaker[Session], companies: SeededCompanies) -> SeededStrategy:
    return seed_strategy(sessions, companies)


def _post(browser: Browser, path: str, data: dict[str, Any] | None = None) -> Any:
    return browser.client.post(path, data={**(data or {}),
                                           "csrf_token": browser.session_token()})


def _switch(browser: Browser, email: str, password: str) -> None:
    """Log out whoever is signed in, then log in as ``email``."""
    browser.client.post("/logout", data={"csrf_token": browser.session_token()})
    browser.log_in(email, password)


def _said(language: str, text: str) -> str:
    translated = TRANSLATIONS[language].gettext(text)
    assert language == "en" or translated != text, f"{text!r} has no {language} text"
    return translated


def _audit(sessions: sessionmaker[Session], workspace_id: int, entity: str, action: str,
           after: int) -> list[AuditEntry]:
    with sessions() as session:
        return list(session.scalars(select(AuditEntry).where(
            AuditEntry.workspace_id == workspace_id, AuditEntry.entity == entity,
            AuditEntry.action == action, AuditEntry.id > after).order_by(AuditEntry.id)))


def _last_audit_id(sessions: sessionmaker[Session]) -> int:
    with sessions() as session:
        return int(session.scalar(select(func.max(AuditEntry.id))) or 0)


def _card(sessions: sessionmaker[Session], workspace_id: int, key: str) -> ScorecardRow | None:
    with sessions() as session:
        return session.scalar(select(ScorecardRow).where(
            ScorecardRow.workspace_id == workspace_id, ScorecardRow.key == key))


def _aligned_to(sessions: sessionmaker[Session], objective_id: int) -> int | None:
    with sessions() as session:
        return session.scalar(select(ObjectiveRow.aligned_to_id)
                              .where(ObjectiveRow.id == objective_id))


def _write_token(sessions: sessionmaker[Session], email: str) -> str:
    with transaction(sessions) as session:
        acme = accounts.get_workspace(session, "acme")
        user = session.scalar(select(User).where(User.email == email))
        return accounts.create_api_token(session, acme, Scope.WRITE, "cascade", user=user).token


def test_an_admin_adds_a_department_scorecard_below_the_company_one(
    browser: Browser, strategy: SeededStrategy, sessions: sessionmaker[Session]
) -> None:
    acme = strategy.companies.acme_id
    company = id_of(sessions, ScorecardRow, acme, "company")
    browser.log_in(strategy.editor, strategy.password)
    page = browser.page("/scorecard").text
    assert f'action="/scorecard/cards/{company}/children"' in page
    assert "Customer service scorecard" in text_of(page, "cascade-children")
    before = _last_audit_id(sessions)

    made = _post(browser, f"/scorecard/cards/{company}/children",
                 {"name": "  Sales department ", "level": "department"})

    assert made.status_code == 303
    card = _card(sessions, acme, "department")
    assert card is not None and made.headers["location"] == "/scorecard?scorecard=department"
    assert (card.name, card.level, card.parent_id) == ("Sales department", "department", company)
    with sessions() as session:
        bands = session.execute(select(PerspectiveRow.key, PerspectiveRow.name).where(
            PerspectiveRow.scorecard_id == card.id).order_by(PerspectiveRow.position)).all()
    assert [tuple(band) for band in bands] == [
        ("financial", "Financial"), ("customer", "Customer"), ("process", "Internal processes"),
        ("learning", "Learning & growth")]
    [created] = _audit(sessions, acme, "scorecard", "create", before)
    assert (created.actor, created.detail) == (strategy.editor, {
        "key": "department", "name": "Sales department", "level": "department",
        "parent": "company", "owner_team": None})
    assert len(_audit(sessions, acme, "perspective", "create", before)) == 4

    child = browser.page("/scorecard?scorecard=department").text
    assert text_of(child, "cascade-parent") == "Acme company scorecard"
    path = text_of(child, "cascade-path")
    assert path.index("Acme company scorecard") < path.index("Sales department")
    tree = text_of(child, "cascade-tree")
    assert tree.index("Acme company scorecard") < tree.index("Sales department")
    assert "Customer service scorecard" in tree
    assert "Sales department" in text_of(browser.page("/scorecard").text, "cascade-children")
    assert SECRET not in child


def test_the_form_and_the_api_store_and_audit_a_scorecard_alike(
    browser: Browser, strategy: SeededStrategy, sessions: sessionmaker[Session]
) -> None:
    acme = strategy.companies.acme_id
    company = id_of(sessions, ScorecardRow, acme, "company")
    token = _write_token(sessions, strategy.editor)
    browser.log_in(strategy.editor, strategy.password)
    before = _last_audit_id(sessions)

    assert _post(browser, f"/scorecard/cards/{company}/children",
                 {"name": "Field team", "level": "team"}).status_code == 303
    by_api = browser.client.post("/api/v1/scorecards", json={
        "key": "field-api", "name": "Field team", "level": "team", "parent": "company"},
        headers={"Authorization": f"Bearer {token}"})

    assert by_api.status_code == 201, by_api.text
    form_entry, api_entry = _audit(sessions, acme, "scorecard", "create", before)
    assert form_entry.detail == {**api_entry.detail, "key": "team"}
    form_row, api_row = _card(sessions, acme, "team"), _card(sessions, acme, "field-api")
    assert form_row is not None and api_row is not None
    assert (form_row.name, form_row.level, form_row.parent_id) == (
        api_row.name, api_row.level, api_row.parent_id)


@pytest.mark.parametrize("language", ["en", "ru", "hu"])
def test_a_new_scorecard_is_refused_naming_the_field_in_the_readers_language(
    browser: Browser, strategy: SeededStrategy, sessions: sessionmaker[Session],
    language: str,
) -> None:
    acme = strategy.companies.acme_id
    company = id_of(sessions, ScorecardRow, acme, "company")
    browser.log_in(strategy.editor, strategy.password)
    browser.page(f"/scorecard?lang={language}")
    with sessions() as session:
        count = session.scalar(select(func.count()).select_from(ScorecardRow)
                               .where(ScorecardRow.workspace_id == acme))

    blank = _post(browser, f"/scorecard/cards/{company}/children",
                  {"name": "   ", "level": "department"})
    wrong_level = _post(browser, f"/scorecard/cards/{company}/children",
                        {"name": "Board", "level": "company"})

    assert (blank.status_code, wrong_level.status_code) == (422, 422)
    assert text_of(blank.text, "name-error") == _said(language, "Please fill this in.")
    assert 'id="new-scorecard-edit" open' in blank.text
    assert text_of(wrong_level.text, "level-error") == _said(
        language, "Choose department or team.")
    assert 'value="Board"' in wrong_level.text  # what was typed stays
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(ScorecardRow)
                              .where(ScorecardRow.workspace_id == acme)) == count


def test_a_russian_reader_gets_the_perspectives_named_in_russian(
    browser: Browser, strategy: SeededStrategy, sessions: sessionmaker[Session]
) -> None:
    acme = strategy.companies.acme_id
    company = id_of(sessions, ScorecardRow, acme, "company")
    browser.log_in(strategy.editor, strategy.password)
    browser.page("/scorecard?lang=ru")

    assert _post(browser, f"/scorecard/cards/{company}/children",
                 {"name": "Отдел продаж", "level": "department"}).status_code == 303

    card = _card(sessions, acme, "department")
    assert card is not None
    with sessions() as session:
        names = list(session.scalars(select(PerspectiveRow.name).where(
            PerspectiveRow.scorecard_id == card.id).order_by(PerspectiveRow.position)))
    assert names == [_said("ru", text) for text in (
        "Financial", "Customer", "Internal processes", "Learning & growth")]


def test_only_admins_add_scorecards_and_a_post_needs_its_csrf_token(
    browser: Browser, strategy: SeededStrategy, sessions: sessionmaker[Session]
) -> None:
    acme = strategy.companies.acme_id
    company = id_of(sessions, ScorecardRow, acme, "company")
    path = f"/scorecard/cards/{company}/children"
    typed = {"name": "Shadow department", "level": "department"}
    manager = grant_manager(sessions)
    browser.log_in(strategy.editor, strategy.password)
    for email in (strategy.viewer, strategy.analyst, manager):
        _switch(browser, email, strategy.password)
        assert 'id="new-scorecard"' not in browser.page("/scorecard").text
        refused = _post(browser, path, typed)
        assert refused.status_code == 403, email
    _switch(browser, strategy.editor, strategy.password)
    assert browser.client.post(path, data=typed).status_code == 403  # no CSRF token
    globex_card = id_of(sessions, ScorecardRow, strategy.companies.globex_id, "company")
    assert _post(browser, f"/scorecard/cards/{globex_card}/children",
                 typed).status_code == 404  # another tenant's scorecard: not found
    assert _card(sessions, acme, "department") is None


def test_an_admin_aligns_a_department_objective_and_the_company_objective_lists_it(
    browser: Browser, strategy: SeededStrategy, sessions: sessionmaker[Session]
) -> None:
    acme = strategy.companies.acme_id
    answer = id_of(sessions, ObjectiveRow, acme, "answer-fast")
    first_contact = id_of(sessions, ObjectiveRow, acme, "first-contact-resolution")
    easy = id_of(sessions, ObjectiveRow, acme, "easy-to-work-with")
    browser.log_in(strategy.editor, strategy.password)
    page = browser.page(f"/scorecard/objectives/{answer}").text
    choices = re.findall(r'<option value="(\d*)"( selected)?', text_of_form(page))
    assert (str(first_contact), " selected") in choices and ("", "") in choices
    assert str(answer) not in {value for value, _ in choices}  # its own scorecard's: no
    assert 'label="Acme company scorecard"' in page
    assert text_of(page, "objective-path").startswith(
        "Acme company scorecard Customer service scorecard")
    before = _last_audit_id(sessions)

    moved = _post(browser, f"/scorecard/objectives/{answer}/alignment",
                  {"aligned_to_id": str(easy)})

    assert moved.status_code == 303
    assert moved.headers["location"] == f"/scorecard/objectives/{answer}#cascade"
    assert _aligned_to(sessions, answer) == easy
    [entry] = _audit(sessions, acme, "objective", "update", before)
    assert (entry.actor, entry.entity_id, entry.detail) == (
        strategy.editor, str(answer),
        {"key": "answer-fast", "aligned_to_id": {"from": first_contact, "to": easy}})
    shown = browser.page(f"/scorecard/objectives/{answer}").text
    assert text_of(shown, "aligned-to") == "Serves: Be easy to work with"
    served = text_of(browser.page(f"/scorecard/objectives/{easy}").text, "aligned-from")
    assert "Answer within two minutes" in served and "Effortless service" in served
    assert "Customer service scorecard" in served and "No data" in served  # its status
    assert "Answer within two minutes" not in browser.page(
        f"/scorecard/objectives/{first_contact}").text

    detached = _post(browser, f"/scorecard/objectives/{answer}/alignment",
                     {"aligned_to_id": ""})
    assert detached.status_code == 303 and _aligned_to(sessions, answer) is None


def text_of_form(page: str) -> str:
    start = page.index('id="alignment"')
    return page[start:page.index("</form>", start)]


def test_the_form_and_the_api_align_and_audit_alike(
    browser: Browser, strategy: SeededStrategy, sessions: sessionmaker[Session]
) -> None:
    acme = strategy.companies.acme_id
    answer = id_of(sessions, ObjectiveRow, acme, "answer-fast")
    effortless = id_of(sessions, ObjectiveRow, acme, "service-effortless")
    easy = id_of(sessions, ObjectiveRow, acme, "easy-to-work-with")
    token = _write_token(sessions, strategy.editor)
    browser.log_in(strategy.editor, strategy.password)
    assert _post(browser, f"/scorecard/objectives/{answer}/alignment",
                 {"aligned_to_id": ""}).status_code == 303
    before = _last_audit_id(sessions)

    assert _post(browser, f"/scorecard/objectives/{answer}/alignment",
                 {"aligned_to_id": str(easy)}).status_code == 303
    assert browser.client.patch("/api/v1/objectives/service-effortless",
                                json={"aligned_to": None},
                                headers={"Authorization": f"Bearer {token}"}).status_code == 200
    patched = browser.client.patch("/api/v1/objectives/service-effortless",
                                   json={"aligned_to": "easy-to-work-with"},
                                   headers={"Authorization": f"Bearer {token}"})

    assert patched.status_code == 200, patched.text
    form_entry, _detach, api_entry = _audit(sessions, acme, "objective", "update", before)
    assert form_entry.detail == {**api_entry.detail, "key": "answer-fast"}
    assert api_entry.detail["aligned_to_id"] == {"from": None, "to": easy}
    assert _aligned_to(sessions, effortless) == _aligned_to(sessions, answer) == easy


@pytest.mark.parametrize("language", ["en", "ru", "hu"])
def test_an_alignment_outside_the_scorecards_above_is_refused_in_the_readers_language(
    browser: Browser, strategy: SeededStrategy, sessions: sessionmaker[Session],
    language: str,
) -> None:
    acme = strategy.companies.acme_id
    answer = id_of(sessions, ObjectiveRow, acme, "answer-fast")
    effortless = id_of(sessions, ObjectiveRow, acme, "service-effortless")
    first_contact = id_of(sessions, ObjectiveRow, acme, "first-contact-resolution")
    globex = id_of(sessions, ObjectiveRow, strategy.companies.globex_id,
                   "globex-secret-objective")
    browser.log_in(strategy.editor, strategy.password)
    browser.page(f"/scorecard?lang={language}")
    message = _said(language, "Choose an objective of a scorecard above this one.")

    for wrong in (str(effortless), str(globex), "abc", "99999999999999999999"):
        refused = _post(browser, f"/scorecard/objectives/{answer}/alignment",
                        {"aligned_to_id": wrong})
        assert refused.status_code == 422, wrong
        assert text_of(refused.text, "aligned_to_id-error") == message
        assert 'id="alignment-edit" open' in refused.text
    assert _aligned_to(sessions, answer) == first_contact
    easy = id_of(sessions, ObjectiveRow, acme, "easy-to-work-with")
    top = _post(browser, f"/scorecard/objectives/{easy}/alignment",
                {"aligned_to_id": str(first_contact)})  # the company's has none above
    assert top.status_code == 422 and _aligned_to(sessions, easy) is None


def test_a_manager_aligns_what_they_own_and_no_one_else_does(
    browser: Browser, strategy: SeededStrategy, sessions: sessionmaker[Session]
) -> None:
    acme = strategy.companies.acme_id
    answer = id_of(sessions, ObjectiveRow, acme, "answer-fast")  # a team's, not the CEO's
    first_contact = id_of(sessions, ObjectiveRow, acme, "first-contact-resolution")
    easy = id_of(sessions, ObjectiveRow, acme, "easy-to-work-with")
    with sessions() as session:
        service_customer = session.scalar(
            select(PerspectiveRow.id).join(ScorecardRow,
                                           ScorecardRow.id == PerspectiveRow.scorecard_id)
            .where(ScorecardRow.workspace_id == acme, ScorecardRow.key == "service",
                   PerspectiveRow.key == "customer"))
    manager = grant_manager(sessions)
    browser.log_in(manager, strategy.password)
    assert 'id="alignment"' not in browser.page(f"/scorecard/objectives/{answer}").text
    assert _post(browser, f"/scorecard/objectives/{answer}/alignment",
                 {"aligned_to_id": str(easy)}).status_code == 403
    made = _post(browser, "/scorecard/objectives",
                 {"perspective_id": str(service_customer), "title": "Call back the same day"})
    assert made.status_code == 303
    own = int(made.headers["location"].rsplit("/", 1)[1])
    assert 'id="alignment"' in browser.page(f"/scorecard/objectives/{own}").text

    aligned = _post(browser, f"/scorecard/objectives/{own}/alignment",
                    {"aligned_to_id": str(easy)})

    assert aligned.status_code == 303 and _aligned_to(sessions, own) == easy
    _switch(browser, strategy.viewer, strategy.password)
    viewer_page = browser.page(f"/scorecard/objectives/{own}").text
    assert 'id="alignment"' not in viewer_page and "Be easy to work with" in viewer_page
    assert _post(browser, f"/scorecard/objectives/{own}/alignment",
                 {"aligned_to_id": ""}).status_code == 403
    assert _aligned_to(sessions, own) == easy and _aligned_to(sessions, answer) == first_contact
    globex = id_of(sessions, ObjectiveRow, strategy.companies.globex_id,
                   "globex-secret-objective")
    _switch(browser, strategy.editor, strategy.password)
    assert _post(browser, f"/scorecard/objectives/{globex}/alignment",
                 {"aligned_to_id": ""}).status_code == 404


def test_an_alignment_left_behind_by_a_detached_scorecard_can_still_be_cleared(
    browser: Browser, strategy: SeededStrategy, sessions: sessionmaker[Session]
) -> None:
    acme = strategy.companies.acme_id
    answer = id_of(sessions, ObjectiveRow, acme, "answer-fast")
    token = _write_token(sessions, strategy.editor)
    browser.log_in(strategy.editor, strategy.password)
    detached = browser.client.patch("/api/v1/scorecards/service", json={"parent": None},
                                    headers={"Authorization": f"Bearer {token}"})
    assert detached.status_code == 200, detached.text

    page = browser.page(f"/scorecard/objectives/{answer}").text
    assert re.findall(r'<option value="(\d*)"', text_of_form(page)) == [""]
    assert "cascade-path" not in browser.page("/scorecard?scorecard=service").text

    cleared = _post(browser, f"/scorecard/objectives/{answer}/alignment",
                    {"aligned_to_id": ""})
    assert cleared.status_code == 303 and _aligned_to(sessions, answer) is None
