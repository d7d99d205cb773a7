"""One workspace's comments analysed: language, sentiment, themes, and their roll-ups.

:func:`analyze_comments` takes the frame of :func:`kano.analytics.text.inputs.load_comments`
(or any frame with its columns) and returns a :class:`TextAnalysis`: one row per comment
plus the sentiment model and the discovered topics. :func:`theme_summary` rolls it up per
touchpoint or segment: for each theme the share of comments mentioning it, their mean
sentiment (−1 … 1, from the model's ``2·p_positive − 1``), and the NPS of the responses
mentioning it against those that do not (the theme's *impact*, in NPS points, with its
95 % interval: the two groups are independent samples, so the NPS variances add), each
with its n. :func:`negative_themes` ranks the themes by how many comments are negative about
them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from kano.analytics.text.embeddings import find_topics
from kano.analytics.text.language import detect_languages
from kano.analytics.text.sentiment import (
    NEGATIVE_BELOW,
    POSITIVE_ABOVE,
    SentimentModel,
    labels_from_scores,
    train_sentiment,
)
from kano.analytics.text.themes import DiscoveredTopic, Taxonomy, default_taxonomy
from kano.metrics.intervals import net_score_difference

GroupBy = Literal["touchpoint", "segment"]
Progress = Callable[[str], None]


@dataclass
class TextAnalysis:
    comments: pd.DataFrame
    """Input columns plus ``detected_language``, ``label`` (-1/0/1 from the score),
    ``p_positive``, ``sentiment`` (negative/neutral/positive or empty when no model),
    ``topic`` (discovered, -1 none) and one boolean ``theme:<key>`` column per theme."""
    model: SentimentModel
    taxonomy: Taxonomy
    topics: list[DiscoveredTopic] = field(default_factory=list)

    def theme_columns(self) -> list[str]:
        return [f"theme:{key}" for key in self.taxonomy.theme_keys()]

    def themes_of(self, row: pd.Series) -> list[str]:
        return [key for key in self.taxonomy.theme_keys() if bool(row[f"theme:{key}"])]

    def languages(self) -> dict[str, int]:
        counts = self.comments["detected_language"].value_counts()
        return {str(k): int(v) for k, v in counts.items()}

    def sentiment_distribution(self, by: GroupBy | None = None) -> list[dict[str, Any]]:
        frame = self.comments
        keys = frame[by] if by else pd.Series("", index=frame.index)
        rows = []
        for group, part in frame.groupby(keys, sort=True):
            counts = part["sentiment"].value_counts()
            rows.append({"group": str(group), "n": len(part),
                         **{s: int(counts.get(s, 0)) for s in ("negative", "neutral", "positive")},
                         "mean_sentiment": _mean_sentiment(part)})  # fmt: skip
        return rows


def _mean_sentiment(part: pd.DataFrame) -> float | None:
    p = part["p_positive"].dropna()
    return None if p.empty else float(2 * p.mean() - 1)


def _nps(scores: pd.Series) -> tuple[float | None, int]:
    s = scores.dropna()
    if s.empty:
        return None, 0
    return float(100 * ((s >= 9).mean() - (s <= 6).mean())), len(s)


def _counts(scores: pd.Series) -> tuple[int, int, int]:
    """(promoters, detractors, n) of the scores given."""
    s = scores.dropna()
    return int((s >= 9).sum()), int((s <= 6).sum()), len(s)


def impact_interval(
    with_theme: tuple[int, int, int], without: tuple[int, int, int]
) -> tuple[float | None, float | None]:
    """The 95 % interval of a theme's impact, NPS with − NPS without, from each side's
    (promoters, detractors, n): two independent samples, Var = Var₁ + Var₂
    (:func:`kano.metrics.intervals.net_score_difference`); (None, None) when a side is
    empty."""
    estimate = net_score_difference(with_theme, without)
    return estimate.low, estimate.high


def analyze_comments(
    frame: pd.DataFrame,
    *,
    taxonomy: Taxonomy | None = None,
    topics: int = 8,
    progress: Progress | None = None,
    train: Callable[[list[str], np.ndarray], SentimentModel] | None = None,
) -> TextAnalysis:
    """Language, sentiment (model trained on ``frame``'s scored comments), themes, topics.
    ``train`` replaces :func:`train_sentiment` (e.g. one that reuses known CV figures)."""
    say = progress or (lambda _step: None)
    taxonomy = taxonomy or default_taxonomy()
    comments = frame.reset_index(drop=True).copy()
    texts = comments["comment"].fillna("").astype(str).tolist()
    say("language")
    known = comments["language"].tolist() if "language" in comments else None
    comments["detected_language"] = detect_languages(texts, known)
    say("sentiment")

    def column(name: str) -> list[Any]:
        if name not in comments:
            return [None] * len(comments)
        return comments[name].astype("float64").tolist()

    labels = labels_from_scores(column("nps"), column("csat"), column("ces"), column("rating"))
    comments["label"] = labels
    model = (train or train_sentiment)(texts, labels)
    p = model.p_positive(texts)
    comments["p_positive"] = p
    comments["sentiment"] = np.select(
        [np.isnan(p), p < NEGATIVE_BELOW, p > POSITIVE_ABOVE],
        ["", "negative", "positive"], "neutral",
    )  # fmt: skip
    say("themes")
    matches = taxonomy.matches(texts, comments["detected_language"].tolist())
    for j, key in enumerate(taxonomy.theme_keys()):
        comments[f"theme:{key}"] = matches[:, j]
    say("topics")
    # bag-of-words unless KANO_TEXT_EMBEDDINGS asks for the sentence-embedding back-end
    found, assigned = find_topics(texts, comments["detected_language"].tolist(), topics=topics)
    comments["topic"] = assigned
    return TextAnalysis(comments=comments, model=model, taxonomy=taxonomy, topics=found)


@dataclass(frozen=True)
class ThemeRow:
    group: str
    """The touchpoint or segment key ('' for all comments, or when it is unknown)."""
    theme: str
    comments: int
    """Comments in the group."""
    n: int
    """Comments in the group mentioning the theme."""
    share: float
    negative: int
    """Of those, how many the model calls negative."""
    mean_sentiment: float | None
    nps_with: float | None
    n_nps_with: int
    nps_without: float | None
    n_nps_without: int
    impact: float | None
    """``nps_with − nps_without`` (NPS points); None when either side has no NPS."""
    impact_ci_low: float | None = None
    impact_ci_high: float | None = None
    """The impact's 95 % interval (:func:`impact_interval`)."""

    @property
    def impact_significant(self) -> bool:
        """The impact's interval excludes 0."""
        return (self.impact_ci_low is not None and self.impact_ci_high is not None
                and (self.impact_ci_low > 0 or self.impact_ci_high < 0))  # fmt: skip

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def theme_summary(analysis: TextAnalysis, by: GroupBy | None = None) -> list[ThemeRow]:
    """One row per (group, theme), groups sorted, themes in taxonomy order."""
    frame = analysis.comments
    keys = frame[by] if by else pd.Series("", index=frame.index)
    rows = []
    for group, part in frame.groupby(keys, sort=True):
        for key in analysis.taxonomy.theme_keys():
            mask = part[f"theme:{key}"].to_numpy(dtype=bool)
            with_theme, without = part[mask], part[~mask]
            nps_with, n_with = _nps(with_theme["nps"]) if "nps" in part else (None, 0)
            nps_without, n_without = _nps(without["nps"]) if "nps" in part else (None, 0)
            low, high = (impact_interval(_counts(with_theme["nps"]), _counts(without["nps"]))
                         if "nps" in part else (None, None))  # fmt: skip
            rows.append(ThemeRow(
                group=str(group), theme=key, comments=len(part), n=int(mask.sum()),
                share=float(mask.mean()) if len(part) else 0.0,
                negative=int((with_theme["sentiment"] == "negative").sum()),
                mean_sentiment=_mean_sentiment(with_theme),
                nps_with=nps_with, n_nps_with=n_with, nps_without=nps_without,
                n_nps_without=n_without,
                impact=None if nps_with is None or nps_without is None
                else nps_with - nps_without, impact_ci_low=low, impact_ci_high=high,
            ))  # fmt: skip
    return rows


def negative_themes(analysis: TextAnalysis, by: GroupBy | None = None) -> list[ThemeRow]:
    """The themes (per group) with negative comments, most negative comments first, then
    the larger NPS gap."""
    return negative_order(theme_summary(analysis, by))


def negative_order(rows: list[ThemeRow]) -> list[ThemeRow]:
    """The rows with negative comments in :func:`negative_themes`' order."""
    return sorted([r for r in rows if r.negative > 0],
                  key=lambda r: (-r.negative, r.impact if r.impact is not None else 0.0,
                                 r.group, r.theme))  # fmt: skip


@dataclass(frozen=True)
class CommentReading:
    """One comment read with a workspace's analysis (its model and taxonomy)."""

    language: str
    p_positive: float | None
    sentiment: str
    label: str
    themes: list[str]


def read_comment(
    analysis: TextAnalysis, comment: str, *, language: str | None = None,
    nps: float | None = None, csat: float | None = None, ces: float | None = None,
    rating: float | None = None,
) -> CommentReading:
    """A comment that is not among the analysed ones (a response that reached the app
    database after the last warehouse load) read with the same model and taxonomy."""
    detected = detect_languages([comment], [language])[0]
    p = float(analysis.model.p_positive([comment])[0])
    label = int(labels_from_scores([nps], [csat], [ces], [rating])[0])
    found = analysis.taxonomy.matches([comment], [detected])[0]
    return CommentReading(
        language=detected, p_positive=None if np.isnan(p) else p,
        sentiment="" if np.isnan(p) else ("negative" if p < NEGATIVE_BELOW else
                                          "positive" if p > POSITIVE_ABOVE else "neutral"),
        label={0: "negative", 1: "positive"}.get(label, ""),
        themes=[k for k, hit in zip(analysis.taxonomy.theme_keys(), found, strict=True) if hit],
    )  # fmt: skip
