"""Text analytics (SPEC §2.11): language, sentiment trained on the workspace's own scored
feedback, themes by taxonomy rules and discovered, rolled up per touchpoint and segment.

Pure: pandas/numpy here, scikit-learn and lingua imported inside the functions that use
them (the app's start-up must not pay for them)."""

from kano.analytics.text.analysis import (
    TextAnalysis,
    ThemeRow,
    analyze_comments,
    negative_themes,
    theme_summary,
)
from kano.analytics.text.language import LANGUAGES, UNKNOWN, detect_language, detect_languages
from kano.analytics.text.sentiment import (
    MIN_PER_CLASS,
    SentimentModel,
    labels_from_scores,
    train_sentiment,
)
from kano.analytics.text.themes import Taxonomy, default_taxonomy, discover_topics, load_taxonomy

__all__ = [
    "LANGUAGES", "MIN_PER_CLASS", "UNKNOWN", "SentimentModel", "Taxonomy", "TextAnalysis",
    "ThemeRow", "analyze_comments", "default_taxonomy", "detect_language", "detect_languages",
    "discover_topics", "labels_from_scores", "load_taxonomy", "negative_themes",
    "theme_summary", "train_sentiment",
]  # fmt: skip
