"""Themes by the default taxonomy and discovered, and their roll-ups per touchpoint."""

from __future__ import annotations

import pytest

from kano.analytics.text import analyze_comments, default_taxonomy, negative_themes, theme_summary
from kano.analytics.text.themes import discover_topics, parse_taxonomy
from tests.unit.text.comments import demo_comments

# the taxonomy theme every demo topic's comments must carry
EXPECTED = {"delivery_late": "lateness", "delivery_handling": "quality", "support_slow": "support",
            "support_unresolved": "support", "web": "web", "store": "store",
            "onboarding": "onboarding"}  # fmt: skip


@pytest.mark.parametrize("topic", sorted(EXPECTED))
def test_default_taxonomy_finds_the_demo_topics_in_all_three_languages(topic: str) -> None:
    frame = demo_comments()
    part = frame[frame["topic_key"] == topic]
    taxonomy = default_taxonomy()
    column = taxonomy.theme_keys().index(EXPECTED[topic])

    found = taxonomy.matches(part["comment"].tolist(), part["true_language"].tolist())

    # Some demo texts name no theme at all ("In and out in five minutes."): a rule cannot
    # and should not guess those; the rest it must find, in every language.
    for language, rows in part.groupby("true_language"):
        hit = found[part.index.get_indexer(rows.index), column]
        assert hit.mean() >= 0.6, (language, rows[~hit]["comment"].tolist())


def test_a_theme_is_labelled_in_each_ui_language() -> None:
    for theme in default_taxonomy().themes:
        assert set(theme.labels) >= {"en", "ru", "hu"}, theme.key
        assert set(theme.patterns) >= {"en", "ru", "hu"}, theme.key


def test_a_bad_taxonomy_names_the_theme_and_language() -> None:
    with pytest.raises(ValueError, match=r"themes.price.patterns.en"):
        parse_taxonomy({"themes": {"price": {"patterns": {"en": ["(unclosed"]}}}})
    with pytest.raises(ValueError, match="'themes'"):
        parse_taxonomy({})


def test_discovered_topics_separate_the_languages_and_label_with_words() -> None:
    frame = demo_comments()

    topics, assigned = discover_topics(frame["comment"].tolist(), topics=6)

    assert len(topics) == 6 and all(len(t.terms) == 6 for t in topics)
    assert (assigned >= 0).mean() > 0.9
    # a topic's comments are mostly of one language
    frame["topic"] = assigned
    purity = frame[frame["topic"] >= 0].groupby("topic")["true_language"].agg(
        lambda s: s.value_counts(normalize=True).iloc[0])
    assert purity.min() > 0.8


def test_summary_per_touchpoint_counts_share_sentiment_and_nps_impact() -> None:
    frame = demo_comments()
    analysis = analyze_comments(frame)

    rows = {(r.group, r.theme): r for r in theme_summary(analysis, "touchpoint")}

    for touchpoint, part in frame.groupby("touchpoint"):
        row = rows[(touchpoint, "lateness")]
        mask = analysis.comments.loc[part.index, "theme:lateness"]
        assert row.comments == len(part) and row.n == int(mask.sum())
        assert row.share == pytest.approx(mask.mean())
        with_nps = part.loc[mask, "nps"]
        if len(with_nps):
            expected = 100 * ((with_nps >= 9).mean() - (with_nps <= 6).mean())
            assert row.nps_with == pytest.approx(expected) and row.n_nps_with == len(with_nps)
    overall = {r.theme: r for r in theme_summary(analysis)}
    assert overall["lateness"].impact is not None and overall["lateness"].impact < -50
    assert overall["lateness"].mean_sentiment is not None
    assert overall["lateness"].mean_sentiment < -0.5


def test_negative_themes_rank_the_most_complained_about_first() -> None:
    analysis = analyze_comments(demo_comments())

    ranking = negative_themes(analysis)

    assert [r.negative for r in ranking] == sorted((r.negative for r in ranking), reverse=True)
    assert ranking[0].negative > 0
    assert {r.theme for r in ranking[:3]} & {"delivery", "lateness", "support"}
