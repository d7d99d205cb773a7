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
