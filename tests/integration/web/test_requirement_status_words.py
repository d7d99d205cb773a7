"""A requirement's status words agree with «требование» in Russian. The UX walk found the
status filter of /requirements offering "Предложено, Согласован, Действует, Отменено":
the catalogue's "Agreed" is an MBO sheet's (лист, masculine). The requirement statuses are
now looked up in their own context; the MBO sheet keeps "Согласован"."""

from __future__ import annotations

import re

import pytest

from kano.adapters.web.i18n import load_translations
from tests.integration.web.browsing import Browser
from tests.integration.web.seed import PASSWORD, SeededCompanies


@pytest.mark.parametrize(("lang", "words"), [
    ("en", ["Proposed", "Agreed", "In effect", "Retired"]),
    ("ru", ["Предложено", "Согласовано", "Действует", "Отменено"]),
    ("hu", ["Javasolt", "Elfogadva", "Hatályos", "Visszavont"]),
])  # fmt: skip
def test_the_status_filter_speaks_of_a_requirement(
    browser: Browser, companies: SeededCompanies, lang: str, words: list[str]
) -> None:
    browser.log_in(companies.bob, PASSWORD)
    html = browser.page("/requirements", params={"lang": lang}).text
    select = html.split('id="filter-status"')[1].split("</select>")[0]
    options = re.findall(r'<option value="([a-z_]+)"[^>]*>([^<]*)</option>', select)
    assert [word for _key, word in options] == words, options


def test_an_mbo_sheet_stays_agreed_in_the_masculine() -> None:
    assert load_translations("ru").gettext("Agreed") == "Согласован"
