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
        from sklearn.feature_extraction.text import HashingVectorizer

        params = dict(self.vectorizer)
        params["ngram_range"] = tuple(params["ngram_range"])
        matrix = HashingVectorizer(**params).transform([str(t) for t in texts])
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
