"""Strategy-map geometry: objectives in perspective bands, cause→effect arrows.

Pure geometry (no SVG): the web adapter draws what this returns, and the tests check it.
Boxes sit on rows inside their perspective's band (a band wraps onto more rows when it has
more objectives than fit across), so no two boxes can overlap. Within each band the order
is chosen by the barycentre heuristic of Sugiyama-style layered drawing — each box moves
towards the mean position of the boxes it is linked to — which removes most crossings in
a few sweeps; we keep whichever sweep produced the fewest crossings.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, field

BOX_WIDTH = 190.0
BOX_HEIGHT = 68.0
GAP_X = 36.0
GAP_Y = 26.0
BAND_LABEL_WIDTH = 150.0
BAND_PADDING = 22.0
MAX_PER_ROW = 6
#: A map is at least this many boxes wide (its boxes centred): pages draw the map across
#: their width, so a map of one box per band was blown up to twice its size with a legend
#: cut off at the right edge.
MIN_COLUMNS = 3
CHARS_PER_LINE = 26
MAX_LINES = 3
SWEEPS = 8


@dataclass(frozen=True)
class MapObjective:
    key: str
    title: str
    perspective: str
    status: str = "no_data"


@dataclass(frozen=True)
class MapLink:
    cause: str
    effect: str


@dataclass(frozen=True)
class Band:
    key: str
    label: str
    y: float
    height: float


@dataclass(frozen=True)
class Box:
    key: str
    title_lines: tuple[str, ...]
    perspective: str
    status: str
    x: float
    y: float
    width: float = BOX_WIDTH
    height: float = BOX_HEIGHT

    @property
    def centre_x(self) -> float:
        return self.x + self.width / 2


@dataclass(frozen=True)
class Arrow:
    cause: str
    effect: str
    start: tuple[float, float]
    end: tuple[float, float]


@dataclass
class MapLayout:
    width: float
    height: float
    bands: list[Band] = field(default_factory=list)
    boxes: dict[str, Box] = field(default_factory=dict)
    arrows: list[Arrow] = field(default_factory=list)
    crossings: int = 0


def wrap_title(title: str) -> tuple[str, ...]:
    lines = textwrap.wrap(title, CHARS_PER_LINE) or [""]
    if len(lines) > MAX_LINES:
        lines = [
            *lines[: MAX_LINES - 1],
            textwrap.shorten(" ".join(lines[MAX_LINES - 1 :]), CHARS_PER_LINE, placeholder="…"),
        ]
    return tuple(lines)


def _neighbours(links: Sequence[MapLink]) -> dict[str, list[str]]:
    result: dict[str, list[str]] = {}
    for link in links:
        result.setdefault(link.cause, []).append(link.effect)
        result.setdefault(link.effect, []).append(link.cause)
    return result


def _slot_positions(orders: dict[str, list[str]]) -> dict[str, float]:
    """Horizontal slot of each objective, rows wrapped and centred like the final drawing."""
    positions: dict[str, float] = {}
    for keys in orders.values():
        for index, key in enumerate(keys):
            row_start = (index // MAX_PER_ROW) * MAX_PER_ROW
            in_row = min(MAX_PER_ROW, len(keys) - row_start)
            positions[key] = (index - row_start) - (in_row - 1) / 2
    return positions


def count_crossings(
    orders: dict[str, list[str]],
    links: Sequence[MapLink],
    band_of: dict[str, str],
    band_order: list[str],
) -> int:
    """Crossings between links that join the same pair of bands (the ones order can fix)."""
    pos = _slot_positions(orders)
    level = {band: i for i, band in enumerate(band_order)}
    segments: dict[tuple[int, int], list[tuple[float, float]]] = {}
    for link in links:
        a, b = level[band_of[link.cause]], level[band_of[link.effect]]
        if a == b:
            continue
        (upper, lower) = (link.cause, link.effect) if a < b else (link.effect, link.cause)
        pair = (min(a, b), max(a, b))
        segments.setdefault(pair, []).append((pos[upper], pos[lower]))
    total = 0
    for segs in segments.values():
        for i in range(len(segs)):
            for j in range(i + 1, len(segs)):
                (a1, b1), (a2, b2) = segs[i], segs[j]
                if (a1 - a2) * (b1 - b2) < 0:
                    total += 1
    return total


def _order_by_barycentre(
    objectives: Sequence[MapObjective], links: Sequence[MapLink], band_order: list[str]
) -> dict[str, list[str]]:
    band_of = {o.key: o.perspective for o in objectives}
    orders = {band: [o.key for o in objectives if o.perspective == band] for band in band_order}
    neighbours = _neighbours(links)
    best = {band: list(keys) for band, keys in orders.items()}
    best_crossings = count_crossings(best, links, band_of, band_order)
    for sweep in range(SWEEPS):
        sequence = band_order if sweep % 2 == 0 else list(reversed(band_order))
        for band in sequence:
            pos = _slot_positions(orders)
            centres: dict[str, tuple[float, int]] = {}
            for index, key in enumerate(orders[band]):
                linked = [pos[n] for n in neighbours.get(key, []) if band_of.get(n) != band]
                centres[key] = (sum(linked) / len(linked) if linked else pos[key], index)
            orders[band] = sorted(orders[band], key=centres.__getitem__)
        crossings = count_crossings(orders, links, band_of, band_order)
        if crossings < best_crossings:
            best = {band: list(keys) for band, keys in orders.items()}
            best_crossings = crossings
    return best


def layout_strategy_map(
    perspectives: Sequence[tuple[str, str]],
    objectives: Sequence[MapObjective],
    links: Sequence[MapLink],
) -> MapLayout:
    """Place ``objectives`` in the bands of ``perspectives`` (key, label), top to bottom."""
    band_order = [key for key, _ in perspectives]
    known = set(band_order)
    objectives = [o for o in objectives if o.perspective in known]
    keys = {o.key for o in objectives}
    links = [
        link
        for link in links
        if link.cause in keys and link.effect in keys and link.cause != link.effect
    ]
    orders = _order_by_barycentre(objectives, links, band_order)
    by_key = {o.key: o for o in objectives}
    widest_row = max([min(MAX_PER_ROW, len(v)) for v in orders.values()] + [MIN_COLUMNS])
    content_width = widest_row * BOX_WIDTH + (widest_row - 1) * GAP_X
    width = BAND_LABEL_WIDTH + content_width + 2 * BAND_PADDING
    layout = MapLayout(width=width, height=0)
    y = 0.0
    for band_key, label in perspectives:
        keys_in_band = orders[band_key]
        rows = max(1, -(-len(keys_in_band) // MAX_PER_ROW))
        height = 2 * BAND_PADDING + rows * BOX_HEIGHT + (rows - 1) * GAP_Y
        layout.bands.append(Band(band_key, label, y, height))
        for index, key in enumerate(keys_in_band):
            row, col = divmod(index, MAX_PER_ROW)
            in_row = min(MAX_PER_ROW, len(keys_in_band) - row * MAX_PER_ROW)
            row_width = in_row * BOX_WIDTH + (in_row - 1) * GAP_X
            x0 = BAND_LABEL_WIDTH + BAND_PADDING + (content_width - row_width) / 2
            objective = by_key[key]
            layout.boxes[key] = Box(
                key=key,
                title_lines=wrap_title(objective.title),
                perspective=band_key,
                status=objective.status,
                x=x0 + col * (BOX_WIDTH + GAP_X),
                y=y + BAND_PADDING + row * (BOX_HEIGHT + GAP_Y),
            )
        y += height
    layout.height = y
    layout.arrows = [
        _arrow(layout.boxes[link.cause], layout.boxes[link.effect], link) for link in links
    ]
    band_of = {o.key: o.perspective for o in objectives}
    layout.crossings = count_crossings(orders, links, band_of, band_order)
    return layout


def _arrow(cause: Box, effect: Box, link: MapLink) -> Arrow:
    """From the cause's edge facing the effect to the effect's facing edge."""
    if abs(cause.y - effect.y) < 1e-9:  # same row: side to side
        left_to_right = cause.x < effect.x
        start = (cause.x + (cause.width if left_to_right else 0), cause.y + cause.height / 2)
        end = (effect.x + (0 if left_to_right else effect.width), effect.y + effect.height / 2)
    elif cause.y > effect.y:  # usual case: causes below effects (learning → … → financial)
        start = (cause.centre_x, cause.y)
        end = (effect.centre_x, effect.y + effect.height)
    else:
        start = (cause.centre_x, cause.y + cause.height)
        end = (effect.centre_x, effect.y)
    return Arrow(link.cause, link.effect, start, end)
