"""Time of the pilots' wild cluster bootstrap (9,999 draws, p-value and CI by inversion).

Run: ``PYTHONPATH=src .venv/bin/python bench/pilot_bootstrap.py``. Designs: the 2×2 DiD on
10,000 rows in 8 and in 50 customers (stores), a two-way fixed-effects panel of 50
customers × 24 months, and 10,000 customers × 2 periods with only 5 in the pilot (the
rule's "few pilot units" case with many clusters).
"""

from __future__ import annotations

import time

import numpy as np
import numpy.typing as npt

from kano.analytics.pilots.wild_bootstrap import WildClusterBootstrap

Design = tuple[npt.NDArray[np.int64], npt.NDArray[np.float64], int]


def two_by_two(rng: np.random.Generator, clusters: int, treated: int, rows: int) -> Design:
    unit = rng.integers(0, clusters, rows)
    post = rng.integers(0, 2, rows).astype(bool)
    pilot = unit < treated
    x = np.column_stack([np.ones(rows), pilot, post, pilot & post]).astype(float)
    return unit, x, 3


def fixed_effects(clusters: int, treated: int, periods: int) -> Design:
    unit = np.repeat(np.arange(clusters), periods)
    period = np.tile(np.arange(periods), clusters)
    pilot, post = unit < treated, period >= periods // 2
    dummies = [pilot & post] + [period == p for p in range(1, periods)]
    x = np.column_stack(dummies).astype(float)
    means = np.zeros((clusters, x.shape[1]))
    np.add.at(means, unit, x)
    return unit, x - means[unit] / periods, 0


def main() -> None:
    rng = np.random.default_rng(1)
    designs = {
        "2x2, 8 customers, 10,000 rows": two_by_two(rng, 8, 3, 10_000),
        "2x2, 50 customers, 10,000 rows": two_by_two(rng, 50, 10, 10_000),
        "TWFE, 50 customers x 24 months": fixed_effects(50, 10, 24),
        "TWFE, 10,000 customers x 2 periods, 5 in the pilot": fixed_effects(10_000, 5, 2),
    }
    for name, (unit, x, column) in designs.items():
        y = rng.normal(size=len(unit)) + rng.normal(size=int(unit.max()) + 1)[unit]
        started = time.perf_counter()
        result = WildClusterBootstrap(y, x, unit, column).result()
        seconds = time.perf_counter() - started
        print(f"{name}: {seconds:.3f} s ({result.weights}, {result.draws:,} draws, "
              f"p = {result.p_value:.3f})")  # fmt: skip


if __name__ == "__main__":
    main()
