"""A perspective band's note (its score and status) stays inside the label column: the
Russian map's "Оценка 5,4 · Под угрозой" ran across the divider into the boxes."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from kano.adapters.web.strategy_map_svg import BAND_NOTE_CHARS, MapTexts, render_strategy_map
from kano.domain.strategy.map_layout import MapObjective, layout_strategy_map

SVG = "{http://www.w3.org/2000/svg}"


def _notes(note: str) -> tuple[list[str], ET.Element]:
    layout = layout_strategy_map([("customer", "Клиенты")],
                                 [MapObjective("a", "Клиенты рекомендуют нас", "customer")], [])
    texts = MapTexts(title="Карта", description="", boxes={}, links={},
                     band_notes={"customer": note}, legend=[])
    svg = ET.fromstring(render_strategy_map(layout, texts))
    band = svg.find(f".//{SVG}g[@class='map-band']")
    assert band is not None
    note_el = band.findall(f"{SVG}text")[1]
    return ["".join(t.itertext()) for t in note_el.findall(f"{SVG}tspan")], band


def test_a_long_band_note_wraps_inside_the_label_column() -> None:
    lines, _ = _notes("Оценка 5,4 · Под угрозой")
    assert lines == ["Оценка 5,4 ·", "Под угрозой"]
    assert all(len(line) <= BAND_NOTE_CHARS for line in lines)


def test_a_short_band_note_stays_on_one_line() -> None:
    lines, band = _notes("Score 7.9 · On track")
    assert lines == ["Score 7.9 · On track"]
    assert "Score 7.9 · On track" in "".join(band.itertext())


def test_hungarian_notes_break_after_the_score() -> None:
    lines, _ = _notes("Pontszám 7,9 · Terv szerint")
    assert lines == ["Pontszám 7,9 ·", "Terv szerint"]
