"""Strategy-map layout: boxes never overlap, stay in their band, and crossings stay few."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from kano.domain.strategy.map_layout import (
    Box,
    MapLink,
    MapObjective,
    count_crossings,
    layout_strategy_map,
)

PERSPECTIVES = [
    ("financial", "Financial"),
    ("customer", "Customer"),
    ("process", "Internal processes"),
    ("learning", "Learning & growth"),
]


@st.composite
def strategy_maps(draw: st.DrawFn) -> tuple[list[MapObjective], list[MapLink]]:
    n = draw(st.integers(min_value=1, max_value=30))
    objectives = [
        MapObjective(
            f"o{i}",
            draw(st.text(min_size=1, max_size=90)),
            draw(st.sampled_from([p for p, _ in PERSPECTIVES])),
        )
        for i in range(n)
    ]
    pairs = st.tuples(st.integers(0, n - 1), st.integers(0, n - 1))
    links = [MapLink(f"o{a}", f"o{b}") for a, b in draw(st.lists(pairs, max_size=45)) if a != b]
    return objectives, links


def _overlap(a: Box, b: Box) -> bool:
    return not (
        a.x + a.width <= b.x
        or b.x + b.width <= a.x
        or a.y + a.height <= b.y
        or b.y + b.height <= a.y
    )


@settings(max_examples=150, deadline=None)
@given(strategy_maps())
def test_boxes_never_overlap_and_lie_in_their_band(
    strategy_map: tuple[list[MapObjective], list[MapLink]],
) -> None:
    objectives, links = strategy_map
    layout = layout_strategy_map(PERSPECTIVES, objectives, links)
    assert set(layout.boxes) == {o.key for o in objectives}
    boxes = list(layout.boxes.values())
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert not _overlap(a, b), (a, b)
    bands = {band.key: band for band in layout.bands}
    assert [b.key for b in layout.bands] == [p for p, _ in PERSPECTIVES]  # perspective order
    for box in boxes:
        band = bands[box.perspective]
        assert band.y <= box.y and box.y + box.height <= band.y + band.height
        assert box.x >= 0 and box.x + box.width <= layout.width
    assert len(layout.arrows) == len(links)


@settings(max_examples=100, deadline=None)
@given(strategy_maps())
def test_ordering_never_adds_crossings(
    strategy_map: tuple[list[MapObjective], list[MapLink]],
) -> None:
    objectives, links = strategy_map
    layout = layout_strategy_map(PERSPECTIVES, objectives, links)
    band_of = {o.key: o.perspective for o in objectives}
    input_order = {p: [o.key for o in objectives if o.perspective == p] for p, _ in PERSPECTIVES}
    before = count_crossings(input_order, links, band_of, [p for p, _ in PERSPECTIVES])
    assert layout.crossings <= before


def test_a_crossed_chain_is_uncrossed() -> None:
    objectives = [
        MapObjective("f1", "Grow revenue", "financial"),
        MapObjective("f2", "Improve margin", "financial"),
        MapObjective("c1", "Customers trust our delivery", "customer"),
        MapObjective("c2", "Customers find us easy", "customer"),
    ]
    links = [MapLink("c1", "f2"), MapLink("c2", "f1")]  # drawn in input order they cross
    layout = layout_strategy_map(PERSPECTIVES, objectives, links)
    assert layout.crossings == 0


def test_long_titles_wrap_to_at_most_three_lines() -> None:
    title = "XYZ makes my job easier because every delivery arrives on the promised day " * 3
    layout = layout_strategy_map(PERSPECTIVES, [MapObjective("a", title, "customer")], [])
    assert 1 < len(layout.boxes["a"].title_lines) <= 3
    assert layout.boxes["a"].title_lines[-1].endswith("…")
