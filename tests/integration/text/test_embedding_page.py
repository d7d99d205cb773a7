"""The Themes page says which method made each discovered topic: with the sentence-
embedding back-end on (the real packaged model) the worker stores its topics with their
method, and the page marks the English ones "by sentence embeddings (minilm)" and the
others "by word counts"; off (the default), every topic is by word counts. On the demo
company (size S), SQLite + DuckDB and PostgreSQL for both."""

from __future__ import annotations

import pytest

from kano.adapters.jobs.text_insights import analyse_after_load
from kano.analytics.text.embeddings import SETTING
from kano.analytics.text.themes import BAG_OF_WORDS
from tests.integration.text.test_stored_analysis import Stack, _stored, demo_data, stack

__all__ = ["demo_data", "stack"]
EMBEDDED_EN = "by sentence embeddings (minilm)"


def test_topics_by_embeddings_are_stored_and_named_on_the_page(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(SETTING, "minilm")
    (line,) = analyse_after_load(stack.url, [stack.workspace_id])
    assert "comments analysed" in line

    report = _stored(stack, None)
    assert report.freshness.current
    methods = [t.method for t in report.topics]
    assert "embeddings:minilm" in methods and BAG_OF_WORDS in methods  # EN and RU/HU
    english = report.languages.get("en", 0)
    assert sum(t.comments for t in report.topics if t.method != BAG_OF_WORDS) == english

    page = stack.page("/text?lang=en")
    topics = page[page.index('id="discovered-topics"'):]
    assert topics.count(EMBEDDED_EN) == methods.count("embeddings:minilm")
    assert topics.count("by word counts") == methods.count(BAG_OF_WORDS)
    ru = stack.page("/text?lang=ru")
    assert "по векторным представлениям предложений (minilm)" in ru


def test_off_by_default_every_topic_is_by_word_counts(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(SETTING, raising=False)
    analyse_after_load(stack.url, [stack.workspace_id])

    report = _stored(stack, None)
    assert report.freshness.current and report.topics
    assert {t.method for t in report.topics} == {BAG_OF_WORDS}
    page = stack.page("/text?lang=en")
    assert EMBEDDED_EN not in page and "by word counts" in page
