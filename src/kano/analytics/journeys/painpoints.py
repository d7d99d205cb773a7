"""Pain points of a journey: per touchpoint, how far its experience falls short and how
much revenue that puts at risk, ranked.

Pure computation on small frames (one row per survey response of the slice), so it can
be checked by hand and runs the same whatever warehouse the rows came from.

* **Score.** Each response is coded on its measure's scale -- NPS as +100 / 0 / -100
  (promoter / passive / detractor, so the mean *is* the NPS), CSAT, CES and ratings as
  answered -- and summarised as mean, n and a normal 95 % interval.
* **Gap.** Against the touchpoint's target when one is set, else against the journey's
  mean for the same measure over the *other* touchpoints (leave-one-out, so a touchpoint
  with most of the answers does not set its own bar). The standardised gap divides by
  the measure's standard deviation in the journey, which makes CSAT, CES and NPS gaps
  comparable.
* **Poor experience** is the catalogue's unhappy answer: NPS <= 6, CSAT, CES or rating
  <= 2 (``unhappy_share`` in ``kano.metrics.catalogue.cx``).
* **Revenue at risk** = revenue in the period of the customers who had a poor experience
  at the touchpoint × their churn uplift: the churn rate (no order in the
  ``CHURN_WINDOW_DAYS`` after the experience) of those customers minus that of the other
  customers who answered at the touchpoint, with a Newcombe hybrid-score interval.
  Customers whose window is not over yet at the end of the data are left out of the rates.
* **Priority** = ½ × the touchpoint's share of the journey's standardised shortfall
  (max(0, −standardised gap) × responses) + ½ × its *demonstrated* revenue at risk as a
  share of the revenue of the journey's respondents. Demonstrated: revenue × the lower
  end of the uplift's interval, counted only when above zero and only at touchpoints
  below their bar. Both parts lie in [0, 1]. The point estimate of revenue at risk is
  noisy (a few big accounts swing it), and churn after poor answers at a touchpoint no
  worse than its peers (a relationship survey, say) says more about the relationship
  than about that touchpoint -- so it is reported but does not rank. Dividing by the
  journey's revenue (not by the sum over touchpoints) keeps a small sum of money from
  weighing as much as the whole shortfall when it is the only one demonstrated.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from statsmodels.stats.proportion import confint_proportions_2indep

MEASURES = ("nps", "csat", "ces", "rating")
POOR_AT_MOST = {"nps": 6, "csat": 2, "ces": 2, "rating": 2}
CHURN_WINDOW_DAYS = 180
Z95 = 1.959963984540054
_WORD = re.compile(r"[^\W\d_]{4,}", re.UNICODE)
# Words that say nothing about what went wrong (EN/RU/HU function words and fillers).
_STOPWORDS = frozenset(
    [
        "this",
        "that",
        "with",
        "were",
        "have",
        "been",
        "from",
        "they",
        "them",
        "there",
        "their",
        "what",
        "when",
        "your",
        "very",
        "again",
        "keeps",
        "happening",
        "thank",
        "thanks",
        "please",
        "just",
        "also",
        "about",
        "would",
        "could",
        "should",
        "still",
        "really",
        "much",
        "more",
        "keep",
        "это",
        "что",
        "как",
        "было",
        "были",
        "очень",
        "снова",
        "опять",
        "спасибо",
        "нам",
        "нас",
        "есть",
        "для",
        "все",
        "всё",
        "при",
        "egy",
        "nem",
        "van",
        "volt",
        "nagyon",
        "ismét",
        "köszönöm",
        "minden",
        "mert",
        "hogy",
    ]
)


@dataclass(frozen=True)
class Interval:
    low: float
    high: float


@dataclass(frozen=True)
class Score:
    """A touchpoint's experience on its measure, and its gap to the bar."""

    measure: str
    mean: float
    n: int
    ci: Interval | None
    bar: float | None
    bar_is_target: bool
    gap: float | None
    standardised_gap: float | None


@dataclass(frozen=True)
class Churn:
    poor_customers: int
    other_customers: int
    poor_rate: float | None
    other_rate: float | None
    uplift: float | None
    uplift_ci: Interval | None


