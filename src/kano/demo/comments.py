"""Open-text comments in English, Russian and Hungarian that fit the score they come with.

A comment is a *body* (what happened: a late delivery, slow support, an easy reorder ...)
plus a *closer* of the same sentiment. All combinations are built once into one Arrow
dictionary; a response picks its comment with a numpy index, so millions of comments cost
an int32 each. Low scores get negative texts about the response's topic (a late delivery
when the order really was late, damaged goods when it had defects, slow support when the
first response really was slow), high scores positive ones.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from kano.demo.arrays import FloatArray, IntArray
from kano.demo.comment_texts import BODIES, CLOSERS
from kano.demo.company import LANGUAGES
from kano.demo.schema import vocabulary

SENTIMENTS = ("negative", "neutral", "positive")
NEGATIVE, NEUTRAL, POSITIVE = range(3)
TOPICS = (
    "delivery_late",
    "delivery_handling",
    "delivery",
    "support_slow",
    "support_unresolved",
    "support",
    "web",
    "store",
    "onboarding",
    "relationship",
)
(
    DELIVERY_LATE,
    DELIVERY_HANDLING,
    DELIVERY,
    SUPPORT_SLOW,
    SUPPORT_UNRESOLVED,
    SUPPORT,
    WEB,
    STORE,
    ONBOARDING,
    RELATIONSHIP,
) = range(len(TOPICS))
# a problem topic borrows the neutral and positive bodies of its family
_FAMILY = {
    "delivery_late": "delivery",
    "delivery_handling": "delivery",
    "support_slow": "support",
    "support_unresolved": "support",
}


def _bodies(language: str, topic: str, sentiment: int) -> tuple[str, ...]:
    own = BODIES[language][topic]
    if sentiment < len(own):
        return own[sentiment]
    return BODIES[language][_FAMILY[topic]][sentiment]


def _build() -> tuple[pa.Array, IntArray, IntArray]:
    texts: list[str] = []
    shape = (len(LANGUAGES), len(TOPICS), len(SENTIMENTS))
    offsets = np.zeros(shape, dtype=np.int64)
    sizes = np.zeros(shape, dtype=np.int64)
    for li, language in enumerate(LANGUAGES):
        for ti, topic in enumerate(TOPICS):
            for si in range(len(SENTIMENTS)):
                offsets[li, ti, si] = len(texts)
                texts += [
                    b + c for b in _bodies(language, topic, si) for c in CLOSERS[language][si]
                ]
                sizes[li, ti, si] = len(texts) - offsets[li, ti, si]
    return vocabulary(texts), offsets, sizes


COMMENT_TEXTS, _OFFSETS, _SIZES = _build()


def comment_positions(
    pick: FloatArray, language: IntArray, topic: IntArray, sentiment: IntArray
) -> IntArray:
    """Index into :data:`COMMENT_TEXTS` for each response; ``pick`` is uniform in [0, 1)."""
    offsets = _OFFSETS[language, topic, sentiment]
    sizes = _SIZES[language, topic, sentiment]
    return offsets + np.minimum((pick * sizes).astype(np.int64), sizes - 1)


def sentiment_of(nps: IntArray, csat: IntArray, ces: IntArray, rating: IntArray) -> IntArray:
    """Sentiment of a response from whichever score it has (-1 marks a missing score).

    NPS 0-6 / 7-8 / 9-10, CSAT and rating 1-2 / 3 / 4-5, CES (1-7, higher is easier)
    1-3 / 4 / 5-7.
    """
    sentiment = np.full(nps.size, NEUTRAL, dtype=np.int64)
    five_point = np.where(csat >= 0, csat, rating)
    sentiment[(nps >= 0) & (nps <= 6)] = NEGATIVE
    sentiment[nps >= 9] = POSITIVE
    sentiment[(five_point >= 1) & (five_point <= 2)] = NEGATIVE
    sentiment[five_point >= 4] = POSITIVE
    sentiment[(ces >= 1) & (ces <= 3)] = NEGATIVE
    sentiment[ces >= 5] = POSITIVE
    return sentiment
