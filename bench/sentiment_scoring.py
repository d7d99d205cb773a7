"""Score the demo's comments with a stored sentiment model, as a case rule of kind
``sentiment`` does at intake: sklearn's ``HashingVectorizer`` (the baseline) against
:func:`kano.analytics.text.stored.hashed_features`, in batches of 1,000 as the bulk API
sends them, the same process and comments.

Usage: python bench/sentiment_scoring.py [SIZE]  (demo size, default M: ~25k comments)

For each batch: sklearn; ours meeting the batch (its new words hashed, earlier batches'
kept), as a running server does; ours again with every word kept.
Each comment gets an order number (" #1234"): real comments are distinct and carry words
never seen before, which the word cache cannot spare (the demo's are templates).
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq


def main() -> None:
    from sklearn.feature_extraction.text import HashingVectorizer

    from kano.analytics.text import stored
    from kano.analytics.text.sentiment import labels_from_scores
    from kano.demo import generate_company

    size = sys.argv[1] if len(sys.argv) > 1 else "M"
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "company"
        generate_company(size, 1, out)
        frame = pq.read_table(next(out.rglob("responses*.parquet"))).to_pandas()
    frame = frame[frame["comment"].notna()].reset_index(drop=True)
    texts = (frame["comment"] + " #" + frame.index.astype(str)).tolist()
    none = [None] * len(frame)
    labels = np.asarray(labels_from_scores(frame["nps"].tolist(), none, none, none))
    model = stored.storable(stored.train_storable(texts, labels))
    assert model is not None
    params = dict(model.vectorizer)
    params["ngram_range"] = tuple(params["ngram_range"])
    batches = [texts[start : start + 1000] for start in range(0, len(texts), 1000)]

    def baseline(batch: list[str]) -> np.ndarray:
        return np.asarray(HashingVectorizer(**params).transform(batch) @ model.coefficients)

    def ours(batch: list[str]) -> np.ndarray:
        return np.asarray(stored.hashed_features(model.vectorizer, batch) @ model.coefficients)

    stored._word_features.clear()
    names = ("sklearn", "kano, new words", "kano, words known")
    timings = dict.fromkeys(names, 0.0)
    # Interleaved batch by batch, so that a change of load on a shared machine hits all
    # three alike: sklearn, then ours meeting the batch (its new words hashed, the words of
    # earlier batches kept), then ours again (every word kept).
    for batch in batches:
        results = []
        for name, score in zip(names, (baseline, ours, ours), strict=True):
            started = time.perf_counter()
            results.append(score(batch))
            timings[name] += time.perf_counter() - started
        for result in results[1:]:
            np.testing.assert_allclose(result, results[0])
    per = {name: seconds / len(texts) * 1e6 for name, seconds in timings.items()}
    print(
        f"{len(texts):,} comments ({len(set(texts)):,} distinct), batches of 1,000: "
        + "; ".join(f"{name} {micro:.1f} µs a comment" for name, micro in per.items())
        + f"; sklearn / kano = {per['sklearn'] / per['kano, new words']:.1f}x "
        f"(words known {per['sklearn'] / per['kano, words known']:.1f}x); "
        f"{len(stored._word_features and next(iter(stored._word_features.values()))):,} "
        "words kept"
    )


if __name__ == "__main__":
    main()
