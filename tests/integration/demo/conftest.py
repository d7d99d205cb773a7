"""The demo company (size S, seed 1) as Parquet, generated once per test module."""

from __future__ import annotations

from pathlib import Path

import pytest

from kano.demo import generate_company


@pytest.fixture(scope="module")
def demo_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo-data")
    generate_company("S", 1, out)
    return out
