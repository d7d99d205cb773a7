"""The workspace settings page, "Surveys" section: an owner sets the fatigue window and the
reminder delay (CSRF, audit log, errors naming the field, empty = the server default shown
beside it); an analyst sees what holds and cannot change it; EN/RU/HU."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from kano.adapters.db.orm import AuditEntry, WorkspaceFeedbackSettingsRow
from tests.integration.web.browsing import Browser, csrf_token_in, text_of
from tests.integration.web.seed import PASSWORD, SeededCompanies


def _row(sessions: sessionmaker[Session], workspace_id: int) -> tuple[int | None, int | None]:
    with sessions() as session:
        row = session.get(WorkspaceFeedbackSettingsRow, workspace_id)
        return (None, None) if row is None else (row.survey_fatigue_days,
                                                 row.survey_reminder_days)


def test_an_owner_sets_the_survey_settings_and_empty_means_the_server_default(
    browser: Browser, companies: SeededCompanies, sessions: sessionmaker[Session],
) -> None:
    browser.log_in(companies.bob, PASSWORD)  # owner of Acme
    page = browser.page("/settings")
    assert "Server default: 30 days." in text_of(page.text, "surveys")
    assert "Server default: 3 days." in text_of(page.text, "surveys")
    assert 'name="survey_fatigue_days" type="number"' in page.text
    token = csrf_token_in(page.text)

    without_csrf = browser.client.post("/settings/surveys", data={"survey_fatigue_days": "9"})
    assert without_csrf.status_code == 403
    for bad in ({"survey_fatigue_days": "-1"}, {"survey_fatigue_days": "3651"},
                {"survey_fatigue_days": "ten"}, {"survey_reminder_days": "0"}):
        refused = browser.client.post("/settings/surveys", data={**bad, "csrf_token": token})
        assert refused.status_code == 422, bad
        problem = text_of(refused.text, "settings-error")
        label = "Survey fatigue window" if "survey_fatigue_days" in bad else "Reminder after"
        assert f"Check this field: {label}" in problem
        assert 'aria-invalid="true"' in refused.text
    assert _row(sessions, companies.acme_id) == (None, None)

    saved = browser.client.post("/settings/surveys", data={
        "survey_fatigue_days": "14", "survey_reminder_days": "", "csrf_token": token})
    assert saved.status_code == 303
    assert _row(sessions, companies.acme_id) == (14, None)
    page = browser.page(saved.headers["location"])
    assert "The survey settings are saved." in page.text
    assert 'value="14"' in page.text and "In effect: 14 days." in page.text
    assert "In effect: 3 days." in page.text  # the reminder: the server default
    assert _row(sessions, companies.globex_id) == (None, None)
    with sessions() as session:
        entry = session.scalars(select(AuditEntry).where(
            AuditEntry.entity == "feedback_settings")).one()
    assert entry.actor == companies.bob and entry.workspace_id == companies.acme_id

    # Emptied again: back to the server default.
    browser.client.post("/settings/surveys", data={"survey_fatigue_days": "",
                                                   "csrf_token": token})
    assert _row(sessions, companies.acme_id) == (None, None)

    ru = browser.page("/settings?lang=ru").text
    assert "Опросы" in ru and "По умолчанию на сервере: 30 дн." in ru
    hu = browser.page("/settings?lang=hu").text
    assert "Szerver alapértéke: 30 nap." in hu


def test_an_analyst_sees_the_settings_but_cannot_change_them(
    browser: Browser, companies: SeededCompanies, sessions: sessionmaker[Session],
) -> None:
    browser.log_in(companies.alice, PASSWORD)  # analyst of Acme
    page = browser.page("/settings")
    assert page.status_code == 200
    assert 'action="/settings/surveys"' not in page.text
    assert "In effect: 30 days." in text_of(page.text, "survey_fatigue_days-value")
    refused = browser.client.post("/settings/surveys", data={
        "survey_fatigue_days": "1", "csrf_token": browser.session_token()})
    assert refused.status_code == 403
    assert "Only a workspace owner or admin" in refused.text
    assert _row(sessions, companies.acme_id) == (None, None)
