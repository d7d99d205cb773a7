"""Settings → "Acknowledgement e-mail": an owner writes the e-mail in the workspace's own
words per language (CSRF, audit log, an error naming the part, escaped output), sees a
server-rendered preview of the three variants (saved or not yet saved, live through
htmx), resets a language to Kano's texts; an analyst neither sees nor uses the form."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from kano.adapters.db.acknowledgement_texts import acknowledgement_texts
from kano.adapters.db.orm import AuditEntry
from tests.integration.web.browsing import Browser, csrf_token_in, text_of
from tests.integration.web.seed import PASSWORD, SeededCompanies

HU_DEFAULTS = {
    "subject": "Megkaptuk a visszajelzését",
    "greeting": "Köszönjük a visszajelzését, {name}!",
    "sorry": "Sajnáljuk, hogy nem feleltünk meg az elvárásainak.",
    "contact": "A felelős munkatárs utánajár, és {within} belül jelentkezik, hogy mit "
    "teszünk.",
    "fine": "Minden választ elolvasunk; a visszajelzése ahhoz a csapathoz kerül, amely "
    "szolgáltatásunk ezen részéért felel.",
    "closing": "Hivatkozási szám: {reference}",
    "signature": "",
}


def _overrides(sessions: sessionmaker[Session], workspace_id: int) -> dict[str, Any]:
    with sessions() as session:
        return dict(acknowledgement_texts(session, workspace_id).overrides)


def _post(browser: Browser, token: str, action: str = "save", language: str = "hu",
          **parts: str) -> Any:
    data = {**HU_DEFAULTS, **parts} if language == "hu" else parts
    return browser.client.post("/settings/acknowledgement", data={
        **data, "language": language, "action": action, "csrf_token": token})


def test_an_owner_signs_the_hungarian_e_mail_and_sees_it_in_the_three_previews(
    browser: Browser, companies: SeededCompanies, sessions: sessionmaker[Session],
) -> None:
    browser.log_in(companies.bob, PASSWORD)  # owner of Acme
    page = browser.page("/settings")
    assert 'id="acknowledgement-hu"' in page.text
    assert 'name="signature"' in page.text
    assert 'value="Megkaptuk a visszajelzését"' in page.text  # pre-filled
    case = text_of(page.text, "ack-preview-en-case")
    assert "within 4 working hours" in case and "We are sorry" in case
    assert "contact you" not in text_of(page.text, "ack-preview-en-sorry")
    assert "sorry" not in text_of(page.text, "ack-preview-en-happy")
    assert "4 munkaórán belül" in text_of(page.text, "ack-preview-hu-case")
    token = csrf_token_in(page.text)

    assert browser.client.post("/settings/acknowledgement", data={
        "language": "hu", "signature": "x"}).status_code == 403
    saved = _post(browser, token, signature="— Az {workspace} ügyfélszolgálata")
    assert saved.status_code == 303, saved.text
    # Only the signature differs from Kano's texts: only it is stored.
    assert _overrides(sessions, companies.acme_id) == {
        "hu": {"signature": "— Az {workspace} ügyfélszolgálata"}}
    page = browser.page(saved.headers["location"])
    assert "The acknowledgement e-mail is saved." in page.text
    for variant in ("case", "sorry", "happy"):
        assert "— Az Acme Ltd ügyfélszolgálata" in text_of(page.text, f"ack-preview-hu-{variant}")
    assert "ügyfélszolgálata" not in text_of(page.text, "ack-preview-en-happy")
    with sessions() as session:
        entry = session.scalars(select(AuditEntry).where(
            AuditEntry.entity == "acknowledgement_texts")).one()  # fmt: skip
    assert entry.actor == companies.bob and entry.workspace_id == companies.acme_id
    assert _overrides(sessions, companies.globex_id) == {}

    reset = _post(browser, token, action="reset")
    assert reset.status_code == 303
    assert _overrides(sessions, companies.acme_id) == {}
    page = browser.page(reset.headers["location"])
    assert "back to Kano" in text_of(page.text, "ack-reset-hu")
    assert "ügyfélszolgálata" not in text_of(page.text, "ack-preview-hu-happy")


def test_a_bad_part_is_named_and_nothing_is_saved(
    browser: Browser, companies: SeededCompanies, sessions: sessionmaker[Session],
) -> None:
    browser.log_in(companies.bob, PASSWORD)
    token = csrf_token_in(browser.page("/settings").text)
    for part, text, says in [
        ("contact", "{within belül", "A brace without its pair"),
        ("greeting", "Kedves {reference}!", "Use only the placeholders"),
        ("subject", "", "must not be empty"),
        ("signature", "x" * 1001, "too long"),
    ]:
        refused = _post(browser, token, **{part: text})
        assert refused.status_code == 422, part
        problem = text_of(refused.text, "ack-error-hu")
        label = {"contact": "Next step when a case opens", "greeting": "Greeting",
                 "subject": "Subject", "signature": "Signature"}[part]
        assert f"Check this field: {label}." in problem and says in problem
        assert 'aria-invalid="true"' in refused.text
        assert 'id="acknowledgement-hu" class="ack-language" open' in refused.text
    # a subject with a line break (header injection) is refused too
    refused = _post(browser, token, subject="Köszönjük\r\nBcc: evil@example.com")
    assert "single line" in text_of(refused.text, "ack-error-hu")
    assert _overrides(sessions, companies.acme_id) == {}


def test_text_in_a_part_is_shown_escaped_in_the_form_and_the_preview(
    browser: Browser, companies: SeededCompanies, sessions: sessionmaker[Session],
) -> None:
    browser.log_in(companies.bob, PASSWORD)
    token = csrf_token_in(browser.page("/settings").text)
    payload = '</textarea><script>alert("x")</script><img src=x onerror=alert(1)>'
    saved = _post(browser, token, signature=payload)
    assert saved.status_code == 303
    page = browser.page("/settings").text
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert" in page
    assert payload in text_of(page, "ack-preview-hu-happy")
    previewed = _post(browser, token, action="preview", signature=payload + " 2")
    assert previewed.status_code == 200 and "<script>alert" not in previewed.text


def test_preview_shows_unsaved_texts_without_saving_them(
    browser: Browser, companies: SeededCompanies, sessions: sessionmaker[Session],
) -> None:
    browser.log_in(companies.bob, PASSWORD)
    token = csrf_token_in(browser.page("/settings").text)
    previewed = _post(
        browser, token, action="preview", language="ru", subject="Спасибо!",
        greeting="Здравствуйте, {name}!", sorry="", contact="Позвоним в течение {within}.",
        fine="Спасибо.", closing="Номер: {reference}", signature="Команда {workspace}",
    )  # fmt: skip
    assert previewed.status_code == 200
    case = text_of(previewed.text, "ack-preview-ru-case")
    assert "Здравствуйте, Анна!" in case and "Позвоним в течение 4 рабочих часов." in case
    assert "Нам жаль" not in case  # the apology left empty is left out
    assert "Команда Acme" in case
    assert _overrides(sessions, companies.acme_id) == {}
    live = browser.client.post("/settings/acknowledgement/preview", data={
        **HU_DEFAULTS, "language": "hu", "signature": "Élő {workspace}", "csrf_token": token})
    assert live.status_code == 200
    assert live.text.lstrip().startswith('<div class="ack-preview" id="ack-preview-hu"')
    assert "Élő Acme" in text_of(live.text, "ack-preview-hu-happy")
    bad = browser.client.post("/settings/acknowledgement/preview", data={
        **HU_DEFAULTS, "language": "hu", "closing": "{reference", "csrf_token": token})
    assert "A brace without its pair" in text_of(bad.text, "ack-preview-hu")


def test_an_analyst_neither_sees_nor_uses_the_acknowledgement_form(
    browser: Browser, companies: SeededCompanies, sessions: sessionmaker[Session],
) -> None:
    browser.log_in(companies.alice, PASSWORD)  # analyst of Acme
    page = browser.page("/settings")
    assert 'action="/settings/acknowledgement"' not in page.text
    refused = browser.client.post("/settings/acknowledgement", data={
        **HU_DEFAULTS, "language": "hu", "signature": "x", "csrf_token": csrf_token_in(page.text)})
    assert refused.status_code == 403
    assert "acknowledgement e-mail" in text_of(refused.text, "ack-refused")
    assert _overrides(sessions, companies.acme_id) == {}


def test_the_section_speaks_russian_and_hungarian(
    browser: Browser, companies: SeededCompanies,
) -> None:
    browser.log_in(companies.bob, PASSWORD)
    ru = browser.page("/settings?lang=ru").text
    assert "Сохранить письмо-подтверждение" in ru and "Подстановки:" in ru
    assert "Низкая оценка, открыто обращение" in text_of(ru, "ack-preview-ru")
    hu = browser.page("/settings?lang=hu").text
    assert "Visszaigazoló e-mail mentése" in hu and "Helyettesítők:" in hu
