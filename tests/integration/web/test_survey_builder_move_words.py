"""The survey builder's buttons that reorder questions say what they do in Russian and
Hungarian. The UX walk found bare "Выше"/"Ниже" ("higher"/"lower") and
"Feljebb"/"Lejjebb" next to "Удалить" under each question: they read as a position, not
an action; now "Переместить выше/ниже" and "Feljebb/Lejjebb mozgatás" ("Move up/down")."""

from __future__ import annotations

import re

import pytest

from tests.integration.web.browsing import Browser
from tests.integration.web.seed import PASSWORD, SeededCompanies
from tests.integration.web.test_survey_builder_and_thanks import surveys

__all__ = ["surveys"]


@pytest.mark.parametrize(("lang", "up", "down"), [
    ("en", "Move up", "Move down"),
    ("ru", "Переместить выше", "Переместить ниже"),
    ("hu", "Feljebb mozgatás", "Lejjebb mozgatás"),
])  # fmt: skip
def test_the_question_order_buttons_name_their_action(
    browser: Browser, companies: SeededCompanies, surveys: None, lang: str, up: str, down: str
) -> None:
    browser.log_in(companies.alice, PASSWORD)
    html = browser.page("/surveys/pulse", params={"lang": lang}).text
    buttons = dict(re.findall(r'name="action" value="(up|down)-\d+">([^<]*)</button>', html))
    assert buttons == {"up": up, "down": down}
