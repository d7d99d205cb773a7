"""Sentiment learnt from the workspace's own scored feedback.

A comment's label comes from the score its response carries: NPS 0–6 negative and 9–10
positive, CSAT (and a 1–5 rating) 1–2 / 4–5, CES 1–3 / 5–7 (higher is easier); the middle
scores (NPS 7–8, CSAT 3, CES 4) teach nothing and are left out. The model is a
logistic regression on character 2–4-gram TF-IDF within word boundaries ("char_wb"): it
needs no tokenizer or stemmer, so the same model reads English, Russian and Hungarian (a
Hungarian suffix or a Russian case ending is just another n-gram). Every comment, scored or
not, gets ``p_positive`` from the model.

Quality is measured by 5-fold cross-validation grouped by the comment text (a text never
sits in the training and the test fold at once, so a repeated "Thank you!" cannot inflate
the figure): accuracy and macro-F1 on the held-out folds, on a sample of
:data:`CV_SAMPLE` distinct texts when there are more. Fewer than
:data:`MIN_PER_CLASS` labelled comments of either side: no model (``status`` says why).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

MIN_PER_CLASS = 20
"""Labelled comments needed on each side (negative and positive) before a model is fit."""
MAX_TRAINING = 30_000
"""Distinct labelled texts the model is fit on at most (a stratified sample beyond it):
fitting stays within seconds on 100k comments; more adds little to a char n-gram model."""
FOLDS = 5
CV_SAMPLE = 8_000
"""Distinct labelled texts the cross-validation scores at most (a random sample): the five
extra fits are the analysis's main cost on real, all-distinct feedback (bench/RESULTS.md)."""
NEGATIVE_BELOW, POSITIVE_ABOVE = 1 / 3, 2 / 3
"""``p_positive`` below the first is a negative comment, above the second a positive one."""


def labels_from_scores(
    nps: Sequence[Any], csat: Sequence[Any], ces: Sequence[Any], rating: Sequence[Any] | None = None
) -> np.ndarray:
    """1 positive, 0 negative, -1 no label, per response (NaN/None: the score is missing).

    When a response carries several scores the NPS decides, then CSAT, rating, CES.
    """
    n = len(nps)
    labels = np.full(n, -1, dtype=np.int64)

    def as_array(values: Sequence[Any] | None) -> np.ndarray:
        if values is None:
            return np.full(n, np.nan)
        return np.array([np.nan if v is None else v for v in values], dtype="float64")

    rules = (  # later rules only fill what earlier ones left
        (as_array(nps), 6, 9),
        (as_array(csat), 2, 4),
        (as_array(rating), 2, 4),
        (as_array(ces), 3, 5),
    )
    for score, negative_max, positive_min in reversed(rules):
        labels = np.where(score <= negative_max, 0, labels)
        labels = np.where(score >= positive_min, 1, labels)
    return labels


def sentiment_class(p_positive: float) -> str:
    if p_positive < NEGATIVE_BELOW:
        return "negative"
    if p_positive > POSITIVE_ABOVE:
        return "positive"
    return "neutral"


@dataclass
class SentimentModel:
    """The fitted model and how well it did, or ``status`` saying why there is none."""

    status: str
    """``trained`` or ``too_few_labelled``."""
    labelled: int
    negative: int
    positive: int
    message: str
    accuracy: float | None = None
    macro_f1: float | None = None
    folds: int = 0
    trained_on: int = 0
    _pipeline: Any = field(default=None, repr=False)

    @property
    def trained(self) -> bool:
        return self._pipeline is not None

    def p_positive(self, texts: Sequence[str]) -> np.ndarray:
        """Probability that each comment is positive (NaN for all when untrained)."""
        if self._pipeline is None:
            return np.full(len(texts), np.nan)
        distinct, inverse = np.unique(np.asarray(texts, dtype=object).astype(str),
                                      return_inverse=True)  # fmt: skip
        if len(distinct) == 0:
            return np.zeros(0)
        p = self._pipeline.predict_proba(list(distinct))[:, 1]
        return np.asarray(p[inverse], dtype="float64")

    def as_dict(self) -> dict[str, Any]:
        return {
            "status": self.status, "labelled": self.labelled, "negative": self.negative,
            "positive": self.positive, "message": self.message, "accuracy": self.accuracy,
            "macro_f1": self.macro_f1, "folds": self.folds, "trained_on": self.trained_on,
            "min_per_class": MIN_PER_CLASS,
        }  # fmt: skip


