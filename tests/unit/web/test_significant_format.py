"""Slopes and interval bounds on the linkage page: four significant digits written the way
the page's language writes numbers, with a true minus (the QA pass found Python's "%.4g"
writing "-0.2553" on the Russian and Hungarian pages)."""

from __future__ import annotations

import pytest

from kano.adapters.web.formatting import NumberFormats


@pytest.mark.parametrize(
    ("language", "value", "shown"),
    [
        ("en", -0.2553123, "\u22120.2553"), ("en", 0.002842, "0.002842"),
        ("en", 88.6712, "88.67"), ("en", 0.5, "0.5"), ("en", 0.0, "0"),
        ("ru", -0.2553123, "\u22120,2553"), ("ru", 0.0006497, "0,0006497"),
        ("hu", -24.66, "\u221224,66"), ("en", None, "–"),
    ],
)  # fmt: skip
def test_significant(language: str, value: float | None, shown: str) -> None:
    assert NumberFormats(language).significant(value) == shown
