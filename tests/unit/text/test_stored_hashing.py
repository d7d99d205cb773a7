"""The stored sentiment model's fast hashing gives exactly sklearn's HashingVectorizer
matrix (the independent implementation it replaces for speed)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.feature_extraction.text import HashingVectorizer

from kano.analytics.text import stored
from kano.analytics.text.stored import HASHING, hashed_features

WORDS = st.text(
    alphabet=st.sampled_from(list("abcxyzßİIéő ЖжшЩ.,!?-0123456789\t\n\u00a0\u2003")),
    max_size=40,
)


def sklearn_matrix(params: dict[str, object], texts: list[str]) -> np.ndarray:
    return HashingVectorizer(**params).transform(texts).toarray()


def stored_params(**changes: object) -> dict[str, object]:
    params = {**HASHING, "n_features": 2**10, **changes}
    params["ngram_range"] = list(params["ngram_range"])  # as stored (JSON)
    return params


@settings(max_examples=150, deadline=None)
@given(texts=st.lists(WORDS, min_size=1, max_size=12))
def test_same_matrix_as_sklearn(texts: list[str]) -> None:
    params = stored_params()  # small n_features: collisions between words are common
    expected = sklearn_matrix({**params, "ngram_range": (2, 4)}, texts)
    np.testing.assert_allclose(hashed_features(params, texts).toarray(), expected, atol=1e-12)


def test_words_learnt_in_one_batch_are_reused_and_the_cache_is_bounded(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(stored, "_word_features", {})
    monkeypatch.setattr(stored, "_WORDS_KEPT", 5)
    params = stored_params()
    reference = {**params, "ngram_range": (2, 4)}
    first = ["late delivery again", "great service"]
    np.testing.assert_allclose(
        hashed_features(params, first).toarray(), sklearn_matrix(reference, first)
    )
    (known,) = stored._word_features.values()
    assert set(known) == {"late", "delivery", "again", "great", "service"}
    second = ["wrong invoice", "late again"]  # two new words: over the bound, starts afresh
    np.testing.assert_allclose(
        hashed_features(params, second).toarray(), sklearn_matrix(reference, second)
    )
    assert set(known) == {"wrong", "invoice", "late", "again"}


def test_other_vectoriser_settings_go_to_sklearn() -> None:
    params = stored_params(analyzer="char", alternate_sign=True)
    texts = ["Late again", "great service"]
    expected = sklearn_matrix({**params, "ngram_range": (2, 4)}, texts)
    np.testing.assert_allclose(hashed_features(params, texts).toarray(), expected)
