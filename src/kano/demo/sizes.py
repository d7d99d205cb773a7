"""Size presets: from a laptop demo (S, ~50 k rows) to XL (>= 100 M rows, streamed).

A preset fixes everything that shapes the output bytes -- customer count, headcount and
row-group length. ``customers_per_chunk`` only bounds memory: the files are identical
for any chunk size (see :mod:`kano.demo.randomness`).
"""

from __future__ import annotations

from dataclasses import dataclass

from kano.demo.randomness import CUSTOMERS_PER_BLOCK


@dataclass(frozen=True)
class SizePreset:
    name: str
    customers: int
    headcount_scale: float
    row_group_rows: int = 1 << 20
    customers_per_chunk: int = 8 * CUSTOMERS_PER_BLOCK

    def __post_init__(self) -> None:
        if self.customers < 1 or self.row_group_rows < 1:
            raise ValueError("a company needs at least one customer and one row per group")
        if self.customers_per_chunk < CUSTOMERS_PER_BLOCK or (
            self.customers_per_chunk % CUSTOMERS_PER_BLOCK
        ):
            raise ValueError(f"customers_per_chunk must be a multiple of {CUSTOMERS_PER_BLOCK}")


SIZES: dict[str, SizePreset] = {
    "S": SizePreset("S", customers=1_100, headcount_scale=1.0),
    "M": SizePreset("M", customers=26_000, headcount_scale=3.0),
    "L": SizePreset("L", customers=780_000, headcount_scale=15.0),
    "XL": SizePreset("XL", customers=2_400_000, headcount_scale=40.0),
}


def size_preset(size: str) -> SizePreset:
    try:
        return SIZES[size.upper()]
    except KeyError:
        raise ValueError(f"unknown size {size!r}; choose one of {', '.join(SIZES)}") from None
