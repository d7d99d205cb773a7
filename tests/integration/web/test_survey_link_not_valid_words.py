"""A respondent whose survey link does not work is told what to do. The UX walk found the
public page of a broken or closed link saying only "Опрос не найден — Ссылка на опрос
недействительна, или опрос закрыт." (with a comma Russian does not put before a lone
«или»): no next step. Now it asks to open the whole link or to ask the sender for a new one."""

from __future__ import annotations

import pytest

from tests.integration.web.browsing import Browser


@pytest.mark.parametrize(("lang", "next_step"), [
    ("en", "ask the sender for a new one"),
    ("ru", "попросите отправителя прислать новую"),
    ("hu", "kérjen újat a küldőtől"),
])  # fmt: skip
def test_a_link_that_does_not_work_says_what_to_do(
    browser: Browser, lang: str, next_step: str
) -> None:
    reply = browser.client.get("/s/no-such-survey", params={"t": "forged", "lang": lang})
    assert reply.status_code == 404
    assert next_step in reply.text
    assert "недействительна, или" not in reply.text
