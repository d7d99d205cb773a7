"""docs/metrics.md lists every built-in metric (the catalogue and its docs cannot drift)."""

from __future__ import annotations

import re
from pathlib import Path

from kano.metrics import built_in_catalogue

DOCS = Path(__file__).resolve().parents[3] / "docs" / "metrics.md"


def test_every_built_in_metric_is_documented_and_nothing_else() -> None:
    documented = re.findall(r"^\| `([a-z0-9_]+)` \|", DOCS.read_text(encoding="utf-8"), re.M)
    assert sorted(documented) == sorted(metric.id for metric in built_in_catalogue())
