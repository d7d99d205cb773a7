"""p-values read as statisticians write them: never a bare 0.000."""

from __future__ import annotations

import pytest

from kano.adapters.web.formatting import NumberFormats


@pytest.mark.parametrize(
    ("language", "value", "shown"),
    [
        ("en", 0.0003, "< 0.001"), ("en", 0.0, "< 0.001"), ("en", 0.001, "0.001"),
        ("en", 0.2514, "0.251"), ("ru", 0.0003, "< 0,001"), ("hu", 0.2514, "0,251"),
        ("en", None, "–"),
    ],
)  # fmt: skip
def test_p_value(language: str, value: float | None, shown: str) -> None:
    assert NumberFormats(language).p_value(value) == shown
