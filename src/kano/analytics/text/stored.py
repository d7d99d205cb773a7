"""The sentiment model in a form safe to keep in the database and to read back.

Case rules of kind ``sentiment`` read a comment's probability of being negative at intake,
so the model must outlive the process that trained it. Nothing executable is stored (no
pickle): the vectoriser is sklearn's stateless ``HashingVectorizer`` on the same character
2–4-grams within word boundaries as the analysis's TF-IDF model, fully described by
:data:`HASHING`, and the logistic regression is its coefficient vector (float32, one per
hashed feature) and intercept. Scoring is the hashing, one sparse product and a sigmoid.

:func:`train_storable` fits it with :func:`~kano.analytics.text.sentiment.train_sentiment`
(same labels from the scores, same grouped cross-validation), so the figures stored with
it (accuracy, macro-F1) are measured the same way.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

HASHING: dict[str, Any] = {
    "analyzer": "char_wb",
    "ngram_range": (2, 4),
    "lowercase": True,
    "n_features": 2**18,
    "alternate_sign": False,
    "norm": "l2",
}
"""The vectoriser's parameters (stored with each model, so a later change here does not
misread an older model)."""


@dataclass(frozen=True)
class StoredSentiment:
    """A fitted sentiment model as plain numbers."""

    coefficients: np.ndarray  # float32, one per hashed feature
    intercept: float
    vectorizer: dict[str, Any]

    def p_negative(self, texts: Sequence[str]) -> np.ndarray:
        """Probability that each comment reads negative (one vectorised call)."""
        if len(texts) == 0:
            return np.zeros(0)
        matrix = hashed_features(self.vectorizer, [str(t) for t in texts])
        z = matrix @ self.coefficients.astype(np.float64) + self.intercept
        return np.asarray(1.0 / (1.0 + np.exp(z)), dtype="float64")  # 1 - sigmoid(z)

    def coefficient_bytes(self) -> bytes:
        return np.asarray(self.coefficients, dtype="<f4").tobytes()

    @classmethod
    def from_bytes(
        cls, data: bytes, intercept: float, vectorizer: dict[str, Any]
    ) -> StoredSentiment:
        coefficients = np.frombuffer(data, dtype="<f4")
        if coefficients.size != int(vectorizer["n_features"]):
            raise ValueError("the stored coefficients do not match the vectoriser's size")
        return cls(coefficients, float(intercept), dict(vectorizer))


_WORDS_KEPT = 100_000
"""Distinct words whose hashed n-grams a process keeps per vectoriser (~150 bytes each)."""
_word_features: dict[tuple[Any, ...], dict[str, tuple[int, ...]]] = {}


def hashed_features(vectorizer: dict[str, Any], texts: list[str]) -> Any:
    """The rows sklearn's ``HashingVectorizer(**vectorizer).transform(texts)`` gives.

    Why not that call alone: it builds every n-gram of every word in Python, ~65 µs a
    comment, which made a sentiment rule cost three times the rest of a bulk request
    (bench/ingest_bulk.py --sentiment-rule). With ``char_wb`` n-grams never cross a
    word, so a comment's counts are the sum of its words' and each distinct word is
    hashed once — by sklearn itself, as a one-word document — and kept for later
    batches. The sum, the L2 norm and the product are scipy's. Other settings (not ours;
    an older stored model could have them) go to sklearn as they are; both ways give the
    same matrix (tests/unit/text/test_stored_hashing.py)."""
    import scipy.sparse as sp
    from sklearn.feature_extraction.text import HashingVectorizer
    from sklearn.preprocessing import normalize

    params = dict(vectorizer)
    params["ngram_range"] = tuple(params["ngram_range"])
    fast = (
        params.get("analyzer") == "char_wb"
        and params.get("alternate_sign") is False
        and not params.get("binary", False)
        and params.get("norm", "l2") in ("l2", None)
        and params.get("lowercase", True) is True
        and params.get("preprocessor") is None
        and not params.get("strip_accents")
    )
    if not fast:
        return HashingVectorizer(**params).transform(texts)
    known = _word_features.setdefault(tuple(sorted(params.items())), {})
    documents = [text.lower().split() for text in texts]
    unseen = list({word for words in documents for word in words if word not in known})
    if unseen and len(known) + len(unseen) > _WORDS_KEPT:
        known.clear()  # a bound on memory; this batch's words are hashed afresh
        unseen = list({word for words in documents for word in words})
    if unseen:
        hashed = HashingVectorizer(**{**params, "norm": None}).transform(unseen).tocsr()
        # An n-gram twice in a word is its index twice: the sum below counts it so.
        repeats = hashed.data.astype(np.int64)
        indices = np.repeat(hashed.indices, repeats).tolist()
        starts = np.concatenate(([0], np.cumsum(repeats)))[hashed.indptr].tolist()
        for row, word in enumerate(unseen):
            known[word] = tuple(indices[starts[row] : starts[row + 1]])
    columns: list[int] = []
    lengths: list[int] = []
    for words in documents:
        before = len(columns)
        for word in words:
            columns.extend(known[word])
        lengths.append(len(columns) - before)
    rows = np.repeat(np.arange(len(texts)), lengths)
    matrix = sp.csr_matrix(
        (np.ones(len(columns)), (rows, np.asarray(columns, dtype=np.int64))),
        shape=(len(texts), int(params["n_features"])),
    )  # duplicates summed on conversion
    return matrix if params.get("norm", "l2") is None else normalize(matrix, norm="l2")


def storable(model: Any) -> StoredSentiment | None:
    """The plain-number form of a :class:`SentimentModel` fitted with
    :func:`~kano.analytics.text.sentiment.hashing_pipeline` (None when untrained)."""
    pipeline = model._pipeline
    if pipeline is None:
        return None
    vectorizer, regression = pipeline.steps[0][1], pipeline.steps[-1][1]
    params = {name: vectorizer.get_params()[name] for name in HASHING}
    params["ngram_range"] = list(params["ngram_range"])
    return StoredSentiment(
        np.asarray(regression.coef_[0], dtype=np.float32),
        float(regression.intercept_[0]),
        params,
    )


def train_storable(texts: Sequence[str], labels: np.ndarray, *, seed: int = 0) -> Any:
    """A :class:`SentimentModel` on the hashing pipeline (``storable`` turns it into
    numbers)."""
    from kano.analytics.text.sentiment import hashing_pipeline, train_sentiment

    return train_sentiment(texts, labels, seed=seed, pipeline=hashing_pipeline)
