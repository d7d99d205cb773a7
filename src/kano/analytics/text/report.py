"""What the Themes page, the API and the CLI show of a workspace's comments, for one
grouping: a :class:`TextReport`, built from an analysis in memory
(:func:`report_from_analysis`) or from the analysis stored in the warehouse
(:func:`kano.analytics.text.stored_results.report_from_store`), with its
:class:`Freshness` (where the figures come from, what they miss)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

import pandas as pd

from kano.analytics.text.analysis import (
    GroupBy,
    TextAnalysis,
    ThemeRow,
    negative_order,
    theme_summary,
)
from kano.analytics.text.sentiment import MIN_PER_CLASS, SentimentModel
from kano.analytics.text.themes import DiscoveredTopic, Taxonomy

EXAMPLES = 3
"""Example comments per ranked (group, theme)."""
EXAMPLE_THEMES = 10
"""Ranked (group, theme) pairs that get examples."""


@dataclass(frozen=True)
class ModelFigures:
    """What the sentiment model reports about itself (no fitted pipeline)."""

    status: str
    labelled: int
    negative: int
    positive: int
    message: str
    accuracy: float | None = None
    macro_f1: float | None = None
    folds: int = 0
    trained_on: int = 0

    @property
    def trained(self) -> bool:
        return self.status == "trained"

    @classmethod
    def of(cls, model: SentimentModel) -> ModelFigures:
        return cls(status=model.status, labelled=model.labelled, negative=model.negative,
                   positive=model.positive, message=model.message, accuracy=model.accuracy,
                   macro_f1=model.macro_f1, folds=model.folds,
                   trained_on=model.trained_on)  # fmt: skip

    @classmethod
    def from_json(cls, text: str) -> ModelFigures:
        data = json.loads(text)
        return cls(**{k: data[k] for k in cls.__dataclass_fields__ if k in data})

    def as_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "min_per_class": MIN_PER_CLASS}


@dataclass(frozen=True)
class TopicCount:
    topic: DiscoveredTopic
    comments: int

    @property
    def index(self) -> int:
        return self.topic.index

    @property
    def terms(self) -> tuple[str, ...]:
        return self.topic.terms

    @property
    def label(self) -> str:
        return self.topic.label

    @property
    def method(self) -> str:
        return self.topic.method


@dataclass(frozen=True)
class Freshness:
    """Where a report's figures come from and what they miss."""

    source: Literal["stored", "computed"]
    analysed_at: datetime | None = None
    not_analysed: int = 0
    """Commented responses in the warehouse the stored analysis has not read (new ones, or
    their comment changed)."""
    no_longer_present: int = 0
    """Analysed comments whose response left the warehouse or changed its comment."""
    outdated: str | None = None
    """``method`` or ``taxonomy`` when that changed since the analysis, else None."""

    @property
    def current(self) -> bool:
        return self.not_analysed == 0 and self.no_longer_present == 0 and self.outdated is None


@dataclass
class TextReport:
    """Everything the Themes page, the API and the CLI show for one grouping."""

    by: GroupBy | None
    comments: int
    languages: dict[str, int]
    model: ModelFigures
    taxonomy: Taxonomy
    themes: list[ThemeRow]
    ranking: list[ThemeRow]
    """(group, theme) with negative comments, most first (``negative_themes``' order)."""
    distribution: list[dict[str, Any]]
    topics: list[TopicCount]
    examples: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    """Up to ``EXAMPLES`` distinct negative comments for the first ``EXAMPLE_THEMES``
    ranked pairs, first answered first."""
    freshness: Freshness = field(default_factory=lambda: Freshness("computed"))


def report_from_analysis(
    analysis: TextAnalysis, by: GroupBy | None, *, freshness: Freshness | None = None
) -> TextReport:
    frame = analysis.comments
    themes = theme_summary(analysis, by)
    ranking = negative_order(themes)
    examples = {}
    for r in ranking[:EXAMPLE_THEMES]:
        mask = frame[f"theme:{r.theme}"] & (frame["sentiment"] == "negative")
        if by:
            mask &= frame[by] == r.group
        examples[(r.group, r.theme)] = (
            frame.loc[mask, "comment"].drop_duplicates().head(EXAMPLES).tolist()
        )
    counts = frame["topic"].value_counts() if "topic" in frame else pd.Series(dtype=int)
    return TextReport(
        by=by, comments=len(frame), languages=analysis.languages(),
        model=ModelFigures.of(analysis.model), taxonomy=analysis.taxonomy, themes=themes,
        ranking=ranking, distribution=analysis.sentiment_distribution(by),
        topics=[TopicCount(t, int(counts.get(t.index, 0))) for t in analysis.topics],
        examples=examples, freshness=freshness or Freshness("computed"),
    )  # fmt: skip