def _pipeline() -> Any:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    return make_pipeline(
        TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), lowercase=True,
                        sublinear_tf=True, min_df=1, max_features=200_000),
        LogisticRegression(C=4.0, max_iter=1000, class_weight="balanced"),
    )


def hashing_pipeline() -> Any:
    """The storable variant (:mod:`kano.analytics.text.stored`): a stateless hashing of the
    same character n-grams instead of a learnt vocabulary, so the fitted model is nothing
    but the regression's coefficients and the vectoriser's fixed parameters."""
    from sklearn.feature_extraction.text import HashingVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    from kano.analytics.text.stored import HASHING

    return make_pipeline(
        HashingVectorizer(**HASHING),
        LogisticRegression(C=4.0, max_iter=1000, class_weight="balanced"),
    )


def train_sentiment(
    texts: Sequence[str], labels: np.ndarray, *, seed: int = 0,
    pipeline: Callable[[], Any] | None = None, cross_validate: bool = True,
) -> SentimentModel:  # fmt: skip
    """Fit on the comments whose label is 0 or 1 and cross-validate (see the module doc).
    ``pipeline`` makes the (unfitted) model; the TF-IDF one by default. Without
    ``cross_validate`` the same model is fit (the CV does not touch it) with no figures."""
    make = pipeline or _pipeline
    from sklearn.metrics import accuracy_score, f1_score
    from sklearn.model_selection import StratifiedGroupKFold

    labels = np.asarray(labels)
    keep = labels >= 0
    text_array = np.asarray(texts, dtype=object).astype(str)[keep]
    y = labels[keep]
    negative, positive = int((y == 0).sum()), int((y == 1).sum())
    common = {"labelled": int(y.size), "negative": negative, "positive": positive}
    if min(negative, positive) < MIN_PER_CLASS:
        return SentimentModel(
            status="too_few_labelled", **common,
            message=f"{negative} negative and {positive} positive scored comments; "
            f"the model needs at least {MIN_PER_CLASS} of each.",
        )  # fmt: skip
    # one row per distinct (text, label), weighted by how often it occurs
    pairs, inverse, counts = np.unique(
        np.char.add(y.astype(str), np.char.add("\x00", text_array.astype(str))),
        return_inverse=True, return_counts=True,
    )  # fmt: skip
    del inverse
    pair_labels = np.array([int(p[0]) for p in pairs])
    pair_texts = np.array([p[2:] for p in pairs], dtype=object)
    rng = np.random.default_rng(seed)
    if len(pairs) > MAX_TRAINING:
        chosen = np.sort(rng.choice(len(pairs), MAX_TRAINING, replace=False,
                                    p=counts / counts.sum()))  # fmt: skip
        pair_labels, pair_texts, counts = pair_labels[chosen], pair_texts[chosen], counts[chosen]
    cv = np.arange(len(pair_labels))
    if len(cv) > CV_SAMPLE:
        cv = np.sort(rng.choice(len(cv), CV_SAMPLE, replace=False))
    cv_labels, cv_texts, cv_counts = pair_labels[cv], pair_texts[cv], counts[cv]
    _, groups = np.unique(cv_texts.astype(str), return_inverse=True)
    folds = min(FOLDS, int(min((cv_labels == 0).sum(), (cv_labels == 1).sum())),
                int(groups.max()) + 1)  # fmt: skip
    accuracy = macro_f1 = None
    if not cross_validate:
        folds = 0
    if folds >= 2:
        predicted = np.empty(len(cv_labels), dtype=np.int64)
        splitter = StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=seed)
        for train, test in splitter.split(cv_texts, cv_labels, groups):
            model = make()
            model.fit(list(cv_texts[train]), cv_labels[train],
                      logisticregression__sample_weight=cv_counts[train])  # fmt: skip
            predicted[test] = model.predict(list(cv_texts[test]))
        accuracy = float(accuracy_score(cv_labels, predicted, sample_weight=cv_counts))
        macro_f1 = float(f1_score(cv_labels, predicted, average="macro",
                                  sample_weight=cv_counts))  # fmt: skip
    fitted = make()
    fitted.fit(list(pair_texts), pair_labels, logisticregression__sample_weight=counts)
    return SentimentModel(
        status="trained", **common, accuracy=accuracy, macro_f1=macro_f1,
        folds=folds if folds >= 2 else 0, trained_on=len(pair_labels), _pipeline=fitted,
        message=f"Trained on {y.size} scored comments ({negative} negative, {positive} "
        "positive).",
    )  # fmt: skip
