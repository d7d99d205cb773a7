"""The case page's example of root-cause tags is in the reader's language (a walk of the demo
in Russian and Hungarian found "ox:delivery-delay, Billing issue" in the empty field): the
workspace's own "ox:" tag stays as it is, the free-text example is translated."""

from __future__ import annotations

import re

import pytest

from tests.integration.web.browsing import Browser
from tests.integration.web.test_case_pages import MANAGER, SeededCases, _log_in, cases

__all__ = ["cases"]


@pytest.mark.parametrize(("language", "example"), [
    ("en", "ox:delivery-delay, Billing issue"),
    ("ru", "ox:delivery-delay, Ошибка в счёте"),
    ("hu", "ox:delivery-delay, Számlázási hiba"),
])  # fmt: skip
def test_the_root_cause_example_is_in_the_readers_language(
    browser: Browser, cases: SeededCases, language: str, example: str
) -> None:
    _log_in(browser, MANAGER)
    html = browser.page(f"/cases/{cases.due}?lang={language}").text

    field = re.search(r'<input[^>]*id="root-causes"[^>]*>', html)
    assert field, "no root-cause field on the case page"
    assert f'placeholder="{example}"' in field.group(0), field.group(0)
