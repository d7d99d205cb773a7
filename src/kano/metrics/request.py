"""What a caller asks for (slices, filters, period) and what it gets back (rows).

Both are plain values so that the CLI, the API, the explorer page and the scorecard
binding can build and serialise them without knowing anything about Ibis.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from kano.domain.shared.errors import InvalidInput
from kano.metrics.periods import GRAINS, Grain

SliceKey = str | int | float | bool | None


@dataclass(frozen=True)
class SliceRequest:
    """Slices (``by``, in output order), filters (name → allowed values), an inclusive
    date range, and an optional extra condition in the expression language."""

    by: tuple[str, ...] = ()
    filters: tuple[tuple[str, tuple[str, ...]], ...] = ()
    period: tuple[date, date] | None = None
    where: str | None = None

    @classmethod
    def build(
        cls,
        by: Sequence[str] = (),
        filters: Mapping[str, str | Iterable[str]] | None = None,
        period: tuple[date, date] | None = None,
        where: str | None = None,
    ) -> SliceRequest:
        names = tuple(name.strip() for name in by if name.strip())
        if len(set(names)) != len(names):
            raise InvalidInput("by", f"a slice is named twice in {', '.join(names)}")
        grains = [name for name in names if name in GRAINS]
        if len(grains) > 1:
            raise InvalidInput("by", f"choose one period grain, not {' and '.join(grains)}")
        normalised: list[tuple[str, tuple[str, ...]]] = []
        for name, values in (filters or {}).items():
            if name in GRAINS:
                raise InvalidInput("filter", f"filter periods with from/to, not {name!r}")
            listed = (values,) if isinstance(values, str) else tuple(values)
            if not listed:
                raise InvalidInput(f"filter {name}", "needs at least one value")
            normalised.append((name, tuple(str(value) for value in listed)))
        if period is not None and period[0] > period[1]:
            raise InvalidInput("period", f"starts {period[0]} after it ends {period[1]}")
        return cls(names, tuple(normalised), period, where or None)

    @property
    def grain(self) -> Grain | None:
        for name in self.by:
            if name in GRAINS:
                return GRAINS[name]
        return None

    @property
    def dimensions(self) -> tuple[str, ...]:
        """The non-time slices."""
        return tuple(name for name in self.by if name not in GRAINS)


@dataclass(frozen=True)
class MetricRow:
    """One slice of a metric: its keys, the value, the sample size and the 95 % interval.

    ``components`` carries the factors of decomposed metrics (the profit formula's
    customers × ARPU × margin %); ``previous_value`` is set when the caller asked for a
    comparison with the previous period.
    """

    keys: tuple[tuple[str, SliceKey], ...]
    value: float | None
    n: int
    ci_low: float | None = None
    ci_high: float | None = None
    components: tuple[tuple[str, float | None], ...] = ()
    previous_value: float | None = None
    compared: bool = field(default=False, compare=False)

    def key(self, name: str) -> SliceKey:
        return dict(self.keys)[name]

    @property
    def change(self) -> float | None:
        if self.value is None or self.previous_value is None:
            return None
        return self.value - self.previous_value

    def as_dict(self) -> dict[str, Any]:
        """The JSON shape: slice keys, then value, n, ci_low, ci_high (and comparison)."""
        data: dict[str, Any] = dict(self.keys)
        data.update(value=self.value, n=self.n, ci_low=self.ci_low, ci_high=self.ci_high)
        if self.components:
            data["components"] = dict(self.components)
        if self.compared:
            data.update(previous_value=self.previous_value, change=self.change)
        return data
