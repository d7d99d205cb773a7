"""Sentence-embedding topics vs bag-of-words topics on the demo's comments.

Usage: python bench/text_embeddings.py [SIZE] [--encode N]
  SIZE        demo company size (S, M; default M: ~25k comments)
  --encode N  also time encoding N distinct comments (the demo's texts with an order
              number appended, as real feedback is all distinct)

Needs the ``transformers`` extra. Quality is checked against the generator's planted
topics (``kano.demo.case_stories.comment_topic``: the body each comment was made from),
not against either method's own output: adjusted Rand index, normalised mutual
information and purity of the discovered topics on the English comments, each comment
counted as often as it occurs; comments a method leaves without a topic count as one
more cluster.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq


def purity(truth: np.ndarray, found: np.ndarray) -> float:
    total = 0
    for cluster in np.unique(found):
        _, counts = np.unique(truth[found == cluster], return_counts=True)
        total += int(counts.max())
    return total / len(truth)


def scores(truth: np.ndarray, found: np.ndarray) -> str:
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    return (f"ARI {adjusted_rand_score(truth, found):.3f}, "
            f"NMI {normalized_mutual_info_score(truth, found):.3f}, "
            f"purity {purity(truth, found):.3f}")  # fmt: skip


def main() -> None:
    from kano.analytics.text import analyze_comments
    from kano.analytics.text.embeddings import PACKAGED, EmbeddingBackend, embedding_topics
    from kano.analytics.text.themes import discover_topics
    from kano.demo import generate_company
    from kano.demo.case_stories import comment_topic

    args = sys.argv[1:]
    size = next((a for a in args if not a.startswith("--") and not a.isdigit()), "M")
    encode = int(args[args.index("--encode") + 1]) if "--encode" in args else 0
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "company"
        generate_company(size, 1, out)
        frame = pq.read_table(next(out.rglob("responses*.parquet"))).to_pandas()
    frame = frame[frame["comment"].notna()].reset_index(drop=True)
    frame["touchpoint"] = frame["touchpoint_id"].astype(str)
    frame["segment"] = ""
    backend = EmbeddingBackend(PACKAGED, frozenset({"en"}))

    # 1. the whole analysis, off and on (the model loaded once before, as in a server)
    start = time.perf_counter()
    backend.encode(["warm-up"])
    print(f"model load: {time.perf_counter() - start:.2f} s")
    for setting in ("", PACKAGED):
        os.environ["KANO_TEXT_EMBEDDINGS"] = setting
        steps: list[tuple[str, float]] = []

        def mark(step: str, steps: list[tuple[str, float]] = steps) -> None:
            steps.append((step, time.perf_counter()))

        start = time.perf_counter()
        analysis = analyze_comments(frame, progress=mark)
        total = time.perf_counter() - start
        topics_at = next(t for s, t in steps if s == "topics")
        methods = sorted({t.method for t in analysis.topics})
        print(f"KANO_TEXT_EMBEDDINGS={setting or '(off)'}: {len(frame)} comments "
              f"({frame['comment'].nunique()} distinct), total {total:.2f} s, topics "
              f"{start + total - topics_at:.2f} s, {len(analysis.topics)} topics {methods}")
        for topic in analysis.topics:
            print(f"  {topic.index:2d} [{topic.method}] {topic.label}")
    os.environ.pop("KANO_TEXT_EMBEDDINGS", None)

    # 2. quality on the English comments against the planted topics
    english = frame[frame["language"] == "en"]
    texts = english["comment"].astype(str).tolist()
    truth = np.array([comment_topic(t) or "" for t in texts])
    print(f"English comments: {len(texts)} ({len(set(texts))} distinct), "
          f"{len(set(truth))} planted topics, {int((truth == '').sum())} without one")
    distinct = sorted(set(texts))
    distinct_truth = np.array([comment_topic(t) or "" for t in distinct])
    for k in (8, 10):
        _, words = discover_topics(texts, topics=k)
        start = time.perf_counter()
        _, embedded = embedding_topics(texts, backend, topics=k)
        took = time.perf_counter() - start
        print(f"k={k}, comments: bag-of-words {scores(truth, words)}")
        print(f"k={k}, comments: embeddings   {scores(truth, embedded)} ({took:.2f} s)")
        _, words = discover_topics(distinct, topics=k)
        _, embedded = embedding_topics(distinct, backend, topics=k)
        print(f"k={k}, distinct: bag-of-words {scores(distinct_truth, words)}")
        print(f"k={k}, distinct: embeddings   {scores(distinct_truth, embedded)}")

    # 3. encoding throughput on distinct texts
    if encode:
        texts = [f"{c} #{i}" for i, c in enumerate(frame["comment"].astype(str).tolist())]
        texts = (texts * (encode // max(len(texts), 1) + 1))[:encode]
        start, cpu = time.perf_counter(), time.process_time()
        backend.encode(texts)
        wall, cpu = time.perf_counter() - start, time.process_time() - cpu
        print(f"encode {len(texts)} distinct comments: {wall:.1f} s wall, {cpu:.1f} s CPU "
              f"({len(texts) / wall:.0f}/s), load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