@dataclass(frozen=True)
class PainPoint:
    rank: int
    touchpoint: str
    stage: str
    score: Score
    responses: int
    poor_share: float
    trend: float | None
    """Mean of the later half of the responses minus the earlier half (measure's units)."""
    negative_comment_share: float | None
    themes: tuple[tuple[str, int], ...]
    churn: Churn
    revenue_of_poor: float
    revenue_at_risk: float
    revenue_at_risk_ci: Interval | None
    priority: float


def coded(responses: pd.DataFrame) -> pd.DataFrame:
    """One row per response with its ``measure``, coded ``value`` and ``poor`` flag
    (the first measure answered, in the order NPS, CSAT, CES, rating)."""
    measure = pd.Series(pd.NA, index=responses.index, dtype="object")
    value = pd.Series(np.nan, index=responses.index)
    poor = pd.Series(False, index=responses.index)
    for name in reversed(MEASURES):
        answered = responses[name].notna()
        raw = responses[name].astype("float64")
        measure = measure.mask(answered, name)
        v = np.where(raw >= 9, 100.0, np.where(raw <= 6, -100.0, 0.0)) if name == "nps" else raw
        value = value.mask(answered, pd.Series(v, index=responses.index))
        poor = poor.mask(answered, raw <= POOR_AT_MOST[name])
    out = responses.assign(measure=measure, value=value, poor=poor.astype(bool))
    return out[out["measure"].notna()]


def _mean_ci(values: pd.Series) -> tuple[float, Interval | None]:
    mean = float(values.mean())
    if len(values) < 2:
        return mean, None
    half = Z95 * float(values.std(ddof=1)) / math.sqrt(len(values))
    return mean, Interval(mean - half, mean + half)


def _score(rows: pd.DataFrame, journey: pd.DataFrame, target: float | None) -> Score:
    measure = str(rows["measure"].mode().iloc[0])
    own = rows[rows["measure"] == measure]["value"]
    mean, ci = _mean_ci(own)
    same = journey[journey["measure"] == measure]
    others = same[~same.index.isin(rows.index)]["value"]
    bar = target if target is not None else (float(others.mean()) if len(others) else None)
    sd = float(same["value"].std(ddof=1)) if len(same) > 1 else 0.0
    gap = None if bar is None else mean - bar
    standardised = None if gap is None or sd == 0 else gap / sd
    return Score(measure, mean, len(own), ci, bar, target is not None, gap, standardised)


def _trend(rows: pd.DataFrame, measure: str) -> float | None:
    own = rows[rows["measure"] == measure].sort_values("submitted_at")["value"]
    if len(own) < 4:
        return None
    half = len(own) // 2
    return float(own.iloc[half:].mean() - own.iloc[:half].mean())


def _themes(rows: pd.DataFrame) -> tuple[float | None, tuple[tuple[str, int], ...]]:
    """Share of comments that come with a poor answer, and their most frequent words
    (a simple stand-in until a text module classifies comments)."""
    commented = rows[rows["comment"].fillna("").str.strip() != ""]
    if commented.empty:
        return None, ()
    negative = commented[commented["poor"]]
    words: Counter[str] = Counter()
    for text in negative["comment"]:
        words.update({w for w in (m.lower() for m in _WORD.findall(text)) if w not in _STOPWORDS})
    return len(negative) / len(commented), tuple(words.most_common(5))


