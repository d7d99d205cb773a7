"""A sentiment model trained as a workspace's own would be: the demo's EN/RU/HU comments
with their scores, and short English complaints and praise (NPS 2 and 10) of the kind the
case-rule tests send. Trained once per test process (a few seconds)."""

from __future__ import annotations

from functools import cache
from typing import Any

import numpy as np

from kano.analytics.text.sentiment import labels_from_scores
from kano.analytics.text.stored import train_storable
from tests.unit.text.comments import demo_comments

COMPLAINTS = (
    "Terrible experience, never again.", "Awful service, never coming back.",
    "Terrible support, I will never order again.", "Horrible delivery, never again!",
    "Worst service ever.", "Terrible. Rude staff and late again.", "Never again, awful.",
    "Dreadful, the worst order I ever placed.", "Terrible quality, never buying again.",
    "Awful, terrible, a waste of money.",
)  # fmt: skip
PRAISE = (
    "Great service, thank you!", "Great support and a friendly team.", "Excellent service.",
    "Great delivery, right on time.", "Lovely staff, great service.", "Great, thanks a lot!",
    "Superb service as always.", "Great experience, will order again.",
    "Very helpful and great service.", "Great job, everything perfect.",
)  # fmt: skip


def training_frame() -> tuple[list[str], list[Any]]:
    frame = demo_comments()
    texts = frame["comment"].tolist() + [*COMPLAINTS, *PRAISE] * 3
    nps = frame["nps"].tolist() + ([2] * len(COMPLAINTS) + [10] * len(PRAISE)) * 3
    return texts, nps


@cache
def trained_model() -> Any:
    """The in-memory :class:`SentimentModel` (hashing pipeline)."""
    texts, nps = training_frame()
    none = [None] * len(nps)
    return train_storable(texts, np.asarray(labels_from_scores(nps, none, none, none)))
