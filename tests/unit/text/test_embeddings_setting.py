"""The sentence-embedding back-end's setting: off by default, which model and languages
it names, and the bag-of-words fallback when the model cannot be loaded. No model is
loaded here (tests/integration/text/test_embedding_topics.py loads the real one)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from kano.analytics.text import analyze_comments
from kano.analytics.text.embeddings import (
    LANGUAGES_SETTING,
    PACKAGED,
    SETTING,
    EmbeddingBackend,
    cluster_terms,
    configured_backend,
    find_topics,
)
from kano.analytics.text.themes import BAG_OF_WORDS, discover_topics
from tests.unit.text.comments import demo_comments


@pytest.mark.parametrize("value", [None, "", "  ", "off", "0", "false"])
def test_off_unless_set(value: str | None) -> None:
    env = {} if value is None else {SETTING: value}
    assert configured_backend(env) is None


def test_minilm_is_the_packaged_english_model() -> None:
    assert configured_backend({SETTING: "minilm"}) == EmbeddingBackend(PACKAGED, frozenset({"en"}))
    assert configured_backend({SETTING: "MiniLM", LANGUAGES_SETTING: "en,ru"}) == EmbeddingBackend(
        PACKAGED, frozenset({"en"})
    )  # the packaged model is English whatever the languages setting says


def test_a_model_directory_reads_the_languages_it_is_given() -> None:
    assert configured_backend({SETTING: "/models/x"}).languages == frozenset({"en"})  # type: ignore[union-attr]
    backend = configured_backend({SETTING: "/models/x", LANGUAGES_SETTING: "en, ru,hu"})
    assert backend == EmbeddingBackend("/models/x", frozenset({"en", "ru", "hu"}))


def test_analysis_uses_bag_of_words_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(SETTING, raising=False)
    frame = demo_comments(with_language=True)
    analysis = analyze_comments(frame)
    assert analysis.topics
    assert {t.method for t in analysis.topics} == {BAG_OF_WORDS}
    found, assigned = discover_topics(frame["comment"].tolist())
    assert [t.terms for t in analysis.topics] == [t.terms for t in found]
    assert analysis.comments["topic"].tolist() == assigned.tolist()


def test_a_directory_that_is_no_model_falls_back_to_bag_of_words(tmp_path: Path) -> None:
    frame = demo_comments(with_language=True)
    said: list[str] = []
    found, assigned = find_topics(
        frame["comment"].tolist(), frame["language"].tolist(), progress=said.append,
        environ={SETTING: str(tmp_path / "no-model")},
    )  # fmt: skip
    assert found and {t.method for t in found} == {BAG_OF_WORDS}
    assert assigned.tolist() == discover_topics(frame["comment"].tolist())[1].tolist()
    assert len(said) == 1 and "not a sentence-transformers model directory" in said[0]


def test_cluster_terms_name_each_cluster_by_its_own_words() -> None:
    texts = ["late delivery", "delivery was late", "damaged pallet",
             "support never answered", "support slow answer", "support answered slowly"]
    labels = np.array([0, 0, 0, 1, 1, 1])
    terms = cluster_terms(texts, labels, 2, top=2)
    assert set(terms[0]) == {"late", "delivery"} and terms[1][0] == "support"
    # weights (how often each distinct text occurs): a frequent text's words come first
    weighted = cluster_terms(texts, labels, 2, weights=np.array([1, 1, 5, 1, 1, 1]), top=2)
    assert set(weighted[0]) == {"damaged", "pallet"}
