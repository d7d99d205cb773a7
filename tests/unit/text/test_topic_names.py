"""Discovered topics are named by content words: the EN/RU/HU function words shipped in
``kano/analytics/text/stopwords`` never name a topic, whichever method made it."""

from __future__ import annotations

import re

import numpy as np
import pytest

from kano.analytics.text.embeddings import cluster_terms
from kano.analytics.text.themes import WORDS, discover_topics, stop_words
from tests.unit.text.comments import demo_comments

# words that named the demo's topics before the lists: "this · sort · please · keeps",
# "nagyon · vagyok · csalódott", "очень"
LEAKED = {"this", "please", "nagyon", "vagyok", "очень", "чтобы", "hogy", "which", "were"}
CONTENT = {"delivery", "support", "late", "szállítás", "késett", "доставка", "поддержка",
           "courier", "website"}  # fmt: skip


def test_the_lists_hold_function_words_of_each_language_and_no_content_word() -> None:
    words = stop_words()

    assert words >= LEAKED
    assert not CONTENT & words
    assert "először" in words and not any("õ" in w or "û" in w for w in words)
    assert all(re.fullmatch(WORDS, w) for w in words)


@pytest.mark.parametrize("topics", [6, 8, 10])
def test_no_bag_of_words_topic_of_the_demo_is_named_by_a_stop_word(topics: int) -> None:
    frame = demo_comments()

    found, assigned = discover_topics(frame["comment"].tolist(), topics=topics)

    assert len(found) == topics and (assigned >= 0).mean() > 0.9
    named = {term for topic in found for term in topic.terms}
    assert not named & stop_words(), [t.label for t in found]
    assert all(len(t.terms) >= 4 for t in found), [t.label for t in found]


def test_no_embedding_topic_name_is_a_stop_word() -> None:
    # the naming step of the embeddings method on the demo's planted topics as clusters
    # (no model needed: the clusters are given)
    frame = demo_comments()
    keys = sorted(frame["topic_key"].unique())
    labels = frame["topic_key"].map({k: i for i, k in enumerate(keys)}).to_numpy()

    terms = cluster_terms(frame["comment"].tolist(), np.asarray(labels), len(keys))

    named = {term for cluster in terms for term in cluster}
    assert named and not named & stop_words(), terms
    assert all(cluster for cluster in terms)
