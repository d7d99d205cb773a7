"""The "meta" lines of the OKR tree and the scorecard (team, owner, serves, grade; customer
voice, owner; score; a measure's direction, frequency, weight, target …) are flex rows:
CSS spaces their items on screen, but the page's text is what copy-paste, screen readers
and search read. Read as a browser's ``textContent`` (the text nodes joined, nothing
added between elements), neighbouring items must be separated, never run together as
"Team: Customer serviceOwner: Ana"."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from itertools import pairwise

import pytest
from sqlalchemy.orm import Session, sessionmaker

from kano.adapters.db.orm import ObjectiveRow
from tests.integration.web.browsing import Browser
from tests.integration.web.seed import SeededCompanies
from tests.integration.web.strategy_seed import SeededStrategy, id_of, seed_strategy

VOID = {"input", "br", "img", "meta", "link", "hr", "wbr", "source", "col", "area"}


@pytest.fixture
def strategy(sessions: sessionmaker[Session], companies: SeededCompanies) -> SeededStrategy:
    return seed_strategy(sessions, companies)


class _MetaLines(HTMLParser):
    """Each ``<p class="objective-meta">``: its whole text as ``textContent`` has it, and
    the text of each of its visible items (direct children that are not hidden)."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: list[tuple[str, list[str]]] = []
        self._depth = 0  # inside a meta line: how deep; 0 outside
        self._text: list[str] = []
        self._items: list[list[str]] = []
        self._in_item = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in VOID:
            return
        classes = (dict(attrs).get("class") or "").split()
        if self._depth == 0:
            if tag == "p" and "objective-meta" in classes:
                self._depth, self._text, self._items = 1, [], []
            return
        if self._depth == 1:
            hidden = "visually-hidden" in classes or dict(attrs).get("aria-hidden") == "true"
            self._in_item = not hidden
            if self._in_item:
                self._items.append([])
        self._depth += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID or self._depth == 0:
            return
        self._depth -= 1
        if self._depth == 1:
            self._in_item = False
        if self._depth == 0:
            items = [" ".join("".join(item).split()) for item in self._items]
            self.lines.append(("".join(self._text), [i for i in items if i]))

    def handle_data(self, data: str) -> None:
        if self._depth:
            self._text.append(data)
            if self._in_item and self._depth > 1:
                self._items[-1].append(data)


def _meta_lines(html: str) -> list[tuple[str, list[str]]]:
    parser = _MetaLines()
    parser.feed(html)
    parser.close()
    return parser.lines


def _assert_separated(html: str, page: str) -> int:
    """Every two neighbouring items of every meta line have a separator with a space
    between them in the text; the number of lines with two or more items."""
    checked = 0
    for text, items in _meta_lines(html):
        position = 0
        for before, after in pairwise(items):
            start = _find_words(text, before, position)
            end = _find_words(text, after, start)
            between = text[start + _span(text, before, start):end]
            assert re.fullmatch(r"\s*[;·|,]?\s+", between), (
                f"{page}: {before!r} and {after!r} run together in {' '.join(text.split())!r}")
            position = end
        checked += len(items) > 1
    return checked


def _find_words(text: str, words: str, start: int) -> int:
    """Where ``words`` begin in ``text`` from ``start`` (any whitespace between words)."""
    pattern = r"\s+".join(map(re.escape, words.split()))
    found = re.compile(pattern).search(text, start)
    assert found, f"{words!r} not in {text!r}"
    return found.start()


def _span(text: str, words: str, start: int) -> int:
    pattern = r"\s+".join(map(re.escape, words.split()))
    found = re.compile(pattern).match(text, start)
    assert found
    return found.end() - found.start()


@pytest.mark.parametrize("language", ["en", "ru", "hu"])
def test_meta_lines_of_okr_and_scorecard_pages_keep_their_items_apart(
    browser: Browser, strategy: SeededStrategy, sessions: sessionmaker[Session], language: str
) -> None:
    browser.log_in(strategy.editor, strategy.password)
    acme = strategy.companies.acme_id
    objective = id_of(sessions, ObjectiveRow, acme, "easy-to-work-with")
    checked = 0
    for page in ("/okr", "/scorecard", f"/scorecard/objectives/{objective}"):
        html = browser.page(f"{page}?lang={language}").text
        lines = _assert_separated(html, page)
        assert lines > 0, f"{page} has no meta line of two items to check"
        checked += lines
    assert checked >= 5
