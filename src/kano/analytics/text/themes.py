"""Themes of comments: by taxonomy rules, and discovered from the comments themselves.

Rules: a taxonomy (YAML, :data:`DEFAULT_TAXONOMY` for the demo's domain) gives each theme
labels per UI language and regular-expression stems per comment language; a comment has
a theme when one of the patterns of its language matches (a comment of unknown language
is tried with every language's patterns). A comment can have several themes or none.

Discovery: NMF on word TF-IDF of the distinct comments (words of 4+ letters in any
script; words in half the comments or more dropped), each comment assigned to its
strongest component; a topic is labelled by its top terms. It finds what nobody put in the
taxonomy; the labels are words, not names. Function words (English, Russian, Hungarian:
:func:`stop_words`, lists shipped in ``stopwords/``) never name a topic.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from kano.analytics.text.language import LANGUAGES

DEFAULT_TAXONOMY = "taxonomy.yaml"
WORDS = r"(?u)\b[^\W\d_]{4,}\b"
"""Words of 4+ letters in any script: the terms that discovered topics are named by."""
BAG_OF_WORDS = "bag-of-words"
""":attr:`DiscoveredTopic.method` of NMF topics (the optional sentence-embedding back-end,
:mod:`kano.analytics.text.embeddings`, makes the others)."""


@dataclass(frozen=True)
class Theme:
    key: str
    labels: Mapping[str, str]
    patterns: Mapping[str, re.Pattern[str]]
    """Per comment language, all of the theme's patterns joined into one."""

    def label(self, language: str) -> str:
        return self.labels.get(language) or self.labels.get("en") or self.key


@dataclass(frozen=True)
class Taxonomy:
    themes: tuple[Theme, ...]

    def theme_keys(self) -> list[str]:
        return [t.key for t in self.themes]

    def theme(self, key: str) -> Theme | None:
        return next((t for t in self.themes if t.key == key), None)

    def matches(self, texts: Sequence[str], languages: Sequence[str]) -> np.ndarray:
        """Boolean matrix ``len(texts) × len(themes)``; distinct (text, language) once."""
        out = np.zeros((len(texts), len(self.themes)), dtype=bool)
        seen: dict[tuple[str, str], np.ndarray] = {}
        for i, (text, language) in enumerate(zip(texts, languages, strict=True)):
            key = (text or "", language)
            row = seen.get(key)
            if row is None:
                row = np.array([self._match(theme, key[0], language) for theme in self.themes],
                               dtype=bool)  # fmt: skip
                seen[key] = row
            out[i] = row
        return out

    @staticmethod
    def _match(theme: Theme, text: str, language: str) -> bool:
        if not text:
            return False
        tried = [language] if language in theme.patterns else list(theme.patterns)
        return any(theme.patterns[lang].search(text) for lang in tried)


def parse_taxonomy(data: Mapping[str, Any]) -> Taxonomy:
    """A taxonomy from its YAML/JSON shape; ``ValueError`` names the bad theme/field."""
    themes_in = data.get("themes")
    if not isinstance(themes_in, Mapping) or not themes_in:
        raise ValueError("taxonomy: 'themes' must be a non-empty mapping")
    themes = []
    for key, spec in themes_in.items():
        if not isinstance(spec, Mapping) or not isinstance(spec.get("patterns"), Mapping):
            raise ValueError(f"taxonomy: theme {key!r} needs 'patterns' per language")
        compiled: dict[str, re.Pattern[str]] = {}
        for language, patterns in spec["patterns"].items():
            if not isinstance(patterns, list) or not patterns:
                raise ValueError(f"taxonomy: themes.{key}.patterns.{language} must be a list")
            try:
                compiled[str(language)] = re.compile("|".join(f"(?:{p})" for p in patterns),
                                                     re.IGNORECASE)  # fmt: skip
            except re.error as error:
                raise ValueError(f"taxonomy: themes.{key}.patterns.{language}: {error}") from error
        labels = {str(k): str(v) for k, v in (spec.get("labels") or {}).items()}
        themes.append(Theme(key=str(key), labels=labels, patterns=compiled))
    return Taxonomy(tuple(themes))


