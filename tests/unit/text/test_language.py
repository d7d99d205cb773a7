"""Language detection on the demo's EN/RU/HU comments and on text that is no language."""

from __future__ import annotations

from kano.analytics.text import detect_language, detect_languages
from tests.unit.text.comments import demo_comments


def test_every_demo_comment_is_detected_in_its_own_language() -> None:
    frame = demo_comments()

    found = detect_languages(frame["comment"].tolist())

    wrong = [(t, f) for t, f, want in zip(frame["comment"], found, frame["true_language"],
                                          strict=True) if f != want]  # fmt: skip
    assert wrong == []


def test_text_that_is_no_language_is_unknown() -> None:
    assert detect_language("") == "unknown"
    assert detect_language("12345 !!!") == "unknown"
    assert detect_languages(["", "  ", "42"]) == ["unknown"] * 3


def test_a_language_the_response_already_carries_is_kept_else_detected() -> None:
    texts = ["Доставка опоздала на три дня.", "The delivery was late.", "Köszönöm!"]

    assert detect_languages(texts, ["hu", None, "xx"]) == ["hu", "en", "hu"]
    assert detect_languages(texts, [float("nan"), None, None]) == ["ru", "en", "hu"]
