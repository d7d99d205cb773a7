"""The UI language: ?lang= (remembered), then the cookie, the profile, the browser, the default."""

from __future__ import annotations

import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from kano.adapters.db.orm import User
from kano.adapters.web.i18n import LANGUAGE_COOKIE, accepted_languages, choose_language
from tests.integration.web.browsing import Browser, text_of
from tests.integration.web.seed import SeededCompanies


def test_lang_query_gives_russian_and_is_remembered(
    browser: Browser, client: TestClient, companies: SeededCompanies
) -> None:
    browser.log_in(companies.alice, companies.password)

    asked = browser.page("/?lang=ru")
    later = browser.page("/")

    assert '<html lang="ru">' in asked.text
    assert text_of(asked.text, "figure-nps") == (
        "NPS за 12 месяцев +40 Интервал (95 %): −13 – +74 n = 10 ответов")
    # Russian groups digits with non-breaking spaces (text_of folds them to spaces).
    assert text_of(asked.text, "figure-revenue") == "Выручка за 12 месяцев 2 500 € 2 500 €"
    assert "Выйти" in asked.text
    assert asked.cookies[LANGUAGE_COOKIE] == "ru"
    assert '<html lang="ru">' in later.text


def test_accept_language_hungarian_gives_hungarian(client: TestClient) -> None:
    response = client.get("/login", headers={"Accept-Language": "hu-HU,hu;q=0.9,en;q=0.5"})

    assert '<html lang="hu">' in response.text
    assert "Bejelentkezés" in response.text and "Jelszó" in response.text


def test_login_page_is_translated_to_russian(client: TestClient) -> None:
    response = client.get("/login?lang=ru")

    assert "Вход в Kano" in response.text
    assert "Пароль" in response.text
    assert "Адрес электронной почты" in response.text


def test_language_links_keep_the_rest_of_the_address(client: TestClient) -> None:
    page = client.get("/login?next=%2Fokr").text

    assert 'href="/login?next=%2Fokr&amp;lang=hu"' in page


def test_wrong_password_message_is_translated(
    browser: Browser, client: TestClient, companies: SeededCompanies
) -> None:
    client.get("/login?lang=hu")

    response = browser.log_in(companies.alice, "wrong")

    assert response.status_code == 400
    assert "Az e-mail-cím vagy a jelszó nem megfelelő." in response.text


def test_profile_language_applies_when_nothing_more_explicit_is_said(
    browser: Browser, companies: SeededCompanies, sessions: sessionmaker[Session]
) -> None:
    with sessions() as db:
        db.execute(update(User).where(User.email == companies.alice).values(language="hu"))
        db.commit()
    browser.log_in(companies.alice, companies.password)

    by_profile = browser.page("/", headers={"Accept-Language": "ru"})
    by_cookie = browser.page("/?lang=en")

    assert '<html lang="hu">' in by_profile.text
    assert text_of(by_profile.text, "figure-nps") == (
        "NPS, utolsó 12 hónap +40 Intervallum (95%): −13 – +74 n = 10 válasz")
    assert '<html lang="en">' in by_cookie.text


def test_unsupported_language_falls_back_to_the_default(client: TestClient) -> None:
    response = client.get("/login?lang=xx", headers={"Accept-Language": "de-DE"})

    assert '<html lang="en">' in response.text
    assert LANGUAGE_COOKIE not in response.cookies


@pytest.mark.parametrize(("header", "expected"), [
    ("ru-RU,ru;q=0.9,en-US;q=0.8", ["ru-RU", "ru", "en-US"]),
    ("en;q=0.2, hu", ["hu", "en"]),
    ("de, *;q=0", ["de"]),
    ("", []),
    ("fr;q=bad, ru", ["ru"]),
])
def test_accept_language_is_read_in_order_of_preference(header: str, expected: list[str]) -> None:
    assert accepted_languages(header) == expected


def test_language_order_of_precedence() -> None:
    def choose(**given: str | None) -> str:
        asked = {"query": None, "cookie": None, "user_language": None,
                 "accept_language": None, "default": "en", **given}
        return choose_language(**asked).code  # type: ignore[arg-type]

    assert choose(query="ru", cookie="hu", user_language="hu") == "ru"
    assert choose(cookie="hu", user_language="ru") == "hu"
    assert choose(user_language="ru", accept_language="hu") == "ru"
    assert choose(accept_language="de, hu-HU;q=0.5") == "hu"
    assert choose(default="ru") == "ru"
    assert choose(default="zz") == "en"