def load_taxonomy(path: str | Path | None = None) -> Taxonomy:
    """The taxonomy at ``path`` (YAML or JSON), or the shipped default."""
    if path is None:
        return default_taxonomy()
    import yaml

    return parse_taxonomy(yaml.safe_load(Path(path).read_text(encoding="utf-8")))


@lru_cache(maxsize=1)
def default_taxonomy() -> Taxonomy:
    import yaml

    text = resources.files(__package__).joinpath(DEFAULT_TAXONOMY).read_text(encoding="utf-8")
    return parse_taxonomy(yaml.safe_load(text))


STOP_WORDS_FOLDER = "stopwords"
STOP_WORD_LANGUAGES = ("en", "ru", "hu")


@lru_cache(maxsize=1)
def stop_words() -> frozenset[str]:
    """The function words of every language in :data:`STOP_WORD_LANGUAGES` (lower case):
    ``stopwords/<language>.txt``, one word a line, ``#`` starts a comment. Only words a
    topic could be named by (4+ letters, :data:`WORDS`) are kept."""
    folder = resources.files(__package__).joinpath(STOP_WORDS_FOLDER)
    found: set[str] = set()
    for language in STOP_WORD_LANGUAGES:
        text = folder.joinpath(f"{language}.txt").read_text(encoding="utf-8")
        for line in text.splitlines():
            word = line.split("#", 1)[0].strip().lower()
            if word and re.fullmatch(WORDS, word):
                found.add(word)
    return frozenset(found)


@dataclass(frozen=True)
class DiscoveredTopic:
    index: int
    terms: tuple[str, ...]
    method: str = BAG_OF_WORDS
    """``bag-of-words`` or ``embeddings:<model>``."""

    @property
    def label(self) -> str:
        return " · ".join(self.terms[:4])


def discover_topics(
    texts: Sequence[str], *, topics: int = 8, top_terms: int = 6, seed: int = 0
) -> tuple[list[DiscoveredTopic], np.ndarray]:
    """NMF topics of the comments and each comment's topic (-1: empty or too few texts)."""
    from sklearn.decomposition import NMF
    from sklearn.feature_extraction.text import TfidfVectorizer

    assigned = np.full(len(texts), -1, dtype=np.int64)
    array = np.asarray(texts, dtype=object).astype(str)
    distinct, inverse = np.unique(array, return_inverse=True)
    usable = [t for t in distinct if t.strip()]
    if len(usable) < max(2 * topics, 10):
        return [], assigned
    vectorizer = TfidfVectorizer(token_pattern=WORDS, max_df=0.5, min_df=2, sublinear_tf=True,
                                 stop_words=sorted(stop_words()))  # fmt: skip
    try:
        matrix = vectorizer.fit_transform(list(distinct))
    except ValueError:  # nothing left after min_df / max_df
        return [], assigned
    k = min(topics, matrix.shape[1] - 1, matrix.shape[0] - 1)
    if k < 2:
        return [], assigned
    model = NMF(n_components=k, init="nndsvda", random_state=seed, max_iter=400)
    weights = model.fit_transform(matrix)
    vocabulary = np.asarray(vectorizer.get_feature_names_out())
    found = [
        DiscoveredTopic(i, tuple(str(w) for w in vocabulary[np.argsort(-row)[:top_terms]]))
        for i, row in enumerate(model.components_)
    ]
    per_distinct = np.where(weights.max(axis=1) > 0, weights.argmax(axis=1), -1)
    return found, per_distinct[inverse]


__all__ = ["LANGUAGES", "DiscoveredTopic", "Taxonomy", "Theme", "default_taxonomy",
           "discover_topics", "load_taxonomy", "parse_taxonomy", "stop_words"]  # fmt: skip
