"""The language of a comment: English, Russian, Hungarian or ``unknown``.

Uses lingua-language-detector (Rust core, its n-gram models ship inside the wheel: it runs
offline, loads in about a millisecond for three languages and labels ~20,000 short
comments a second on two cores here; the wheel is ~96 MB). We chose it over ``langdetect``
(unmaintained since 2021, random without a fixed seed) and over a classifier of our own
(it would have to be trained on text we ship, and our only multilingual text is the demo's
templates, which would make it look better than it is). lingua is restricted to the
languages Kano has UI texts for, so a comment is never labelled, say, Ukrainian; a comment
the detector cannot tell apart (empty, digits, one short word) is ``unknown``.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

LANGUAGES = ("en", "ru", "hu")
UNKNOWN = "unknown"
# A detection is kept only when the best language beats the runner-up by this much
# (lingua's relative distance); "ok" or "5" stay unknown instead of a coin toss.
_MINIMUM_DISTANCE = 0.1


@lru_cache(maxsize=1)
def _detector() -> Any:
    from lingua import Language, LanguageDetectorBuilder

    return (
        LanguageDetectorBuilder.from_languages(Language.ENGLISH, Language.RUSSIAN,
                                               Language.HUNGARIAN)
        .with_minimum_relative_distance(_MINIMUM_DISTANCE)
        .build()
    )


def _code(language: Any) -> str:
    if language is None:
        return UNKNOWN
    code = str(language.iso_code_639_1.name).lower()
    return code if code in LANGUAGES else UNKNOWN


def detect_language(text: str) -> str:
    """``en``, ``ru``, ``hu`` or ``unknown`` for one comment."""
    if not text or not any(ch.isalpha() for ch in text):
        return UNKNOWN
    return _code(_detector().detect_language_of(text))


def detect_languages(texts: Sequence[str], known: Sequence[str | None] | None = None) -> list[str]:
    """The language of each comment; where ``known`` gives one of ours it is kept.

    Distinct texts are detected once (feedback repeats itself: "Thank you!"), in parallel.
    """
    result: list[str | None] = [None] * len(texts)
    if known is not None:
        for i, given in enumerate(known):
            code = given.strip().lower()[:2] if isinstance(given, str) else ""  # NaN: none
            if code in LANGUAGES:
                result[i] = code
    todo = sorted({t for t, r in zip(texts, result, strict=True) if r is None and t})
    letters = [t for t in todo if any(ch.isalpha() for ch in t)]
    found = dict.fromkeys(todo, UNKNOWN)
    if letters:
        found.update(zip(letters, map(_code, _detector().detect_languages_in_parallel_of(letters)),
                         strict=True))  # fmt: skip
    return [r if r is not None else found.get(t, UNKNOWN) for t, r in zip(texts, result,
                                                                        strict=True)]
