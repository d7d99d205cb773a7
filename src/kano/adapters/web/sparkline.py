"""Sparklines: a measure's series as a tiny inline SVG drawn on the server.

Drawn server-side because a scorecard shows dozens of them: no chart library has to start
for each, and the page is complete without JavaScript. The target is drawn as a dashed
line and included in the vertical scale, so the distance to it is visible at a glance.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

WIDTH = 120.0
HEIGHT = 30.0
PAD = 3.0


@dataclass(frozen=True)
class Sparkline:
    width: float
    height: float
    points: str  # "x,y x,y …" for <polyline>
    last_x: float
    last_y: float
    target_y: float | None


def _fmt(value: float) -> str:
    return f"{value:.1f}"


def sparkline(
    values: Sequence[float | None], target: float | None = None,
    width: float = WIDTH, height: float = HEIGHT,
) -> Sparkline | None:
    """Geometry of the series (missing values skipped); None when nothing was measured."""
    known = [(index, value) for index, value in enumerate(values) if value is not None]
    if not known:
        return None
    scale_values = [value for _, value in known] + ([target] if target is not None else [])
    low, high = min(scale_values), max(scale_values)
    span = high - low or 1.0
    steps = max(len(values) - 1, 1)

    def x(index: int) -> float:
        return PAD + (width - 2 * PAD) * (index / steps if len(values) > 1 else 0.5)

    def y(value: float) -> float:
        return height - PAD - (height - 2 * PAD) * (value - low) / span

    coordinates = [(x(index), y(value)) for index, value in known]
    return Sparkline(
        width=width,
        height=height,
        points=" ".join(f"{_fmt(px)},{_fmt(py)}" for px, py in coordinates),
        last_x=round(coordinates[-1][0], 1),
        last_y=round(coordinates[-1][1], 1),
        target_y=None if target is None else round(y(target), 1),
    )
