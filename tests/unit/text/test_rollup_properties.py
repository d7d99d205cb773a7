"""Hypothesis: the score bands and the theme roll-up hold for any data."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from kano.analytics.text import default_taxonomy, labels_from_scores, theme_summary
from kano.analytics.text.analysis import TextAnalysis
from kano.analytics.text.sentiment import SentimentModel

_NO_MODEL = SentimentModel(status="too_few_labelled", labelled=0, negative=0, positive=0,
                           message="")  # fmt: skip


@given(st.integers(0, 10))
def test_an_nps_score_is_negative_up_to_6_positive_from_9(score: int) -> None:
    label = labels_from_scores([score], [None], [None]).tolist()[0]
    assert label == (0 if score <= 6 else 1 if score >= 9 else -1)


@given(st.integers(1, 7))
def test_a_ces_score_is_negative_up_to_3_positive_from_5(score: int) -> None:
    label = labels_from_scores([None], [None], [score]).tolist()[0]
    assert label == (0 if score <= 3 else 1 if score >= 5 else -1)


rows = st.lists(st.tuples(
    st.sampled_from(["a", "b", "c"]),                 # touchpoint
    st.one_of(st.none(), st.integers(0, 10)),         # nps
    st.floats(0, 1),                                  # p_positive
    st.lists(st.booleans(), min_size=10, max_size=10),  # theme flags
), min_size=1, max_size=60)  # fmt: skip


@settings(max_examples=60, deadline=None)
@given(rows)
def test_roll_up_counts_add_up_and_nps_follows_its_definition(data: list) -> None:  # type: ignore[type-arg]
    taxonomy = default_taxonomy()
    keys = taxonomy.theme_keys()
    frame = pd.DataFrame({
        "touchpoint": [r[0] for r in data],
        "nps": pd.Series([r[1] for r in data], dtype="float64"),
        "p_positive": [r[2] for r in data],
    })  # fmt: skip
    frame["sentiment"] = np.where(frame["p_positive"] < 1 / 3, "negative", "positive")
    for j, key in enumerate(keys):
        frame[f"theme:{key}"] = [r[3][j % len(r[3])] for r in data]
    analysis = TextAnalysis(comments=frame, model=_NO_MODEL, taxonomy=taxonomy)

    for row in theme_summary(analysis, "touchpoint"):
        part = frame[frame["touchpoint"] == row.group]
        with_theme = part[part[f"theme:{row.theme}"]]
        assert row.comments == len(part) and row.n == len(with_theme)
        assert row.share == len(with_theme) / len(part)
        assert row.negative == int((with_theme["sentiment"] == "negative").sum())
        assert row.n_nps_with + row.n_nps_without == int(part["nps"].notna().sum())
        scores = with_theme["nps"].dropna()
        if len(scores):
            nps = 100 * ((scores >= 9).mean() - (scores <= 6).mean())
            assert row.nps_with is not None and abs(row.nps_with - nps) < 1e-9
            assert -100 <= row.nps_with <= 100
        else:
            assert row.nps_with is None and row.impact is None
