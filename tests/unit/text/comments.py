"""Comment frames built from the demo generator's EN/RU/HU texts, with the score each
sentiment gets in the demo (negative NPS 3, neutral 8, positive 10)."""

from __future__ import annotations

import pandas as pd

from kano.demo.comment_texts import BODIES, CLOSERS
from kano.demo.comments import TOPICS, _bodies

SCORE = {0: 3, 1: 8, 2: 10}


def demo_comments(languages: tuple[str, ...] = ("en", "ru", "hu"), *, with_language: bool = False,
                  repeat: int = 1) -> pd.DataFrame:
    rows = []
    for language in languages:
        for ti, topic in enumerate(TOPICS):
            for sentiment in range(3):
                if sentiment >= len(BODIES[language][topic]):
                    continue  # a problem topic: its family has the other bodies
                for body in _bodies(language, topic, sentiment):
                    for closer in CLOSERS[language][sentiment]:
                        rows.append({
                            "response_id": len(rows) + 1,
                            "touchpoint": ("delivery", "support", "web")[ti % 3],
                            "segment": ("smb", "enterprise")[len(rows) % 2],
                            "nps": SCORE[sentiment], "csat": None, "ces": None, "rating": None,
                            "comment": body + closer,
                            "language": language if with_language else None,
                            "truth": sentiment, "true_language": language, "topic_key": topic,
                        })  # fmt: skip
    frame = pd.DataFrame(rows * repeat)
    frame["response_id"] = range(1, len(frame) + 1)
    return frame