def _churn(rows: pd.DataFrame, data_end: pd.Timestamp) -> tuple[Churn, pd.Index]:
    """Churn of customers after a poor experience here against the other customers."""
    window = pd.Timedelta(days=CHURN_WINDOW_DAYS)
    poor_rows = rows[rows["poor"]]
    poor_first = poor_rows.sort_values("submitted_at").groupby("customer_id").head(1)
    other_first = (
        rows[~rows["customer_id"].isin(poor_first["customer_id"])]
        .sort_values("submitted_at")
        .groupby("customer_id")
        .head(1)
    )

    def churned(first: pd.DataFrame) -> pd.Series:
        ripe = first[first["submitted_at"] + window <= data_end]
        gone = ripe["next_order_at"].isna() | (
            ripe["next_order_at"] > ripe["submitted_at"] + window
        )
        return gone

    poor_gone, other_gone = churned(poor_first), churned(other_first)
    n1, n2 = len(poor_gone), len(other_gone)
    c1, c2 = int(poor_gone.sum()), int(other_gone.sum())
    p1 = c1 / n1 if n1 else None
    p2 = c2 / n2 if n2 else None
    uplift = ci = None
    if n1 and n2:
        uplift = c1 / n1 - c2 / n2
        # statsmodels' Newcombe interval: the hybrid-score interval for a difference of
        # two proportions that keeps its coverage when a rate is near 0 (Newcombe 1998).
        low, high = confint_proportions_2indep(c1, n1, c2, n2, method="newcomb")
        ci = Interval(float(low), float(high))
    churn = Churn(n1, n2, p1, p2, uplift, ci)
    return churn, pd.Index(poor_first["customer_id"].unique())


def demonstrated_risk(point: PainPoint) -> float:
    """The revenue at risk that ranks: the interval's lower end, if above zero, at a
    touchpoint that falls short of its bar."""
    ci, gap = point.revenue_at_risk_ci, point.score.gap
    if ci is None or gap is None or gap >= 0:
        return 0.0
    return max(0.0, ci.low)


def rank_pain_points(
    responses: pd.DataFrame,
    revenue_by_customer: Mapping[int, float] | pd.Series,
    data_end: pd.Timestamp,
    targets: Mapping[str, float] | None = None,
) -> list[PainPoint]:
    """Rank the touchpoints of one journey slice, worst first.

    ``responses``: ``customer_id, touchpoint, stage, submitted_at, nps, csat, ces,
    rating, comment, next_order_at`` (the customer's first order after the response, or
    NaT). ``revenue_by_customer``: revenue in the period. ``targets``: per touchpoint,
    a bar on the coded scale of its measure (NPS −100..100, CSAT 1..5 ...).
    """
    journey = coded(responses)
    revenue = pd.Series(revenue_by_customer, dtype="float64")
    drafts: list[tuple[float, PainPoint]] = []
    for (touchpoint, stage), rows in journey.groupby(["touchpoint", "stage"], sort=True):
        score = _score(rows, journey, (targets or {}).get(str(touchpoint)))
        churn, poor_customers = _churn(rows, data_end)
        revenue_poor = float(revenue.reindex(poor_customers).fillna(0.0).sum())
        at_risk = revenue_poor * churn.uplift if churn.uplift is not None else 0.0
        risk_ci = (
            Interval(revenue_poor * churn.uplift_ci.low, revenue_poor * churn.uplift_ci.high)
            if churn.uplift_ci is not None
            else None
        )
        share, themes = _themes(rows)
        shortfall = max(0.0, -(score.standardised_gap or 0.0)) * score.n
        point = PainPoint(
            rank=0,
            touchpoint=str(touchpoint),
            stage=str(stage),
            score=score,
            responses=len(rows),
            poor_share=float(rows["poor"].mean()),
            trend=_trend(rows, score.measure),
            negative_comment_share=share,
            themes=themes,
            churn=churn,
            revenue_of_poor=revenue_poor,
            revenue_at_risk=at_risk,
            revenue_at_risk_ci=risk_ci,
            priority=0.0,
        )
        drafts.append((shortfall, point))
    total_shortfall = sum(shortfall for shortfall, _ in drafts)
    total_risk = float(revenue.reindex(journey["customer_id"].unique()).fillna(0.0).sum())

    def priority(shortfall: float, point: PainPoint) -> float:
        volume_part = shortfall / total_shortfall if total_shortfall else 0.0
        money_part = min(1.0, demonstrated_risk(point) / total_risk) if total_risk > 0 else 0.0
        return 0.5 * volume_part + 0.5 * money_part

    scored = sorted(
        ((priority(s, p), p) for s, p in drafts), key=lambda item: (-item[0], item[1].touchpoint)
    )
    return [
        replace(point, rank=i, priority=value) for i, (value, point) in enumerate(scored, start=1)
    ]
