"""The demo company: an industrial distributor with a planted causal chain.

``generate_company("S", seed=1, out_dir=Path("demo"))`` writes one Parquet file per table
of ``docs/data-model.md`` plus ``ground_truth.yaml`` listing the planted effects
(EX -> OX -> CX -> TX -> financial, and decoys) that a plain regression recovers.
"""

from __future__ import annotations

from pathlib import Path

from kano.demo.generator import GROUND_TRUTH_FILE, GenerationReport, generate_with_preset
from kano.demo.sizes import SIZES, SizePreset, size_preset
from kano.demo.writer import ProgressCallback

__all__ = [
    "GROUND_TRUTH_FILE",
    "SIZES",
    "GenerationReport",
    "SizePreset",
    "generate_company",
    "generate_with_preset",
]


def generate_company(
    size: str,
    seed: int,
    out_dir: Path,
    on_progress: ProgressCallback | None = None,
) -> GenerationReport:
    """Generate the demo company of ``size`` ("S", "M", "L" or "XL") into ``out_dir``.

    ``on_progress(table, rows)`` is called with the rows added to a table, for a progress
    bar. The same ``size`` and ``seed`` always give byte-identical files.
    """
    return generate_with_preset(size_preset(size), seed, out_dir, on_progress)
