"""Paths for the strategy map's arrows, drawn around the boxes they would otherwise cross.

The layout gives each arrow a start and an end on the facing edges of cause and effect.
Two refinements make a dense map readable:

* **Ports.** Several arrows on one edge of a box would share its midpoint and their heads
  would pile up; they are spread along the edge instead, ordered by where their other end
  lies, so they do not cross each other on the way in.
* **Lanes.** An arrow that would pass through a box between cause and effect (a link that
  skips a band, or joins non-neighbours of one row) leaves its box vertically into the
  free gap next to it, runs along a vertical lane that no box occupies, and enters the
  other box from its gap. Gaps between rows are always free (boxes sit on rows), so only
  the lane has to be searched for.

Only the path changes: an arrow still starts and ends on the edges of its boxes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence

from kano.domain.strategy.map_layout import GAP_X, GAP_Y, Arrow, Box

PORT_SPACING = 16.0
CLEARANCE = 6.0  # how far a lane keeps from a box
CORNER = 8.0
Point = tuple[float, float]


def _fmt(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


def _edge(box: Box, point: Point) -> str:
    x, y = point
    if abs(y - box.y) < 1e-6:
        return "top"
    if abs(y - (box.y + box.height)) < 1e-6:
        return "bottom"
    return "left" if abs(x - box.x) < 1e-6 else "right"


def spread_ports(arrows: Sequence[Arrow], boxes: Mapping[str, Box]) -> list[Arrow]:
    """The arrows with their ends spread along top and bottom edges (see the module doc)."""
    ends: dict[tuple[str, str], list[tuple[float, int, int]]] = defaultdict(list)
    for index, arrow in enumerate(arrows):
        for which, key, point, other in ((0, arrow.cause, arrow.start, arrow.end),
                                         (1, arrow.effect, arrow.end, arrow.start)):
            edge = _edge(boxes[key], point)
            if edge in ("top", "bottom"):
                ends[(key, edge)].append((other[0], index, which))
    moved = [[a.start, a.end] for a in arrows]
    for (key, _edge_name), attached in ends.items():
        box = boxes[key]
        spacing = min(PORT_SPACING, (box.width - 2 * CORNER) / max(len(attached), 1))
        for slot, (_, index, which) in enumerate(sorted(attached)):
            offset = (slot - (len(attached) - 1) / 2) * spacing
            moved[index][which] = (box.centre_x + offset, moved[index][which][1])
    return [Arrow(a.cause, a.effect, start, end)
            for a, (start, end) in zip(arrows, moved, strict=True)]


def _blocks(box: Box, x: float) -> bool:
    return box.x - CLEARANCE <= x <= box.x + box.width + CLEARANCE


def _between(boxes: Iterable[Box], top: float, bottom: float) -> list[Box]:
    """Boxes lying (at least partly) between two heights."""
    return [b for b in boxes if b.y < bottom and b.y + b.height > top]


def free_lane(obstacles: Sequence[Box], x_from: float, x_to: float) -> float:
    """The x nearest to both ends at which a vertical line misses every obstacle."""
    candidates = [x_from, x_to]
    for box in obstacles:
        candidates += [box.x - GAP_X / 2, box.x + box.width + GAP_X / 2]
    free = [x for x in candidates if not any(_blocks(b, x) for b in obstacles)]
    return min(free, key=lambda x: (abs(x - x_from) + abs(x - x_to), x))


def _rounded(points: Sequence[Point]) -> str:
    """A polyline through ``points`` with its corners rounded (radius ``CORNER``)."""
    path = [f"M{_fmt(points[0][0])},{_fmt(points[0][1])}"]
    for previous, corner, following in zip(points, points[1:], points[2:], strict=False):
        before = _towards(corner, previous)
        after = _towards(corner, following)
        path.append(f"L{_fmt(before[0])},{_fmt(before[1])}")
        path.append(f"Q{_fmt(corner[0])},{_fmt(corner[1])} {_fmt(after[0])},{_fmt(after[1])}")
    path.append(f"L{_fmt(points[-1][0])},{_fmt(points[-1][1])}")
    return " ".join(path)


def _towards(corner: Point, other: Point) -> Point:
    dx, dy = other[0] - corner[0], other[1] - corner[1]
    length = (dx * dx + dy * dy) ** 0.5
    if length == 0:
        return corner
    step = min(CORNER, length / 2)
    return corner[0] + dx / length * step, corner[1] + dy / length * step


def _s_curve(start: Point, end: Point) -> str:
    (x1, y1), (x2, y2) = start, end
    middle = (y1 + y2) / 2
    return (f"M{_fmt(x1)},{_fmt(y1)} C{_fmt(x1)},{_fmt(middle)} "
            f"{_fmt(x2)},{_fmt(middle)} {_fmt(x2)},{_fmt(y2)}")


def arrow_path(arrow: Arrow, boxes: Mapping[str, Box]) -> str:
    """SVG path data of one arrow (see the module doc)."""
    cause, effect = boxes[arrow.cause], boxes[arrow.effect]
    others = [b for k, b in boxes.items() if k not in (arrow.cause, arrow.effect)]
    (x1, y1), (x2, y2) = arrow.start, arrow.end
    if abs(y1 - y2) < 1e-6:  # one row, side to side
        left, right = sorted((x1, x2))
        in_the_way = [b for b in _between(others, cause.y, cause.y + cause.height)
                      if left < b.x < right]
        if not in_the_way:
            return f"M{_fmt(x1)},{_fmt(y1)} L{_fmt(x2)},{_fmt(y2)}"
        above = cause.y - GAP_Y / 2
        start, end = (cause.centre_x, cause.y), (effect.centre_x, effect.y)
        return _rounded([start, (start[0], above), (end[0], above), end])
    upwards = y2 < y1
    leave_y = y1 - GAP_Y / 2 if upwards else y1 + GAP_Y / 2
    enter_y = y2 + GAP_Y / 2 if upwards else y2 - GAP_Y / 2
    top, bottom = sorted((y1, y2))
    obstacles = _between(others, top, bottom)
    left, right = sorted((x1, x2))
    if not any(b.x - CLEARANCE < right and b.x + b.width + CLEARANCE > left for b in obstacles):
        return _s_curve((x1, y1), (x2, y2))
    lane = free_lane(obstacles, x1, x2)
    return _rounded([(x1, y1), (x1, leave_y), (lane, leave_y), (lane, enter_y), (x2, enter_y),
                     (x2, y2)])
