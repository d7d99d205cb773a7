"""The RFM page's drill-down: one RFM segment's customers (``/value/rfm?rfm=At risk``).

A marketer reads "At risk: 129 customers, €231,659" and wants those 129 people; each
segment of the page's table links to its own list, which keeps the page's other options
(workspace segment, scoring day, comparison day, matrix cell), and the CSV/XLSX of that
list hold the same customers.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlencode

KEPT = ("segment", "as_of", "transitions_from", "cell")


def in_rfm_segment(rows: list[dict[str, Any]], name: str) -> list[dict[str, Any]]:
    """The rows of the RFM segment ``name`` (every row when no segment is chosen)."""
    return [row for row in rows if row["segment"] == name] if name else rows


def rfm_links(form: Mapping[str, Any], names: Iterable[str]) -> dict[str, str]:
    """Each segment's list, and "" for every segment, as links of the RFM page."""
    kept = {key: form[key] for key in KEPT if form.get(key)}
    return {name: "/value/rfm?" + urlencode({**kept, "rfm": name}) for name in names} | {
        "": "/value/rfm" + ("?" + urlencode(kept) if kept else "")}
