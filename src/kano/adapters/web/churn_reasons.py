"""A customer's churn reasons as a care manager reads them: each feature by its name in the
page's language, with the risk it adds in percentage points.

The churn analysis writes its reasons as one text (``recency_days (+0.1300); …``, what the
CLI, the API and the exports print); the churn page and customer 360 read it back here, so
both say the same. The QA pass found "delivery_delay_days (+0.00); order_trend (+0.00)" on
a Hungarian customer 360: raw keys, and added risks that all rounded to nothing.
"""

from __future__ import annotations

import re
from typing import NamedTuple

_REASON = re.compile(r"(\w+) \(\+(\d+(?:\.\d+)?)\)")
SHOWN_DIGITS = 1  # points below 10 keep one decimal ("+0.4 pp"); larger ones none


class ChurnReason(NamedTuple):
    feature: str  # the model's feature key, a msgid of the catalogues (value_words.WORDS)
    points: float  # added churn risk in percentage points, rounded to ``digits``
    digits: int  # decimals to show the points with


def churn_reasons(text: str | None) -> list[ChurnReason]:
    """The reasons of one customer that add a visible risk, largest first as stored; an
    effect that would read "+0.0 pp" is left out (it reads as a reason where there is none).
    """
    reasons = []
    for feature, added in _REASON.findall(text or ""):
        points = 100 * float(added)
        digits = SHOWN_DIGITS if points < 10 else 0
        shown = round(points, digits)  # rounded once here, so the page and the filter agree
        if shown > 0:
            reasons.append(ChurnReason(feature, shown, digits))
    return reasons
