"""The strategy map as SVG: perspective bands, objective boxes and cause→effect arrows.

The geometry is the domain's (``layout_strategy_map``); this module only draws it. The same
SVG is inlined in the map page and served as a file (and converted to PNG and PDF), so
colours are presentation attributes, not CSS: the file looks the same wherever it is
opened, and the page's Content-Security-Policy (no inline styles) does not get in the way.

Accessibility: every box is an ``<a>`` (focusable, opens the objective) with an
``aria-label`` that says the title, perspective, status and score, and a ``<title>`` for
the tooltip; every arrow has a ``<title>`` naming cause and effect; the whole map has a
``<title>`` and ``<desc>``. Status is never colour alone: each box also says it in words.

Elements are built with ElementTree, which escapes every text and attribute; characters
that XML cannot carry at all (control characters, lone surrogates) are dropped first.
"""

from __future__ import annotations

import re
import textwrap
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from kano.adapters.web.strategy_map_arrows import arrow_path, spread_ports
from kano.domain.strategy.map_layout import BAND_LABEL_WIDTH, Box, MapLayout

SVG_NS = "http://www.w3.org/2000/svg"
FONT = "Liberation Sans, Arial, Helvetica, sans-serif"  # Arial's metrics: titles fit the box
LEGEND_HEIGHT = 44.0  # one row of the legend under the bands
LEGEND_ROW, LEGEND_SWATCH = 22.0, 28.0  # a further row; a swatch, its gap and margin
TITLE_AREA, TITLE_LEADING = 46.0, 13.5  # up to three title lines above the status line
ARROWHEAD_ID = "kano-map-arrowhead"
ARROWHEAD_RED_ID = "kano-map-arrowhead-wrong-sign"
BAND_FILLS = ("#f4f6fb", "#e9edf5")
INK, INK_SOFT, LINK_COLOUR = "#111827", "#4b5563", "#475467"


@dataclass(frozen=True)
class StatusColours:
    fill: str
    stroke: str
    mark: str


STATUS_COLOURS: dict[str, StatusColours] = {
    "green": StatusColours("#e7f5ec", "#1a7f37", "#1a7f37"),
    "amber": StatusColours("#fff5db", "#a86b00", "#d99a00"),
    "red": StatusColours("#fdecea", "#b42318", "#d92d20"),
    "no_data": StatusColours("#f2f4f7", "#98a2b3", "#98a2b3"),
}

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


BAND_NOTE_CHARS = 20
"""Signs of a band's 12 px note on one line of the 150-unit label column (~6.5 a sign)."""


def band_note_lines(note: str) -> list[str]:
    """The note on one line, else broken after its " · " (score · status) first."""
    if len(note) <= BAND_NOTE_CHARS:
        return [note]
    parts = note.split(" · ")
    marked = [part + " ·" for part in parts[:-1]] + parts[-1:]
    return [line for part in marked for line in textwrap.wrap(part, BAND_NOTE_CHARS)]


def xml_text(value: str) -> str:
    """``value`` without the characters XML 1.0 cannot represent."""
    return _NOT_XML.sub("", value)


@dataclass(frozen=True)
class BoxText:
    """What a box says besides its title: where it leads and its text alternative."""

    href: str
    label: str  # aria-label: title, perspective, status and score in words
    status_line: str  # shown under the title: "On track · 7.5"


@dataclass(frozen=True)
class ArrowStyle:
    """How an arrow shows what the data say: thick = strong, dashed = not supported,
    red = wrong sign; the sentence is added to the arrow's tooltip."""

    verdict: str  # supported | not-supported | wrong-sign | untested
    width: float
    colour: str
    dashed: bool
    evidence: str


WRONG_SIGN_COLOUR = "#b42318"


def arrow_style(verdict: str, strength: float | None, evidence: str) -> ArrowStyle:
    """Width from the standardised effect (1 px untested … 5 px for |β| ≥ 0.6)."""
    width = 1.6 if strength is None else 1.6 + min(abs(strength), 0.6) / 0.6 * 3.4
    if verdict == "wrong sign":
        return ArrowStyle("wrong-sign", width, WRONG_SIGN_COLOUR, False, evidence)
    if verdict == "supported":
        return ArrowStyle("supported", width, INK, False, evidence)
    if verdict == "untested":
        return ArrowStyle("untested", 1.6, LINK_COLOUR, False, evidence)
    return ArrowStyle("not-supported", 1.4, LINK_COLOUR, True, evidence)


