"""The journey map as one SVG drawing: the emotion curve over the stages and the ranked
pain points under it. The page shows it inline; ``/journeys/{key}.png|.pdf`` turn the same
drawing into files (``kano.adapters.exports.svg_files``), so the export matches the page.

Hand-written SVG rather than Vega-Lite: the file exports are rendered on the server by
CairoSVG, which needs no JavaScript, and the drawing is a handful of lines and labels.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

from kano.adapters.web.formatting import NumberFormats
from kano.domain.shared.currency import DEFAULT_CURRENCY

if TYPE_CHECKING:  # for types only: the journey analytics load statsmodels (start-up cost)
    from kano.analytics.journeys.painpoints import PainPoint
    from kano.analytics.journeys.stages import StageSummary

COLUMN, TOP, CURVE, ROW = 150, 60, 160, 22
LIMIT = 1.0  # standardised units shown either side of the journey's average


def score_text(formats: NumberFormats, measure: str, value: float | None) -> str:
    """A touchpoint's score, or its gap to the bar, on its measure's scale: NPS is a whole
    number of points from −100 to +100, so "−12.37" claimed a precision it has not; CSAT,
    CES and ratings are means on 1–5 and keep two decimals."""
    if measure == "nps":
        return formats.signed(value, 0)
    return formats.decimal(value, 2)


def gap_text(formats: NumberFormats, measure: str, value: float | None) -> str:
    """A gap is above or below the bar, so it is always signed (with a true minus)."""
    return formats.signed(value, 0 if measure == "nps" else 2)


def amount_text(
    formats: NumberFormats, value: float | None, currency: str = DEFAULT_CURRENCY
) -> str:
    """Money in the workspace's currency, whole, with a true minus: revenue at risk goes
    negative where poor experiences churn less ("−€44,919", "−44 919 Ft")."""
    return formats.money(value, currency)


def measure_label(measure: str, gettext: Callable[[str], str]) -> str:
    """A score's name as the map's table writes it: "Rating" in the reader's words, the
    standard scores by their acronym (NPS, CSAT, CES)."""
    return gettext("Rating") if measure == "rating" else measure.upper()


def _y(emotion: float) -> float:
    clipped = max(-LIMIT, min(LIMIT, emotion))
    return TOP + CURVE / 2 - clipped / LIMIT * (CURVE / 2 - 10)


def journey_map_svg(
    title: str,
    stage_names: Sequence[tuple[str, str]],
    stages: Sequence[StageSummary],
    pain_points: Sequence[PainPoint],
    gettext: Callable[[str], str],
    formats: NumberFormats,
    currency: str = DEFAULT_CURRENCY,
    touchpoint_names: Mapping[str, str] | None = None,
) -> str:
    """The drawing; ``touchpoint_names`` (key → name) names the pain points as the page's
    table does; the PNG/PDF export a reader hands on said "delivery-field" otherwise."""
    _ = gettext
    names = touchpoint_names or {}
    average, at_risk, heading, axis = (
        _("Journey average"),
        _("Revenue at risk"),
        _("Pain points, worst first"),
        _("Emotion, in standard deviations from the journey average"),
    )
    width = max(600, COLUMN * len(stage_names) + 40)
    listed = list(pain_points[:5])
    height = TOP + CURVE + 70 + ROW * (len(listed) + 1)
    by_stage = {s.stage: s for s in stages}
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" font-family="sans-serif" font-size="12">',
        f"<title>{escape(title)}</title>",
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
        f'<text x="20" y="28" font-size="18" font-weight="bold">{escape(title)}</text>',
        f'<line x1="20" x2="{width - 20}" y1="{_y(0):.1f}" y2="{_y(0):.1f}" stroke="#999" '
        'stroke-dasharray="4 4"/>',
        # The average's key sits beside the title, not on its line, where the last stage's
        # label ("0,00") printed over it.
        f'<line x1="{width - 150}" x2="{width - 125}" y1="24" y2="24" stroke="#999" '
        'stroke-dasharray="4 4"/>',
        f'<text x="{width - 120}" y="28" fill="#666">{escape(average)}</text>',
        # the curve's vertical axis: what its numbers count (the PNG/PDF carry no caption)
        f'<text x="20" y="50" font-size="11" fill="#666" class="axis-title">{escape(axis)}</text>',
    ]
    points = []
    for i, (key, name) in enumerate(stage_names):
        x = 20 + COLUMN * i + COLUMN / 2
        parts.append(
            f'<text x="{x:.1f}" y="{TOP + CURVE + 20}" text-anchor="middle">{escape(name)}</text>'
        )
        summary = by_stage.get(key)
        if summary is not None and summary.emotion is not None:
            y = _y(summary.emotion)
            points.append((x, y))
            colour = "#b42318" if summary.emotion < 0 else "#1a7f37"
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="5" fill="{colour}"/>')
            parts.append(
                f'<text x="{x:.1f}" y="{y - 9:.1f}" text-anchor="middle">'
                f"{formats.signed(summary.emotion, 2)}</text>"
            )
    if len(points) > 1:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        parts.append(f'<polyline points="{path}" fill="none" stroke="#1f4e79" stroke-width="2"/>')
    y0 = TOP + CURVE + 55
    parts.append(f'<text x="20" y="{y0}" font-weight="bold">{escape(heading)}</text>')
    for i, point in enumerate(listed, start=1):
        line = (
            f"{point.rank}. {names.get(point.touchpoint, point.touchpoint)} · "
            f"{measure_label(point.score.measure, _)} "
            f"{score_text(formats, point.score.measure, point.score.mean)} "
            f"(n = {formats.integer(point.score.n)}) · {at_risk} "
            f"{amount_text(formats, point.revenue_at_risk, currency)}"
        )
        parts.append(f'<text x="20" y="{y0 + ROW * i}">{escape(line)}</text>')
    parts.append("</svg>")
    return "\n".join(parts)
