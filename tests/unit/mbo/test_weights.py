from __future__ import annotations

import pytest

from kano.domain.mbo.model import PersonalObjective, validate_weights, weighted_achievement
from kano.domain.shared.errors import InvalidInput


def test_weighted_achievement() -> None:
    sheet = [
        PersonalObjective("Cut delivery delay", 50, 120),
        PersonalObjective("Train two new dispatchers", 30, 100),
        PersonalObjective("Document the returns process", 20, None),
    ]
    assert weighted_achievement(sheet) == pytest.approx(90.0)


def test_weights_must_sum_to_100_with_a_clear_message() -> None:
    with pytest.raises(InvalidInput) as error:
        validate_weights([PersonalObjective("a", 60), PersonalObjective("b", 30)])
    assert error.value.field == "weights"
    assert "90 %" in str(error.value) and "add 10 points" in str(error.value)
    with pytest.raises(InvalidInput, match=r"objectives\[1\]\.weight"):
        validate_weights([PersonalObjective("a", 100), PersonalObjective("b", 0)])