@dataclass(frozen=True)
class MapTexts:
    title: str
    description: str
    boxes: Mapping[str, BoxText]
    links: Mapping[tuple[str, str], str]  # (cause, effect) → "Cause → Effect: hypothesis"
    band_notes: Mapping[str, str]  # perspective key → "Score 7.2"
    legend: Sequence[tuple[str, str]]  # (status, label)
    arrow_styles: Mapping[tuple[str, str], ArrowStyle] = field(default_factory=dict)


def _number(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


def _el(parent: ET.Element, tag: str, text: str | None = None, **attrs: str | float) -> ET.Element:
    element = ET.SubElement(parent, tag, {
        k.rstrip("_").replace("_", "-"): (_number(v) if isinstance(v, float) else xml_text(str(v)))
        for k, v in attrs.items()
    })
    if text is not None:
        element.text = xml_text(text)
    return element


def _defs(svg: ET.Element) -> None:
    defs = _el(svg, "defs")
    marker = _el(defs, "marker", id=ARROWHEAD_ID, viewBox="0 0 10 10", refX="9.5", refY="5",
                 markerWidth="12", markerHeight="12", markerUnits="userSpaceOnUse", orient="auto")
    _el(marker, "path", d="M0,0 L10,5 L0,10 z", fill=LINK_COLOUR)
    red = _el(defs, "marker", id=ARROWHEAD_RED_ID, viewBox="0 0 10 10", refX="9.5", refY="5",
              markerWidth="12", markerHeight="12", markerUnits="userSpaceOnUse",
              orient="auto")
    _el(red, "path", d="M0,0 L10,5 L0,10 z", fill=WRONG_SIGN_COLOUR)



def _bands(svg: ET.Element, layout: MapLayout, texts: MapTexts) -> None:
    group = _el(svg, "g", class_="map-bands")
    for index, band in enumerate(layout.bands):
        g = _el(group, "g", class_="map-band", data_perspective=band.key)
        _el(g, "rect", class_="band", data_perspective=band.key, x=0.0, y=band.y,
            width=layout.width, height=band.height, fill=BAND_FILLS[index % 2])
        label = _el(g, "text", x=16.0, y=band.y + 28, fill=INK, font_family=FONT,
                    font_size="14", font_weight="bold")
        lines = textwrap.wrap(band.label, 17) or [""]
        for number, line in enumerate(lines[:3]):
            _el(label, "tspan", line, x=16.0, dy="0" if number == 0 else "17")
        note = texts.band_notes.get(band.key)
        if note:
            # "Оценка 5,4 · Под угрозой" is wider than the label column: wrap it too
            note_el = _el(g, "text", x=16.0, y=band.y + 28 + 17 * min(len(lines), 3) + 4,
                          fill=INK_SOFT, font_family=FONT, font_size="12")  # fmt: skip
            for number, line in enumerate(band_note_lines(note)[:2]):
                _el(note_el, "tspan", line, x=16.0, dy="0" if number == 0 else "15")
    _el(svg, "line", x1=BAND_LABEL_WIDTH, y1=0.0, x2=BAND_LABEL_WIDTH, y2=layout.height,
        stroke="#cfd6e4", stroke_width="1")


def _arrows(svg: ET.Element, layout: MapLayout, texts: MapTexts) -> None:
    group = _el(svg, "g", class_="map-links")
    for arrow in spread_ports(layout.arrows, layout.boxes):
        style = texts.arrow_styles.get((arrow.cause, arrow.effect))
        g = _el(group, "g", class_="map-link", data_cause=arrow.cause, data_effect=arrow.effect,
                data_verdict=style.verdict if style else "untested")
        title = texts.links.get((arrow.cause, arrow.effect), "")
        _el(g, "title", f"{title} · {style.evidence}" if style and style.evidence else title)
        extra = {"stroke_dasharray": "6 4"} if style and style.dashed else {}
        marker = ARROWHEAD_RED_ID if style and style.colour == WRONG_SIGN_COLOUR else ARROWHEAD_ID
        _el(g, "path", d=arrow_path(arrow, layout.boxes), fill="none",
            stroke=style.colour if style else LINK_COLOUR,
            stroke_width=f"{style.width:.1f}" if style else "1.6",
            marker_end=f"url(#{marker})", **extra)


def _title_baselines(box: Box) -> list[float]:
    """Title lines centred in the part of the box above the status line."""
    count = len(box.title_lines)
    first = box.y + 3 + (TITLE_AREA - TITLE_LEADING * count) / 2 + 10
    return [first + TITLE_LEADING * i for i in range(count)]


def _box(group: ET.Element, box: Box, text: BoxText | None) -> None:
    colours = STATUS_COLOURS.get(box.status, STATUS_COLOURS["no_data"])
    title = " ".join(box.title_lines)
    link = _el(group, "a", id=f"map-objective-{box.key}",
               class_=f"map-objective status-{box.status}",
               href=text.href if text else "#", tabindex="0",
               aria_label=text.label if text else title, data_objective=box.key)
    _el(link, "title", title)
    _el(link, "rect", class_="objective-box", data_objective=box.key, x=box.x, y=box.y,
        width=box.width, height=box.height, rx="8", fill=colours.fill, stroke=colours.stroke,
        stroke_width="1.5")
    _el(link, "rect", x=box.x, y=box.y, width=6.0, height=box.height, rx="3", fill=colours.mark)
    heading = _el(link, "text", fill=INK, font_family=FONT, font_size="11.5",
                  font_weight="bold")
    for line, baseline in zip(box.title_lines, _title_baselines(box), strict=True):
        _el(heading, "tspan", line, x=box.x + 13, y=baseline)
    if text and text.status_line:
        _el(link, "text", text.status_line, x=box.x + 13, y=box.y + box.height - 8,
            fill=INK_SOFT, font_family=FONT, font_size="11")


def legend_places(layout: MapLayout, labels: Sequence[str]) -> list[tuple[float, float]]:
    """Where each legend item (swatch and label) starts: in a row under the boxes, on as
    many rows as it takes to stay inside the map, whatever the labels' language."""
    widths = [LEGEND_SWATCH + 7 * len(label) for label in labels]  # 12 px text: ~7 px a sign
    right = layout.width - 12
    start = BAND_LABEL_WIDTH + 22
    if start + sum(widths) > right:
        start = 22.0  # under the band labels too
    places, x, y = [], start, layout.height + 16
    for width in widths:
        if x > start and x + width > right:
            x, y = start, y + LEGEND_ROW
        places.append((x, y))
        x += width
    return places


def _legend(svg: ET.Element, places: Sequence[tuple[float, float]], texts: MapTexts) -> None:
    group = _el(svg, "g", class_="map-legend")
    for (x, y), (status, label) in zip(places, texts.legend, strict=True):
        colours = STATUS_COLOURS.get(status, STATUS_COLOURS["no_data"])
        _el(group, "rect", x=x, y=y, width=14.0, height=14.0, rx="3", fill=colours.fill,
            stroke=colours.stroke, stroke_width="1.5")
        _el(group, "text", label, x=x + 20, y=y + 11.5, fill=INK, font_family=FONT,
            font_size="12")


def render_strategy_map(layout: MapLayout, texts: MapTexts) -> str:
    """The map as an SVG document (without XML declaration, so it can be inlined)."""
    places = legend_places(layout, [label for _, label in texts.legend])
    rows = len({y for _, y in places}) or 1
    height = layout.height + LEGEND_HEIGHT + (rows - 1) * LEGEND_ROW
    svg = ET.Element("svg", {
        "xmlns": SVG_NS,
        "class": "strategy-map-svg",
        "width": _number(layout.width),
        "height": _number(height),
        "viewBox": f"0 0 {_number(layout.width)} {_number(height)}",
        "aria-labelledby": "kano-map-title",
        "aria-describedby": "kano-map-desc",
    })
    _el(svg, "title", texts.title, id="kano-map-title")
    _el(svg, "desc", texts.description, id="kano-map-desc")
    _defs(svg)
    _el(svg, "rect", x=0.0, y=0.0, width=layout.width, height=height, fill="#ffffff")
    _bands(svg, layout, texts)
    _arrows(svg, layout, texts)  # under the boxes: an arrow never hides a title
    boxes = _el(svg, "g", class_="map-objectives")
    for box in layout.boxes.values():
        _box(boxes, box, texts.boxes.get(box.key))
    _legend(svg, places, texts)
    return ET.tostring(svg, encoding="unicode")


def as_svg_file(svg: str) -> bytes:
    """A standalone .svg file: the XML declaration, then the drawing."""
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + svg + "\n").encode("utf-8")
