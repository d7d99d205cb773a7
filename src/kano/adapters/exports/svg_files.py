"""SVG drawings turned into PNG and PDF files with CairoSVG.

CairoSVG draws with the system's libcairo (in the machine image) and finds fonts through
fontconfig, so Cyrillic and Hungarian titles come out right without shipping a font. It is
imported when a file is asked for, not at start-up: most requests never need it.
"""

from __future__ import annotations

PNG_SCALE = 2.0  # twice the drawing's size: sharp on high-density screens and in slides


def svg_to_png(svg: bytes, scale: float = PNG_SCALE) -> bytes:
    import cairosvg

    png: bytes = cairosvg.svg2png(bytestring=svg, scale=scale)
    return png


def svg_to_pdf(svg: bytes) -> bytes:
    """One page the size of the drawing, with text kept as text (searchable, selectable)."""
    import cairosvg

    pdf: bytes = cairosvg.svg2pdf(bytestring=svg)
    return pdf


TITLE_SIZE, SUBTITLE_SIZE, TITLE_MARGIN = 20.0, 12.0, 24.0
TITLE_BAND = TITLE_MARGIN + TITLE_SIZE + 8 + SUBTITLE_SIZE + 14  # above the drawing


def titled_svg(svg: bytes, title: str, subtitle: str) -> bytes:
    """The drawing under a title and a line of facts (e.g. "Strategy map: Company
    scorecard" and "Northwind · Dec 7, 2026"): a printed or filed drawing says what it is,
    whose and of when, as the table PDFs do. Text stays text; both lines are escaped."""
    from xml.etree import ElementTree as ET

    svg_ns = "http://www.w3.org/2000/svg"
    drawing = ET.fromstring(svg)
    width = float(drawing.attrib["width"])
    height = float(drawing.attrib["height"])
    drawing.set("y", f"{TITLE_BAND:g}")
    page = ET.Element(f"{{{svg_ns}}}svg", {
        "width": f"{width:g}", "height": f"{height + TITLE_BAND:g}",
        "viewBox": f"0 0 {width:g} {height + TITLE_BAND:g}"})  # fmt: skip
    ET.SubElement(page, f"{{{svg_ns}}}rect", {
        "x": "0", "y": "0", "width": f"{width:g}", "height": f"{TITLE_BAND:g}",
        "fill": "#ffffff"})  # fmt: skip
    font = "font-family: sans-serif"
    heading = ET.SubElement(page, f"{{{svg_ns}}}text", {
        "x": f"{TITLE_MARGIN:g}", "y": f"{TITLE_MARGIN + TITLE_SIZE:g}",
        "style": f"{font}; fill: #111827; font-size: {TITLE_SIZE:g}px; font-weight: bold",
    })  # fmt: skip
    heading.text = title
    facts = ET.SubElement(page, f"{{{svg_ns}}}text", {
        "x": f"{TITLE_MARGIN:g}", "y": f"{TITLE_MARGIN + TITLE_SIZE + 8 + SUBTITLE_SIZE:g}",
        "style": f"{font}; fill: #4b5563; font-size: {SUBTITLE_SIZE:g}px"})  # fmt: skip
    facts.text = subtitle
    page.append(drawing)
    ET.register_namespace("", svg_ns)
    return ET.tostring(page, encoding="utf-8", xml_declaration=True)
